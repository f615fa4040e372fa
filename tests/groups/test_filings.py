"""District filings with the city (policy L-2, D-1, D-2): the transition table, the services
(state, history, notifications after commit), the late-project flag and the pages."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.applications.models import Application
from groups.filings.models import Filing
from groups.filings.services import (
    filing_acknowledge,
    filing_create,
    filing_create_for_group_founding,
    filing_refile,
    filing_return,
)
from groups.filings.workflows import FILING_TRANSITIONS, FilingAction, FilingStatus
from members.models import User
from qingdao_groups.core.messages import render
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import TransitionRefused, allowed_actions, next_status
from qingdao_groups.models import Notification
from tests.factories import UserFactory

D = datetime.date
FAR_FUTURE = D(2030, 1, 1)
F = FilingStatus
FA = FilingAction


# --- the transition table, without the database ----------------------------------------------


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (F.FILED, FA.ACKNOWLEDGE, F.ACKNOWLEDGED),
        (F.FILED, FA.RETURN, F.RETURNED),
        (F.RETURNED, FA.REFILE, F.FILED),
    ],
)
def test_filing_transitions_allowed(current, action, expected):
    assert next_status(FILING_TRANSITIONS, current, action) == expected


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (F.FILED, FA.REFILE),
        (F.ACKNOWLEDGED, FA.ACKNOWLEDGE),
        (F.ACKNOWLEDGED, FA.RETURN),
        (F.ACKNOWLEDGED, FA.REFILE),
        (F.RETURNED, FA.ACKNOWLEDGE),
        (F.RETURNED, FA.RETURN),
    ],
)
def test_filing_transitions_refused(current, action):
    with pytest.raises(TransitionRefused):
        next_status(FILING_TRANSITIONS, current, action)


def test_acknowledged_is_final():
    assert allowed_actions(FILING_TRANSITIONS, F.ACKNOWLEDGED) == []


@pytest.mark.parametrize(
    ("kind", "starts", "late"),
    [
        (Filing.Kind.PROJECT, D(2025, 3, 1), True),  # starts the day it is filed: late (D-2)
        (Filing.Kind.PROJECT, D(2025, 2, 1), True),  # already running: late
        (Filing.Kind.PROJECT, D(2025, 3, 2), False),  # starts the day after: filed in advance
        (Filing.Kind.POLICY, None, False),  # policies (D-1) have no start date
    ],
)
def test_is_late_rule_without_database(kind, starts, late):
    """Policy D-2: reform projects are filed before they start (提前报备)."""
    filing = Filing(kind=kind, project_starts_on=starts, filed_on=D(2025, 3, 1))
    assert filing.is_late is late


# --- services ----------------------------------------------------------------------------------


@pytest.fixture
def people(world):
    """Mail addresses so the e-mail copies can be seen; a 崂山 and a 市北 district officer."""
    for role, user in world.users.items():
        user.email = f"{role}@example.org"
        user.save()
    world.laoshan_staff = UserFactory(
        username="t-laoshan",
        role=User.Role.DISTRICT_STAFF,
        authority=world.laoshan,
        email="laoshan@example.org",
    )
    return world


def _today():
    return timezone.localdate()


def create_project(world, starts, **kw):
    args = {
        "kind": Filing.Kind.PROJECT,
        "title": "市南区集团化办学评价改革",
        "description": "试点增值评价",
        "project_starts_on": starts,
        "actor": world.users["district"],
    } | kw
    return filing_create(**args)


def test_create_records_state_history_and_notifies_city_after_commit(
    people, django_capture_on_commit_callbacks
):
    """Policy D-1: a district files its supporting policy with the city."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        filing = filing_create(
            kind=Filing.Kind.POLICY,
            title="市南区集团化办学实施意见",
            description="配套政策",
            project_starts_on=D(2030, 1, 1),
            actor=people.users["district"],
        )
        assert mail.outbox == []  # nothing leaves before the commit
    # the relay nudge, and the work list's counts made stale again at the commit (issue 8)
    assert len(callbacks) == 2
    assert filing.status == F.FILED and filing.authority == people.shinan
    assert filing.filed_on == _today() and filing.project_starts_on is None  # D-1: no start
    record = filing.history.get()
    assert record.history_user == people.users["district"]
    assert render(record.history_change_reason) == "报备"
    assert Notification.objects.filter(user=people.users["city"], url__contains=str(filing.pk))
    assert [m.to for m in mail.outbox] == [["city@example.org"]]
    assert "市南区集团化办学实施意见" in mail.outbox[0].subject


