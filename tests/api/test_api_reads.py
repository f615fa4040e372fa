"""Reads through the API (issue 11): groups with their members as of a date (G-1), a school's
membership history, and the lists whose scope across many groups or cycles is written in
api.selectors, checked row by row against the rule each mirrors."""

import datetime
from decimal import Decimal

import pytest

from api.selectors import ledger_list_for_user, report_list_for_user
from assessments.reports.models import Report
from assessments.reports.permissions import can_view_report
from funding.ledgers.models import Ledger
from funding.ledgers.permissions import can_view_ledger
from groups.registry.models import Membership
from tests.api.helpers import Api, make_client
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _members(body) -> dict[str, str]:
    return {m["school"]["code"]: m["role"] for m in body["members"]}


def test_a_districts_groups_with_their_members_as_of_any_date(world):
    """G-1: the members listed are those in force on `as_of`: a school that joined later is not
    there before its join, one that left is there until the day before it left."""
    joined = world.membership.joined_on
    newcomer = SchoolFactory(name="市南新成员学校", authority=world.shinan)
    later = MembershipFactory(
        group=world.group, school=newcomer, joined_on=joined + datetime.timedelta(days=100)
    )
    leave_on = joined + datetime.timedelta(days=200)
    Membership.objects.filter(pk=world.membership.pk).update(left_on=leave_on, end_reason="exit")
    _client, token = make_client(world, authority=world.shinan, scopes=["registry:read"])
    api = Api(token)

    def group_on(day):
        response = api.get("/api/v1/groups/", {"as_of": day.isoformat()})
        assert response.status_code == 200, response.content
        rows = {g["code"]: g for g in response.json()["results"]}
        assert world.other_group.code not in rows  # 崂山's group is not 市南's to see
        return rows.get(world.group.code)

    before = group_on(later.joined_on - datetime.timedelta(days=1))
    assert _members(before) == {world.core.code: "core", world.member_school.code: "member"}
    assert before["as_of"] == (later.joined_on - datetime.timedelta(days=1)).isoformat()
    both = group_on(later.joined_on)
    assert set(_members(both)) == {world.core.code, world.member_school.code, newcomer.code}
    last_day = group_on(leave_on - datetime.timedelta(days=1))
    assert world.member_school.code in _members(last_day)
    after = group_on(leave_on)
    assert _members(after) == {world.core.code: "core", newcomer.code: "member"}
    one = api.get(f"/api/v1/groups/{world.group.pk}/", {"as_of": leave_on.isoformat()}).json()
    assert _members(one) == _members(after)


def test_a_bad_as_of_date_is_400_in_the_callers_language(world):
    _client, token = make_client(world, authority=world.shinan, scopes=["registry:read"])
    response = Api(token).get("/api/v1/groups/", {"as_of": "2025-02-30"})
    assert response.status_code == 400
    assert "as_of" in response.json()["errors"]
    assert "YYYY-MM-DD" in response.json()["errors"]["as_of"][0]


