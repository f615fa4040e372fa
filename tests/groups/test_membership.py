"""The one membership-as-of-date API (groups/registry/membership.py, policy G-1, L-5, L-6, G-3).

(a) Property-based: over random joins and exits, every way of asking "who is a member" agrees
    — active_on, current, overlapping, day and month counts, the visibility selectors, the
    member counts and the card rule.
(b) Future-dated exits and joins: dated states on the pages, the principal's access, cards,
    council seats and counts on each side of the effective date; the effective-day task is
    idempotent. Dates are passed as `today`; pages get timezone.localdate overridden."""

import datetime

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.cards.models import Card
from groups.cards.permissions import can_issue_card
from groups.cards.services import card_issue_red, card_issue_yellow, card_submit_rectification
from groups.cards.workflows import CardStatus
from groups.registry import membership as dated
from groups.registry.membership import MembershipState
from groups.registry.models import CouncilSeat, EducationGroup, Membership
from groups.registry.selectors import group_list_for_user, schools_seen_through_groups
from groups.registry.services import membership_add, membership_end, memberships_end_due
from members.models import School, User
from qingdao_groups.core.messages import render
from tests.factories import (
    CouncilSeatFactory,
    EducationGroupFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
    city_bureau,
)

D = datetime.date
FOUNDED = D(2019, 1, 1)
HORIZON = D(2027, 12, 31)


# --- pure functions ---------------------------------------------------------------------------


def test_left_on_is_the_first_day_no_longer_a_member():
    assert dated.is_active_on(D(2020, 9, 1), D(2021, 1, 1), D(2020, 12, 31))
    assert not dated.is_active_on(D(2020, 9, 1), D(2021, 1, 1), D(2021, 1, 1))
    assert not dated.is_active_on(D(2020, 9, 1), None, D(2020, 8, 31))
    assert dated.days_covered(D(2020, 9, 1), D(2021, 1, 1), D(2020, 1, 1), D(2020, 12, 31)) == 122
    assert [
        dated.state_on(D(2025, 9, 1), D(2026, 1, 1), d)
        for d in (D(2025, 8, 31), D(2025, 9, 1), D(2025, 12, 31), D(2026, 1, 1))
    ] == [
        MembershipState.UPCOMING,
        MembershipState.LEAVING,
        MembershipState.LEAVING,
        MembershipState.FORMER,
    ]
    assert dated.state_on(D(2025, 9, 1), None, D(2025, 9, 1)) == MembershipState.ACTIVE


def test_a_month_counts_when_its_15th_is_covered():
    """Policy F-1 funds by the month: joined on the 15th counts, on the 16th does not."""
    year = (D(2025, 1, 1), D(2025, 12, 31))
    assert dated.months_covered(D(2025, 3, 15), None, *year) == 10
    assert dated.months_covered(D(2025, 3, 16), None, *year) == 9
    assert dated.months_covered(D(2024, 1, 1), D(2025, 7, 15), *year) == 6  # 15 July not covered
    assert dated.months_covered(D(2024, 1, 1), D(2025, 7, 16), *year) == 7
    assert dated.months_covered(D(2024, 1, 1), None, D(2025, 3, 16), D(2025, 4, 14)) == 0


def test_the_core_is_not_a_member_in_one_place():
    assert not dated.core_cannot_be_member(core_school_id=1, school_id=1)
    assert dated.core_cannot_be_member(core_school_id=1, school_id=2)


# --- (a) every definition agrees ---------------------------------------------------------------

days = st.dates(min_value=D(2018, 6, 1), max_value=HORIZON)
# per school: a chain of periods (group index, gap before, length or None for open-ended)
periods = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 400), st.integers(0, 900)), min_size=0, max_size=3
)
schools_periods = st.lists(st.tuples(periods, st.booleans()), min_size=1, max_size=3)