def test_project_starting_on_the_filing_date_is_late(people):
    """Policy D-2: start date == filing date is late; the flag and its reason are recorded."""
    filing = create_project(people, _today())
    assert filing.is_late
    reason = render(filing.history.get().history_change_reason)
    assert "不晚于报备日期" in reason and "D-2" in reason
    assert "未提前报备" in Notification.objects.get(user=people.users["city"]).text


def test_project_starting_the_day_after_is_not_late(people):
    """Policy D-2: filed the day before it starts is in advance."""
    filing = create_project(people, _today() + datetime.timedelta(days=1))
    assert not filing.is_late


def test_project_needs_a_start_date(people):
    with pytest.raises(RuleRefusal) as exc:
        create_project(people, None)
    assert exc.value.field == "project_starts_on" and "D-2" in exc.value.message
    assert not Filing.objects.exists()


@pytest.mark.parametrize("role", ["city", "principal", "member", "auditor", "admin"])
def test_only_district_offices_file(people, role):
    with pytest.raises(PermissionDenied):
        create_project(people, D(2030, 1, 1), actor=people.users[role])
    assert not Filing.objects.exists()


def test_district_cannot_file_a_group_founding_by_hand(people):
    with pytest.raises(RuleRefusal) as exc:
        create_project(people, None, kind=Filing.Kind.GROUP_FOUNDING)
    assert exc.value.field == "kind"