def test_a_schools_membership_history_newest_first(world):
    _client, token = make_client(world, authority=world.shibei, scopes=["registry:read"])
    response = Api(token).get(f"/api/v1/schools/{world.member_school.pk}/memberships/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["group"]["code"] == world.group.code and row["left_on"] is None


def test_schools_filter_by_district_stage_weak_and_search(world):
    weak = SchoolFactory(
        name="市南薄弱学校", authority=world.shinan, is_weak=True, weak_rated_year=2024
    )
    _client, token = make_client(world, authority=world.shinan, scopes=["registry:read"])
    api = Api(token)

    def codes(**query):
        return {r["code"] for r in api.get("/api/v1/schools/", query).json()["results"]}

    assert codes(weak="true") == {weak.code}
    assert weak.code in codes(q="薄弱") and world.core.code not in codes(q="薄弱")
    assert codes(code=world.core.code) == {world.core.code}
    assert codes(stage=weak.stage) >= {weak.code}


def test_a_cursor_walks_every_row_once_in_a_stable_order(world):
    for n in range(7):
        SchoolFactory(name=f"市南游标学校{n}", authority=world.shinan)
    _client, token = make_client(world, authority=world.shinan, scopes=["registry:read"])
    api = Api(token)
    seen, url = [], "/api/v1/schools/?page_size=3"
    while url:
        body = api.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    whole = api.get("/api/v1/schools/", {"page_size": 200}).json()["results"]
    assert seen == [r["id"] for r in whole]


def _ledgers(world) -> list[Ledger]:
    rows = []
    for group, authority in (
        (world.group, world.shinan),
        (world.group, world.shibei),  # the member's bureau pays its agreement (F-2)
        (world.other_group, world.laoshan),
    ):
        rows.append(
            Ledger.objects.create(
                group=group,
                authority=authority,
                fiscal_year=2025,
                total=Decimal("1234.50"),
                computed_by=world.users["city"],
            )
        )
    return rows


def test_the_ledger_list_is_exactly_what_can_view_ledger_allows(world):
    """F-1 … F-4: the scope written across all ledgers agrees with the one-ledger rule, for
    every role of the world and every kind of API client."""
    ledgers = _ledgers(world)
    users = list(world.users.values())
    users += [make_client(world, authority=a)[0].user for a in (world.shinan, world.shibei)]
    users.append(make_client(world, school=world.core)[0].user)
    for user in users:
        listed = {lg.pk for lg in ledger_list_for_user(user=user)}
        allowed = {lg.pk for lg in ledgers if can_view_ledger(user, lg)}
        assert listed == allowed, user.username


def test_the_report_list_is_exactly_what_can_view_report_allows(world):
    """A-1: the published reports a caller may read, across cycles."""
    from tests.assessments.builders import make_published_cycle

    cycle = make_published_cycle(world, groups=[world.group, world.other_group])
    made = [
        Report.objects.create(cycle=cycle, scope=Report.Scope.CITY, framework=cycle.framework),
        Report.objects.create(
            cycle=cycle,
            scope=Report.Scope.DISTRICT,
            authority=world.shinan,
            framework=cycle.framework,
        ),
        Report.objects.create(
            cycle=cycle, scope=Report.Scope.GROUP, group=world.group, framework=cycle.framework
        ),
        Report.objects.create(
            cycle=cycle,
            scope=Report.Scope.GROUP,
            group=world.other_group,
            framework=cycle.framework,
        ),
    ]
    users = list(world.users.values())
    users += [make_client(world, authority=a)[0].user for a in (world.shinan, world.laoshan)]
    users += [make_client(world, school=s)[0].user for s in (world.core, world.member_school)]
    for user in users:
        listed = {r.pk for r in report_list_for_user(user=user)}
        allowed = {r.pk for r in made if can_view_report(user, r)}
        assert listed == allowed, user.username


def test_ledger_money_is_an_exact_decimal_string(world):
    _ledgers(world)
    _client, token = make_client(world, authority=world.shinan, scopes=["ledgers:read"])
    rows = Api(token).get("/api/v1/ledgers/").json()["results"]
    assert {r["total"] for r in rows} == {"1234.50"}
    assert all(r["group"] == world.group.code for r in rows)


def test_a_published_report_comes_with_its_pdf_hash_and_verification_code(world):
    """A-1: the client downloads the archived PDF by the link given, and its SHA-256 is the one
    listed; the verification code opens /verify/<code> for anyone holding a printout."""
    import hashlib

    from django.test import Client

    from tests.assessments.builders import archive_fake_report, make_published_cycle

    cycle = make_published_cycle(world, groups=[world.group, world.other_group])
    archive_fake_report(cycle, group=world.group)
    archive_fake_report(cycle, group=world.other_group)
    _client, token = make_client(world, authority=world.shinan, scopes=["reports:read"])
    api = Api(token)
    rows = api.get("/api/v1/reports/").json()["results"]
    assert [r["group"] for r in rows] == [world.group.code]  # 崂山's report is not 市南's
    pdf = rows[0]["pdf"]
    download = api.get(pdf["url"])
    assert download.status_code == 200
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert hashlib.sha256(body).hexdigest() == pdf["sha256"]
    verify = Client().get(pdf["verify"])
    assert verify.status_code == 200 and pdf["sha256"] in verify.content.decode()
    _other, other_token = make_client(world, authority=world.laoshan, scopes=["reports:read"])
    assert Api(other_token).get(pdf["url"]).status_code == 404


def test_a_signed_in_person_uses_the_api_through_the_session_with_csrf_on_writes(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["district"])
    read = browser.get("/api/v1/groups/")
    assert read.status_code == 200
    assert [g["code"] for g in read.json()["results"]] == [world.group.code]
    write = browser.post(
        "/api/v1/filings/",
        {"kind": "policy", "title": "无 CSRF 令牌"},
        content_type="application/json",
    )
    assert write.status_code == 403  # the session needs the CSRF token on writes