def _build(plan, start: datetime.date):
    """Two groups (founded 2019-01-01, the second dissolved after a while) and, per school, its
    memberships laid end to end in random groups; returns (groups, schools, principals)."""
    groups = [EducationGroupFactory(founded_on=FOUNDED) for _ in range(2)]
    schools, principals = [], []
    for chain, last_open in plan:
        school = SchoolFactory()
        schools.append(school)
        principals.append(UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=school))
        day = start
        for i, (g, gap, length) in enumerate(chain):
            joined = day + datetime.timedelta(days=gap)
            open_ended = last_open and i == len(chain) - 1
            left = None if open_ended else joined + datetime.timedelta(days=length)
            Membership.objects.create(
                group=groups[g],
                school=school,
                relation_type="T-2",
                relation_subtype="T-2a",
                joined_on=joined,
                left_on=left,
                end_reason="" if left is None else "exit",
            )
            if left is None:
                break
            day = left
    return groups, schools, principals


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=schools_periods,
    start=st.dates(min_value=FOUNDED, max_value=D(2024, 1, 1)),
    probe=st.lists(days, min_size=1, max_size=3),
    period=st.tuples(days, days),
)
def test_every_definition_of_member_agrees(plan, start, probe, period):
    with transaction.atomic():
        city = UserFactory(role=User.Role.CITY_STAFF, authority=city_bureau())
        groups, schools, principals = _build(plan, start)
        staff = UserFactory(role=User.Role.DISTRICT_STAFF, authority=groups[0].authority)
        ids = [s.pk for s in schools]
        rows = list(Membership.objects.filter(school_id__in=ids))
        for day in probe:
            expected = {m.pk for m in rows if m.is_active_on(day)}
            scoped = Membership.objects.filter(school_id__in=ids)
            assert set(scoped.active_on(day).values_list("pk", flat=True)) == expected
            assert set(scoped.current(today=day).values_list("pk", flat=True)) == expected
            assert set(scoped.overlapping(day, day).values_list("pk", flat=True)) == expected
            assert {m.pk for m in rows if m.days_covered(day, day) == 1} == expected
            assert {
                m.pk
                for m in rows
                if m.state_on(day) in (MembershipState.ACTIVE, MembershipState.LEAVING)
            } == expected
            assert set(scoped.upcoming(today=day).values_list("pk", flat=True)) == {
                m.pk for m in rows if m.state_on(day) == MembershipState.UPCOMING
            }
            assert set(scoped.ended(today=day).values_list("pk", flat=True)) == {
                m.pk for m in rows if m.state_on(day) == MembershipState.FORMER
            }
            # counts on the group list
            counted = {g.pk: g.member_count for g in group_list_for_user(user=city, today=day)}
            for g in groups:
                assert counted[g.pk] == sum(
                    1 for m in rows if m.group_id == g.pk and m.is_active_on(day)
                )
            # what each principal sees: the group their school is in that day, and its schools
            for school, principal in zip(schools, principals, strict=True):
                mine = {
                    m.group_id for m in rows if m.school_id == school.pk and m.is_active_on(day)
                }
                seen = set(
                    group_list_for_user(user=principal, today=day).values_list("pk", flat=True)
                )
                assert seen == mine
                peers = {m.school_id for m in rows if m.group_id in mine and m.is_active_on(day)}
                core_ids = {g.core_school_id for g in groups if g.pk in mine}
                scope = Q(pk=school.pk) | Q(
                    pk__in=schools_seen_through_groups(principal, today=day)
                )
                visible = set(
                    School.objects.filter(scope)
                    .filter(pk__in=[*ids, *core_ids])
                    .values_list("pk", flat=True)
                )
                assert visible == {school.pk} | peers | core_ids
            # the card rule: only a member of that day may be warned
            for m in rows:
                allowed = can_issue_card(staff, m, today=day).allowed
                own = m.group.authority_id == staff.authority_id
                assert allowed == (own and m.is_active_on(day))
        first, last = min(period), max(period)
        scoped = Membership.objects.filter(school_id__in=ids)
        overlapping = set(scoped.overlapping(first, last).values_list("pk", flat=True))
        assert overlapping == {m.pk for m in rows if m.days_covered(first, last) > 0}
        assert overlapping == {
            m.pk
            for m in rows
            if any(
                m.is_active_on(first + datetime.timedelta(days=n))
                for n in range((last - first).days + 1)
            )
        }
        for m in rows:
            assert m.months_covered(first, last) == sum(
                1 for d in dated.mid_months(first, last) if m.is_active_on(d)
            )
            assert m.months_covered(first, last) <= len(list(dated.mid_months(first, last)))
            middle = first + (last - first) // 2
            if middle < last:  # day counts add up over a split period
                assert m.days_covered(first, last) == m.days_covered(
                    first, middle
                ) + m.days_covered(middle + datetime.timedelta(days=1), last)
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    founded=st.lists(
        st.tuples(
            st.dates(D(2016, 1, 1), D(2026, 1, 1)), st.one_of(st.none(), st.integers(0, 3000))
        ),
        max_size=4,
    ),
    day=days,
)
def test_groups_in_being_follow_their_core_membership(founded, day):
    with transaction.atomic():
        expected = set()
        for on, lasts in founded:
            group = EducationGroupFactory(founded_on=on)
            if lasts is not None:
                end = on + datetime.timedelta(days=lasts)
                Membership.objects.filter(group=group, role=Membership.Role.CORE).update(
                    left_on=end, end_reason="dissolution"
                )
                EducationGroup.objects.filter(pk=group.pk).update(
                    status=EducationGroup.Status.DISSOLVED, dissolved_on=end
                )
            if on <= day and (lasts is None or day < end):
                expected.add(group.pk)
        assert set(EducationGroup.objects.active_on(day).values_list("pk", flat=True)) == expected
        transaction.set_rollback(True)


