"""The auditors' desk (issue 10, "The auditor's desk"; policy A-1): every recorded change of
every history table, by person, dates, kind of record and group, with each field from → to;
exported through the shared helper; and every export leaves a record in the log itself."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.registry.models import Membership
from groups.registry.services import membership_end
from members.models import School, User
from qingdao_groups.core.audit import (
    AuditFilters,
    audit_kinds,
    audit_log_for_user,
    export_record_add,
)
from qingdao_groups.core.history import history_rows
from qingdao_groups.models import ExportRecord
from tests.factories import MembershipFactory

URL = reverse("audit:log")


def _all(trail):
    return trail[0 : len(trail)]


def _end_member(world, now):
    """A change made through a service (policy L-5: an exit recorded by the bureau)."""
    member = Membership.objects.get(group=world.group, role=Membership.Role.MEMBER)
    return membership_end(
        membership=member,
        left_on=datetime.date(2030, 7, 1),
        end_reason=Membership.EndReason.EXIT,
        actor=world.users["district"],
        now=now,
    )


def test_every_history_table_is_a_kind_of_record():
    kinds = audit_kinds()
    assert {"groups.membership", "members.school", "qingdao_groups.exportrecord"} <= set(kinds)
    assert "funding.ledger" in kinds and kinds["funding.ledger"].group == "group_id"


def test_a_change_through_a_service_shows_its_person_and_fields(world, login):
    """Policy A-1: the auditor sees who changed what, from what to what."""
    _end_member(world, timezone.now())
    page = login(world.users["auditor"]).get(URL + f"?person={world.users['district'].pk}")
    assert page.status_code == 200
    entries = page.context["page_obj"].object_list
    ended = next(e for e in entries if any(c.after == "2030-07-01" for c in e.changes))
    district = world.users["district"]
    assert ended.who == (district.get_full_name() or district.username) and ended.reason == "退出"
    assert ended.kind == str(Membership._meta.verbose_name)
    assert any(c.before == "—" for c in ended.changes)
    assert "2030-07-01" in page.content.decode()


def test_the_filters_narrow_as_the_history_tables_count(world):
    """Person, dates, kind and group, each checked against Model.history."""
    auditor, district = world.users["auditor"], world.users["district"]
    past = timezone.now() - datetime.timedelta(days=400)
    _end_member(world, past)
    whole = audit_log_for_user(user=auditor, filters=AuditFilters())
    by_person = audit_log_for_user(user=auditor, filters=AuditFilters(person=district.pk))
    expected = sum(
        history_rows(k.model).filter(history_user_id=district.pk).count()
        for k in audit_kinds().values()
    )
    assert len(by_person) == expected >= 1 and len(whole) > len(by_person)
    assert all(e.username == district.username for e in _all(by_person))

    day = timezone.localdate(past)
    one_day = audit_log_for_user(user=auditor, filters=AuditFilters(start=day, end=day))
    assert len(one_day) == sum(
        history_rows(k.model).filter(history_date__date=day).count() for k in audit_kinds().values()
    )
    assert len(one_day) >= 1

    kind = audit_log_for_user(user=auditor, filters=AuditFilters(kind="members.school"))
    assert len(kind) == history_rows(School).count()

    group = audit_log_for_user(user=auditor, filters=AuditFilters(group=world.group.pk))
    memberships = history_rows(Membership).filter(group_id=world.group.pk).count()
    assert memberships <= len(group) < len(whole)
    assert not any("崂山其他" in e.subject for e in _all(group))  # the other group's rows stay out
    both = audit_log_for_user(
        user=auditor, filters=AuditFilters(group=world.group.pk, kind="groups.membership")
    )
    assert len(both) == memberships


def test_district_staff_and_schools_are_refused_and_told_where_to_look(world, login):
    for role in ("district", "principal"):
        response = login(world.users[role]).get(URL)
        assert response.status_code == 403


def test_the_pickers_find_people_and_groups(world, login):
    client = login(world.users["auditor"])
    people = client.get(
        reverse("audit:pick", args=["person"]) + "?q=" + world.users["district"].username
    )
    assert f'value="{world.users["district"].pk}"' in people.content.decode()
    groups = client.get(reverse("audit:pick", args=["group"]) + "?q=测试核心")
    assert f'value="{world.group.pk}"' in groups.content.decode()
    chosen = client.get(URL + f"?group={world.group.pk}")
    assert "测试核心教育集团" in chosen.content.decode()


def test_the_csv_export_holds_the_rows_and_is_logged(world, login):
    """The desk's export (the shared helper's "audit-log"), and the export recorded (A-1)."""
    _end_member(world, timezone.now())
    auditor = world.users["auditor"]
    client = login(auditor)
    url = reverse("exports:list", args=["audit-log"])
    response = client.get(url + f"?format=csv&person={world.users['district'].pk}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["时间", "操作人", "账号"]
    assert any("2030-07-01" in r[6] for r in rows[1:])
    assert all(r[2] == world.users["district"].username for r in rows[1:])
    record = ExportRecord.objects.get(user=auditor)
    assert record.key == "audit-log" and record.fmt == "csv" and record.rows == len(rows) - 1
    assert record.params == {"person": [str(world.users["district"].pk)]}
    # … and the record is itself in the audit log, under the exporter's name
    logged = client.get(URL + f"?kind=qingdao_groups.exportrecord&person={auditor.pk}")
    entry = logged.context["page_obj"].object_list[0]
    assert entry.who == (auditor.get_full_name() or auditor.username)
    assert "审计日志" in entry.subject
    assert "CSV" in entry.subject and f"{record.rows} 行" in entry.subject


def test_every_list_export_is_logged(world, login):
    client = login(world.users["principal"])
    response = client.get(reverse("exports:list", args=["cards"]) + "?format=xlsx&state=all")
    assert response.status_code == 200
    record = ExportRecord.objects.get(user=world.users["principal"])
    assert (record.key, record.fmt, record.rows) == ("cards", "xlsx", 0)
    assert history_rows(ExportRecord).get(id=record.pk).history_user_id == record.user_id


def test_an_export_record_reads_in_english(world, login):
    auditor = world.users["auditor"]
    auditor.language = "en"
    auditor.save()
    export_record_add(
        actor=world.users["city"],
        kind="list",
        key="cards",
        fmt="csv",
        params={"state": ["all"]},
        rows=3,
    )
    page = login(auditor).get(URL + "?kind=qingdao_groups.exportrecord")
    entry = page.context["page_obj"].object_list[0]
    assert "CSV" in entry.subject and "state=all" in entry.subject
    assert "导出" not in entry.subject


def test_a_read_only_roles_downloads_are_logged(world):
    """An auditor's download of an official document is recorded (A-1); the city's is not."""
    from qingdao_groups.core.audit import export_record_read_only_download

    for role in ("auditor", "city"):
        export_record_read_only_download(
            actor=world.users[role],
            kind="document",
            key="official:reply",
            label="青教发〔2024〕1号",
        )
    record = ExportRecord.objects.get()
    assert (record.user, record.kind, record.label) == (
        world.users["auditor"],
        "document",
        "青教发〔2024〕1号",
    )


@pytest.mark.parametrize("filters", ["", "?person={district}", "?group={group}"])
def test_the_desk_reads_a_constant_number_of_queries(world, client, filters):
    client.force_login(User.objects.get(pk=world.users["auditor"].pk))
    url = URL + filters.format(district=world.users["district"].pk, group=world.group.pk)

    def grow(n):
        for _i in range(n):
            m = MembershipFactory(group=world.group)
            m.note = "改"
            m._history_user = world.users["district"]
            m.save()

    grow(30)
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    grow(90)
    large = count()
    assert small == large <= 25


@pytest.mark.parametrize(
    "query",
    [
        "?person=abc&group=%00&start=2024-13-01",
        "?person=99999999999999999999&kind=nothing.here",
        "?start=2025-02-01&end=2024-01-01",
        "?page=9999",
    ],
)
def test_malformed_filters_filter_nothing_and_say_so(world, login, query):
    """A condition in error is shown as such and filters nothing; never a server error."""
    response = login(world.users["auditor"]).get(URL + query)
    assert response.status_code == 200
    export = login(world.users["auditor"]).get(
        reverse("exports:list", args=["audit-log"]) + query + "&format=csv"
    )
    assert export.status_code == 200