def test_city_acknowledges_with_remarks_and_district_is_told(
    people, django_capture_on_commit_callbacks
):
    filing = create_project(people, D(2030, 1, 1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        filing = filing_acknowledge(
            filing=filing,
            remarks="已知悉，请按期总结",
            actor=people.users["city"],
            expected_version=filing.version,
        )
    assert filing.status == F.ACKNOWLEDGED and filing.version == 2
    assert filing.handled_by == people.users["city"] and filing.handled_at is not None
    latest = filing.history.latest()
    assert latest.history_user == people.users["city"]
    assert render(latest.history_change_reason) == "确认：已知悉，请按期总结"
    assert [m.to for m in mail.outbox] == [["district@example.org"]]
    assert "已确认" in mail.outbox[0].subject


def test_return_needs_remarks_and_changes_nothing_without(people):
    filing = create_project(people, D(2030, 1, 1))
    with pytest.raises(RuleRefusal) as exc:
        filing_return(filing=filing, remarks="  ", actor=people.users["city"])
    assert exc.value.field == "remarks"
    filing.refresh_from_db()
    assert filing.status == F.FILED and filing.history.count() == 1


def test_return_then_refile_keeps_the_first_filing_date_for_lateness(
    people, django_capture_on_commit_callbacks
):
    """Policy D-2: a project filed before it started, returned by the city and refiled after it
    started was still filed in advance; the refile date is today's, lateness counts from the
    first filing. Moving the start before the first filing makes it late."""
    filing = create_project(people, _today(), filed_on=_today() - datetime.timedelta(days=10))
    assert not filing.is_late
    with django_capture_on_commit_callbacks(execute=True):
        filing = filing_return(filing=filing, remarks="请补充经费来源", actor=people.users["city"])
    assert filing.status == F.RETURNED and filing.remarks == "请补充经费来源"
    assert "请补充经费来源" in mail.outbox[-1].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        filing = filing_refile(
            filing=filing,
            title="评价改革（补充经费）",
            description="区财政",
            project_starts_on=_today(),
            actor=people.users["district"],
        )
    assert filing.status == F.FILED and filing.filed_on == _today() and not filing.is_late
    assert filing.first_filed_on == _today() - datetime.timedelta(days=10)
    assert filing.remarks == "" and filing.handled_by is None
    assert [m.to for m in mail.outbox] == [["city@example.org"]]
    reasons = [
        (render(reason), *rest)
        for reason, *rest in filing.history.order_by("history_id").values_list(
            "history_change_reason", "history_user__username", "status"
        )
    ]
    assert reasons[1] == ("退回：请补充经费来源", "t-city", "returned")
    assert reasons[2][1:] == ("t-district", "filed")
    filing = filing_return(filing=filing, remarks="开始日期有误", actor=people.users["city"])
    filing = filing_refile(
        filing=filing,
        title="评价改革",
        description="",
        project_starts_on=_today() - datetime.timedelta(days=20),
        actor=people.users["district"],
    )
    assert filing.is_late
    assert "D-2" in render(filing.history.order_by("-history_id").first().history_change_reason)


@pytest.mark.parametrize("role", ["city", "laoshan"])
def test_only_the_filing_district_refiles(people, role):
    filing = create_project(people, D(2030, 1, 1))
    filing = filing_return(filing=filing, remarks="请补充", actor=people.users["city"])
    actor = people.laoshan_staff if role == "laoshan" else people.users[role]
    with pytest.raises(PermissionDenied):
        filing_refile(filing=filing, title="x", project_starts_on=D(2030, 1, 1), actor=actor)
    filing.refresh_from_db()
    assert filing.status == F.RETURNED


@pytest.mark.parametrize("role", ["district", "auditor", "admin"])
def test_only_city_staff_handle(people, role):
    filing = create_project(people, D(2030, 1, 1))
    with pytest.raises(PermissionDenied):
        filing_acknowledge(filing=filing, actor=people.users[role])
    filing.refresh_from_db()
    assert filing.status == F.FILED


def test_handling_twice_is_a_clear_message(people):
    filing = create_project(people, D(2030, 1, 1))
    filing_acknowledge(filing=filing, actor=people.users["city"])
    with pytest.raises(RuleRefusal) as exc:
        filing_return(filing=filing, remarks="退回", actor=people.users["city"])
    assert "已确认" in exc.value.message
    filing.refresh_from_db()
    assert filing.status == F.ACKNOWLEDGED and filing.history.count() == 2


def test_stale_version_is_refused_and_nothing_changes(people):
    """A city officer's form was opened before a colleague returned it and the district refiled:
    acknowledging the old content must not land."""
    filing = create_project(people, D(2030, 1, 1))
    seen_version = filing.version
    filing_return(filing=filing, remarks="请补充", actor=people.users["city"])
    filing_refile(
        filing=filing,
        title="新标题",
        project_starts_on=D(2030, 1, 1),
        actor=people.users["district"],
    )
    with pytest.raises(RuleRefusal) as exc:
        filing_acknowledge(filing=filing, actor=people.users["city"], expected_version=seen_version)
    assert "已被他人处理或修改" in exc.value.message
    filing.refresh_from_db()
    assert filing.status == F.FILED and filing.version == 3 and filing.history.count() == 3


# --- the filing of a district-founded group (policy L-2) ---------------------------------------


def _founding(world, authority):
    return Application.objects.create(
        kind=Application.Kind.FOUNDING,
        status=Application.Status.APPROVED,
        applicant_school=world.core,
        deciding_authority=authority,
        proposed_name=world.group.name,
        conditions="一年内完善章程",
        created_by=world.users["principal"],
    )


def test_district_founded_group_is_filed_with_the_city(people, django_capture_on_commit_callbacks):
    """Policy L-2: a group founded by a district is filed with the city, by the approver."""
    application = _founding(people, people.shinan)
    with django_capture_on_commit_callbacks(execute=True):
        filing = filing_create_for_group_founding(
            application=application, group=people.group, actor=people.users["district"]
        )
    assert filing.kind == Filing.Kind.GROUP_FOUNDING and filing.status == F.FILED
    assert filing.title == "测试核心教育集团成立报备"
    assert filing.group == people.group and filing.application == application
    assert filing.authority == people.shinan and filing.filed_by == people.users["district"]
    assert "一年内完善章程" in filing.description and not filing.is_late
    assert filing.history.get().history_user == people.users["district"]
    assert [m.to for m in mail.outbox] == [["city@example.org"]]
    # called again (a retried approval): the same filing, not a second one
    again = filing_create_for_group_founding(
        application=application, group=people.group, actor=people.users["district"]
    )
    assert again.pk == filing.pk and Filing.objects.count() == 1


def test_founding_filing_needs_no_district_role_beyond_the_approval(people):
    # The approval service already checked its actor (L-1); this function adds no rule.
    application = _founding(people, people.shinan)
    filing = filing_create_for_group_founding(
        application=application, group=people.group, actor=people.users["admin"]
    )
    assert filing.filed_by == people.users["admin"]


def test_city_founded_group_needs_no_filing(people):
    application = _founding(people, people.city)
    assert (
        filing_create_for_group_founding(
            application=application, group=people.group, actor=people.users["city"]
        )
        is None
    )
    assert not Filing.objects.exists()


# --- pages -------------------------------------------------------------------------------------


def make_filing(
    authority,
    filer,
    *,
    days_ago=0,
    status=F.FILED,
    kind=Filing.Kind.PROJECT,
    starts=FAR_FUTURE,
    title="项目",
):
    return Filing.objects.create(
        authority=authority,
        kind=kind,
        title=title,
        project_starts_on=starts if kind == Filing.Kind.PROJECT else None,
        filed_on=_today() - datetime.timedelta(days=days_ago),
        status=status,
        filed_by=filer,
    )


def test_city_list_puts_oldest_unhandled_first_with_days_waiting(people, login):
    district = people.users["district"]
    make_filing(people.shinan, district, days_ago=1, title="新近报备")
    make_filing(people.shinan, district, days_ago=30, status=F.ACKNOWLEDGED, title="早已确认")
    make_filing(people.laoshan, people.laoshan_staff, days_ago=12, title="等待最久")
    make_filing(people.shinan, district, days_ago=0, status=F.RETURNED, title="已退回")
    response = login(people.users["city"]).get(reverse("filings:filing-list"))
    titles = [f.title for f in response.context["page_obj"]]
    assert titles == ["等待最久", "新近报备", "已退回", "早已确认"]
    assert [f.days_waiting for f in response.context["page_obj"]][:2] == [12, 1]
    html = response.content.decode()
    assert "12 天" in html and "办理" in html


def test_city_list_filters(people, login):
    make_filing(people.shinan, people.users["district"], starts=_today(), title="迟报项目")
    make_filing(people.shinan, people.users["district"], kind=Filing.Kind.POLICY, title="政策")
    make_filing(people.laoshan, people.laoshan_staff, title="崂山项目")
    client = login(people.users["city"])

    def titles(**query):
        response = client.get(reverse("filings:filing-list"), query)
        return sorted(f.title for f in response.context["page_obj"])

    assert titles(district="laoshan") == ["崂山项目"]
    assert titles(kind="policy") == ["政策"]
    assert titles(late="on") == ["迟报项目"]
    assert titles(status="acknowledged") == []
    assert titles(status="nonsense") == ["崂山项目", "政策", "迟报项目"]  # bad filter: ignored


def test_district_sees_only_its_own_filings_with_the_citys_remarks(people, login):
    mine = make_filing(people.shinan, people.users["district"], title="我区项目")
    filing_return(filing=mine, remarks="请补充实施方案", actor=people.users["city"])
    make_filing(people.laoshan, people.laoshan_staff, title="崂山项目")
    response = login(people.users["district"]).get(reverse("filings:filing-list"))
    html = response.content.decode()
    assert "我区项目" in html and "请补充实施方案" in html and "已退回" in html
    assert "崂山项目" not in html
    assert "district" not in response.context["form"].fields


def test_principals_see_no_filings(people, login):
    make_filing(people.shinan, people.users["district"], title="我区项目")
    response = login(people.users["principal"]).get(reverse("filings:filing-list"))
    assert response.context["page_obj"].paginator.count == 0


def _csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _token(client, url):
    client.get(url)
    return client.cookies["csrftoken"].value


def test_district_files_a_late_project_and_sees_the_flag_at_once(people):
    """Policy D-2: the page says at once why the project is flagged; CSRF is enforced."""
    client = _csrf_client(people.users["district"])
    url = reverse("filings:filing-create")
    data = {
        "kind": "project",
        "title": "课后服务改革",
        "project_starts_on": _today().isoformat(),
        "description": "试点",
    }
    assert client.post(url, data).status_code == 403  # no token: refused
    assert not Filing.objects.exists()
    response = client.post(url, data | {"csrfmiddlewaretoken": _token(client, url)}, follow=True)
    filing = Filing.objects.get()
    assert response.redirect_chain[-1][0] == reverse("filings:filing-detail", args=[filing.pk])
    html = response.content.decode()
    assert "未提前报备" in html and "不晚于报备日期" in html and "D-2" in html
    assert 'data-testid="late-explanation"' in html


def test_create_page_keeps_input_on_a_refused_rule(people, login):
    client = login(people.users["district"])
    response = client.post(
        reverse("filings:filing-create"),
        {"kind": "project", "title": "缺开始日期的项目", "description": "我的摘要"},
    )
    assert response.status_code == 200
    assert "project_starts_on" in response.context["form"].errors
    html = response.content.decode()
    assert "缺开始日期的项目" in html and "我的摘要" in html
    assert not Filing.objects.exists()


def test_city_handles_through_the_page_with_csrf(people):
    filing = make_filing(people.shinan, people.users["district"])
    client = _csrf_client(people.users["city"])
    url = reverse("filings:filing-handle", args=[filing.pk])
    token = _token(client, url)
    # returning without remarks: a field error, input kept, nothing changed
    response = client.post(
        url,
        {
            "decision": "return",
            "remarks": "",
            "version": filing.version,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 200 and "remarks" in response.context["form"].errors
    filing.refresh_from_db()
    assert filing.status == F.FILED
    response = client.post(
        url,
        {
            "decision": "return",
            "remarks": "请补充实施方案",
            "version": filing.version,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == F.RETURNED and filing.remarks == "请补充实施方案"


def test_stale_handle_form_shows_message_and_current_state(people, login):
    filing = make_filing(people.shinan, people.users["district"])
    old_version = filing.version
    filing_return(filing=filing, remarks="请补充", actor=people.users["city"])
    filing_refile(
        filing=filing,
        title="改过的标题",
        project_starts_on=D(2030, 1, 1),
        actor=people.users["district"],
    )
    response = login(people.users["city"]).post(
        reverse("filings:filing-handle", args=[filing.pk]),
        {"decision": "acknowledge", "remarks": "好", "version": old_version},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已被他人处理或修改" in html and "改过的标题" in html
    filing.refresh_from_db()
    assert filing.status == F.FILED


def test_handled_filing_redirects_with_its_state(people, login):
    filing = make_filing(people.shinan, people.users["district"], status=F.ACKNOWLEDGED)
    response = login(people.users["city"]).post(
        reverse("filings:filing-handle", args=[filing.pk]),
        {"decision": "return", "remarks": "x", "version": filing.version},
        follow=True,
    )
    assert "当前状态为“已确认”" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == F.ACKNOWLEDGED


def test_district_refiles_through_the_page(people, login):
    filing = make_filing(people.shinan, people.users["district"], days_ago=5)
    filing_return(filing=filing, remarks="请补充预算", actor=people.users["city"])
    client = login(people.users["district"])
    url = reverse("filings:filing-refile", args=[filing.pk])
    page = client.get(url).content.decode()
    assert "请补充预算" in page and 'value="项目"' in page
    response = client.post(
        url,
        {
            "title": "项目（含预算）",
            "description": "预算 50 万",
            "project_starts_on": "2030-01-01",
            "version": filing.version + 1,
        },
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == F.FILED and filing.filed_on == _today()
    detail = client.get(reverse("filings:filing-detail", args=[filing.pk])).content.decode()
    assert "退回：请补充预算" in detail and "重新报备" in detail


def test_forged_post_to_another_districts_filing_is_404(people, login):
    other = make_filing(people.laoshan, people.laoshan_staff, status=F.RETURNED)
    client = login(people.users["district"])
    response = client.post(
        reverse("filings:filing-refile", args=[other.pk]),
        {"title": "篡改", "project_starts_on": "2030-01-01", "version": 1},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.title == "项目"


def test_founding_filing_appears_in_the_same_list(people, login):
    """Policy L-2: the filings of district-founded groups sit with the others."""
    filing_create_for_group_founding(
        application=_founding(people, people.shinan),
        group=people.group,
        actor=people.users["district"],
    )
    make_filing(people.shinan, people.users["district"], title="改革项目")
    html = login(people.users["city"]).get(reverse("filings:filing-list")).content.decode()
    assert "测试核心教育集团成立报备" in html and "改革项目" in html
    assert "区（市）成立集团报备" in html


# --- query counts ------------------------------------------------------------------------------


def _count(client, url) -> int:
    """Queries of a warm request (a process's first look-up of a content type is cached after)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n):
    for i in range(n):
        status = [F.FILED, F.ACKNOWLEDGED, F.RETURNED][i % 3]
        filing = make_filing(
            world.shinan if i % 2 else world.laoshan,
            world.users["district"] if i % 2 else world.laoshan_staff,
            days_ago=i,
            status=status,
            title=f"报备{i}",
        )
        if status != F.FILED:
            filing.handled_by, filing.remarks = world.users["city"], "意见"
            filing.save()


@pytest.mark.parametrize("role", ["city", "district"])
def test_list_page_runs_constant_queries(people, login, role, django_assert_max_num_queries):
    client = login(people.users[role])
    url = reverse("filings:filing-list") + "?kind=project"
    _grow(people, 3)
    client.get(url)  # warm the cached district choices (every test starts with an empty cache)
    small = _count(client, url)
    _grow(people, 40)
    client.get(
        url
    )  # the work list's count, recomputed once after a change (issue 8), is not the page's
    with django_assert_max_num_queries(10):
        client.get(url)
    assert _count(client, url) == small


def test_detail_page_runs_constant_queries(people, login, django_assert_max_num_queries):
    filing = make_filing(people.shinan, people.users["district"])
    client = login(people.users["district"])
    url = reverse("filings:filing-detail", args=[filing.pk])
    small = _count(client, url)
    for i in range(12):  # a long back-and-forth
        filing_return(filing=filing, remarks=f"第{i}次意见", actor=people.users["city"])
        filing_refile(
            filing=filing,
            title=f"第{i}版",
            project_starts_on=D(2030, 1, 1),
            actor=people.users["district"],
        )
    client.get(
        url
    )  # the work list's count, recomputed once after a change (issue 8), is not the page's
    with django_assert_max_num_queries(10):
        client.get(url)
    assert _count(client, url) == small
    html = client.get(url).content.decode()
    assert len(re.findall("第\\d+次意见", html)) == 12


# --- racing city officers (PostgreSQL row locks) -------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_city_officers_handle_a_filing_once():
    """Ten officers acknowledge or return the same filing at once: exactly one lands, the others
    get a clear message, and the history holds one handling row."""
    import threading

    from django.db import close_old_connections

    from tests.factories import city_bureau, district_bureau

    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    city, shinan = city_bureau(), district_bureau()
    filer = UserFactory(role=User.Role.DISTRICT_STAFF, authority=shinan)
    officers = [UserFactory(role=User.Role.CITY_STAFF, authority=city) for _ in range(10)]
    for _round in range(3):
        filing = make_filing(shinan, filer)
        barrier = threading.Barrier(len(officers))
        outcomes: list[str] = []

        def attempt(i, officer, filing=filing, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                if i % 2:
                    filing_acknowledge(filing=filing, actor=officer, expected_version=1)
                else:
                    filing_return(
                        filing=filing, remarks=f"意见{i}", actor=officer, expected_version=1
                    )
                outcomes.append("ok")
            except RuleRefusal as exc:
                outcomes.append(exc.message)
            finally:
                close_old_connections()

        threads = [threading.Thread(target=attempt, args=(i, o)) for i, o in enumerate(officers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcomes.count("ok") == 1, outcomes
        assert all("已被他人处理或修改" in o for o in outcomes if o != "ok")
        filing.refresh_from_db()
        assert filing.version == 2 and filing.status in (F.ACKNOWLEDGED, F.RETURNED)
        assert filing.history.count() == 2