# --- (b) future-dated exit and join -----------------------------------------------------------

TODAY = D(2026, 3, 2)
EXIT_ON = D(2026, 7, 1)  # four months ahead


@pytest.fixture
def on_day(monkeypatch):
    """Pages read timezone.localdate(); this sets the day they see."""
    real = timezone.localdate

    def _set(day):
        monkeypatch.setattr(
            timezone,
            "localdate",
            lambda value=None, timezone=None: day if value is None else real(value, timezone),
        )

    return _set


@pytest.fixture
def leaving(world):
    """world.member_school holds a council seat and an open yellow card; its exit is approved
    today for four months ahead."""
    staff = world.users["district"]
    seat = CouncilSeatFactory(
        group=world.group, school=world.member_school, person_name="成员校校长"
    )
    card = card_issue_yellow(
        membership=world.membership,
        ground=Card.Ground.AGREEMENT,
        description="未按协议参加联合教研",
        actor=staff,
        today=TODAY,
    )
    membership_end(
        membership=world.membership, left_on=EXIT_ON, end_reason="exit", actor=staff, today=TODAY
    )
    world.membership.refresh_from_db()
    return world, seat, card


def _counted(world, day):
    return (
        group_list_for_user(user=world.users["city"], today=day).get(pk=world.group.pk).member_count
    )


def test_before_its_exit_takes_effect_a_school_is_a_full_member(leaving, login, on_day):
    world, seat, card = leaving
    m = world.membership
    assert m.state_on(TODAY) == MembershipState.LEAVING
    assert _counted(world, TODAY) == 1
    card.refresh_from_db()
    assert card.closed_at is None and card.status == CardStatus.YELLOW_ISSUED
    seat.refresh_from_db()
    assert seat.ended_on is None
    # the principal still sees the group page, with the dated state, and answers the card
    on_day(EXIT_ON - datetime.timedelta(days=1))
    page = login(world.users["member"]).get(f"/groups/{world.group.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="state-leaving"' in text and "2026-07-01" in text
    school_page = login(world.users["member"]).get(f"/schools/{world.member_school.pk}/")
    assert 'data-testid="state-leaving"' in school_page.content.decode()
    card_submit_rectification(card=card, rectification="已整改", actor=world.users["member"])
    # and can still be warned until the day
    assert can_issue_card(world.users["district"], m, today=EXIT_ON - datetime.timedelta(days=1))
    card_issue_yellow(
        membership=m,
        ground=Card.Ground.AGREEMENT,
        description="再次缺席",
        actor=world.users["district"],
        today=EXIT_ON - datetime.timedelta(days=1),
    )
    # nothing happens before the day, however often the task runs
    assert memberships_end_due(today=EXIT_ON - datetime.timedelta(days=1)) == 0


def test_on_the_exit_day_cards_close_and_seats_end_once(leaving, login, on_day):
    world, seat, card = leaving
    m = world.membership
    histories = (Card.history.count(), CouncilSeat.history.count())
    assert memberships_end_due(today=EXIT_ON) == 2
    card.refresh_from_db()
    seat.refresh_from_db()
    assert card.status == CardStatus.CLOSED
    assert timezone.localdate(card.closed_at) == EXIT_ON
    assert seat.ended_on == EXIT_ON
    closing = card.history.get(status=CardStatus.CLOSED)
    assert timezone.localdate(closing.history_date) == EXIT_ON
    assert "退出" in render(closing.history_change_reason)
    assert timezone.localdate(seat.history.get(ended_on=EXIT_ON).history_date) == EXIT_ON
    assert (Card.history.count(), CouncilSeat.history.count()) == (
        histories[0] + 1,
        histories[1] + 1,
    )
    # the second run changes nothing
    assert memberships_end_due(today=EXIT_ON) == 0
    assert memberships_end_due(today=EXIT_ON + datetime.timedelta(days=1)) == 0
    assert (Card.history.count(), CouncilSeat.history.count()) == (
        histories[0] + 1,
        histories[1] + 1,
    )
    # from that day on: not counted, not visible to its principal, no card can be issued
    assert _counted(world, EXIT_ON) == 0
    assert not can_issue_card(world.users["district"], m, today=EXIT_ON)
    on_day(EXIT_ON)
    assert login(world.users["member"]).get(f"/groups/{world.group.pk}/").status_code == 404
    page = login(world.users["city"]).get(f"/groups/{world.group.pk}/").content.decode()
    assert "已退出成员校" in page and 'data-testid="state-leaving"' not in page


def test_an_exit_approved_through_the_workflow_closes_nothing_on_approval_day(world):
    from tests.groups import workflow_helpers as h
    from tests.groups.test_applications import decide

    card = card_issue_yellow(
        membership=world.membership,
        ground=Card.Ground.AGREEMENT,
        description="未按协议参加联合教研",
        actor=world.users["district"],
        today=TODAY,
    )
    built = h.exit_ready(world, start_on=EXIT_ON)
    decide(built, justification="该校整改进行中，另行督导。", today=TODAY)
    world.membership.refresh_from_db()
    assert world.membership.left_on == EXIT_ON
    card.refresh_from_db()
    assert card.closed_at is None
    assert memberships_end_due(today=EXIT_ON) == 1
    card.refresh_from_db()
    assert card.status == CardStatus.CLOSED


def test_a_leaving_school_cannot_apply_to_leave_again_but_can_be_expelled(leaving):
    from groups.applications.models import Application
    from groups.applications.permissions import can_draft_application

    world, seat, card = leaving
    assert not can_draft_application(
        world.users["member"], Application.Kind.EXIT, membership=world.membership, today=TODAY
    )
    red = card_issue_red(
        membership=world.membership,
        reason="严重事故",
        severe=True,
        actor=world.users["district"],
        today=TODAY,
    )
    m = Membership.objects.get(pk=world.membership.pk)
    assert (m.left_on, m.end_reason) == (TODAY, Membership.EndReason.EXPULSION)
    card.refresh_from_db()
    seat.refresh_from_db()
    assert card.status == CardStatus.CLOSED and seat.ended_on == TODAY
    assert red.closed_at is not None
    assert memberships_end_due(today=TODAY) == 0


def test_expulsion_by_escalation_ends_the_seat_and_the_yellow_escalates(world):
    staff = world.users["district"]
    seat = CouncilSeatFactory(group=world.group, school=world.member_school)
    yellow = card_issue_yellow(
        membership=world.membership,
        ground=Card.Ground.AGREEMENT,
        description="缺席",
        actor=staff,
        today=TODAY,
    )
    other = card_issue_yellow(
        membership=world.membership,
        ground=Card.Ground.INCIDENT,
        description="舆情",
        actor=staff,
        today=TODAY,
    )
    Card.objects.filter(pk=yellow.pk).update(status=CardStatus.OVERDUE)
    yellow.refresh_from_db()
    card_issue_red(
        membership=world.membership,
        reason="逾期未整改",
        escalate_from=yellow,
        expected_version=yellow.version,
        actor=staff,
        today=TODAY,
    )
    yellow.refresh_from_db()
    other.refresh_from_db()
    seat.refresh_from_db()
    assert yellow.status == CardStatus.ESCALATED and other.status == CardStatus.CLOSED
    assert seat.ended_on == TODAY


def test_a_join_approved_for_later_is_not_a_member_before_its_date(world, login, on_day):
    join_on = D(2026, 9, 1)
    school = SchoolFactory(name="拟加入测试学校")
    principal = UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=school)
    m = membership_add(
        group=world.group,
        school=school,
        relation_type="T-2",
        relation_subtype="T-2a",
        joined_on=join_on,
        actor=world.users["admin"],
    )
    before = join_on - datetime.timedelta(days=1)
    assert m.state_on(before) == MembershipState.UPCOMING
    assert m not in Membership.objects.current(today=before)
    assert _counted(world, before) == 1  # the world's member only
    assert not can_issue_card(world.users["district"], m, today=before)
    on_day(before)
    assert login(principal).get(f"/groups/{world.group.pk}/").status_code == 404
    page = login(world.users["city"]).get(f"/groups/{world.group.pk}/").content.decode()
    assert 'data-testid="state-upcoming"' in page and "2026-09-01" in page
    assert "2 所（含核心校）" in page  # the core and the current member
    # on the day it is a member like any other
    assert _counted(world, join_on) == 2
    assert can_issue_card(world.users["district"], m, today=join_on)
    on_day(join_on)
    page = login(principal).get(f"/groups/{world.group.pk}/")
    assert page.status_code == 200
    assert 'data-testid="state-upcoming"' not in page.content.decode()


def test_the_core_cannot_be_registered_as_a_member(world):
    from qingdao_groups.core.rules import RuleRefusal

    with pytest.raises(RuleRefusal, match="核心校不能同时作为本集团的成员校"):
        membership_add(
            group=world.group,
            school=world.core,
            relation_type="T-2",
            relation_subtype="T-2a",
            joined_on=TODAY,
            actor=world.users["admin"],
        )


def test_the_daily_task_is_scheduled():
    from qingdao_groups.management.commands.setup_schedules import SCHEDULES

    assert "groups.memberships_end_due" in {s["task"] for s in SCHEDULES}


def test_membership_factory_default_is_current(db):
    m = MembershipFactory()
    assert m.state_on(TODAY) == MembershipState.ACTIVE
