"""Derived metrics (assessments/frameworks/derived.py; policy A-1, A-4, L-3, L-6, F-1 … F-4;
issue 10), each cross-checked against a count done another way — row by row in Python through
the membership API's own `is_active_on` — on small data placed on the period's boundaries: the
first and last day in, the day before and the day after out."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from assessments.frameworks import derived
from funding.ledgers.models import LedgerLine
from funding.ledgers.services import ledgers_compute
from funding.spending.models import Spending
from groups.applications.models import Application, ProposedMember
from groups.cards.models import Card
from groups.charter.models import GroupDocument
from groups.registry.models import CouncilSeat, Membership
from tests.factories import MembershipFactory, SchoolFactory
from tests.funding.ledger_builders import dispatch, member_of, rate_table

pytestmark = pytest.mark.django_db

START, END = datetime.date(2024, 9, 1), datetime.date(2025, 8, 31)
BEFORE, AFTER = START - datetime.timedelta(days=1), END + datetime.timedelta(days=1)


def _ids(world):
    return [world.group.pk, world.other_group.pk]


def _member(world, joined_on, left_on=None, **school):
    return MembershipFactory(
        group=world.group,
        school=SchoolFactory(authority=world.shibei, **school),
        joined_on=joined_on,
        left_on=left_on,
        end_reason="exit" if left_on else "",
    )


def test_every_metric_has_a_label_a_unit_a_clause_and_help():
    for m in derived.METRICS.values():
        assert str(m.label) and str(m.unit) and str(m.help), m.key
        assert m.clause in {"A-1", "A-4"}, m.key


def test_members_count_counts_members_in_force_on_the_last_day_A1(world):
    _member(world, joined_on=END)  # joins on the last day: in
    _member(world, joined_on=AFTER)  # joins the day after: out
    _member(world, joined_on=START, left_on=END)  # left_on is the first day out: out
    _member(world, joined_on=START, left_on=AFTER)  # a member through the last day: in
    values = derived.members_count(_ids(world), START, END)
    expected = sum(
        1
        for m in Membership.objects.filter(group=world.group, role="member")
        if m.is_active_on(END)
    )
    assert expected == 3  # the world's own member, the one joining on END, the one leaving after
    assert values[world.group.pk][0] == D(expected)
    assert values[world.other_group.pk][0] == D(1)


def test_weak_share_at_the_boundary_A4(world):
    _member(world, joined_on=START, left_on=END, is_weak=True, weak_rated_year=2023)  # out
    _member(world, joined_on=END, is_weak=True, weak_rated_year=2023)  # in
    members = [
        m
        for m in Membership.objects.filter(group=world.group, role="member").select_related(
            "school"
        )
        if m.is_active_on(END)
    ]
    expected = (D(sum(m.school.is_weak for m in members)) * 100 / len(members)).quantize(D("0.01"))
    assert derived.weak_share(_ids(world), START, END)[world.group.pk][0] == expected == D("50.00")


def test_charter_council_needs_a_charter_and_a_seat_in_force_on_the_last_day_A1(world):
    ids = _ids(world)
    GroupDocument.objects.create(
        group=world.group, kind=GroupDocument.Kind.CHARTER, version=1, title="章程", adopted_on=END
    )
    GroupDocument.objects.create(
        group=world.other_group,
        kind=GroupDocument.Kind.CHARTER,
        version=1,
        title="章程",
        adopted_on=AFTER,  # adopted after the period: no charter yet
    )
    # ended on the last day: its first day out, so not in force on END
    seat = CouncilSeat.objects.create(
        group=world.group, role="member_principal", person_name="甲", started_on=START, ended_on=END
    )
    assert derived.charter_council(ids, START, END)[world.group.pk][0] == D(0)
    seat.ended_on = AFTER
    seat.save()
    got = derived.charter_council(ids, START, END)
    assert got[world.group.pk] == (
        D(1),
        {"on": "2025-08-31", "charter": True, "council_seats": 1},
    )
    CouncilSeat.objects.create(
        group=world.other_group, role="member_principal", person_name="乙", started_on=START
    )
    assert got[world.other_group.pk][0] == D(0)


def test_dispatches_per_member_counts_staff_on_post_on_any_day_of_the_period_A1(world):
    m = world.membership
    dispatch(m, starts_on=datetime.date(2023, 9, 1), ends_on=BEFORE, name="甲")  # out
    dispatch(m, starts_on=datetime.date(2023, 9, 1), ends_on=START, name="乙")  # last day START
    dispatch(m, starts_on=END, name="丙")  # first day END
    dispatch(m, starts_on=AFTER, name="丁")  # out
    second = _member(world, joined_on=START)
    from funding.dispatches.models import Dispatch

    on_post = [
        d
        for d in Dispatch.objects.filter(group=world.group)
        if d.starts_on <= END and (d.ends_on is None or d.ends_on >= START)
    ]
    members = sum(
        1
        for x in Membership.objects.filter(group=world.group, role="member")
        if x.is_active_on(END)
    )
    assert (len(on_post), members) == (2, 2)
    value, inputs = derived.dispatches_per_member(_ids(world), START, END)[world.group.pk]
    assert value == D("1.00") and inputs["dispatched"] == 2 and inputs["members"] == 2
    assert second.pk


def test_exits_count_counts_ends_taking_effect_in_the_period_A1(world):
    for left_on in (BEFORE, START, END, AFTER):
        _member(world, joined_on=datetime.date(2020, 9, 1), left_on=left_on)
    expected = Membership.objects.filter(group=world.group, role="member", left_on__isnull=False)
    expected = [m for m in expected if START <= m.left_on <= END]
    got = derived.exits_count(_ids(world), START, END)
    assert got[world.group.pk][0] == D(len(expected)) == D(2)
    assert got[world.other_group.pk][0] == D(0)


def test_cards_issued_counts_by_local_day_L6(world):
    tz = timezone.get_current_timezone()

    def card(day, time, level):
        return Card.objects.create(
            membership=world.membership,
            group=world.group,
            level=level,
            status="yellow_issued" if level == "yellow" else "red_issued",
            ground=Card.Ground.AGREEMENT,
            issued_by=world.users["district"],
            issued_at=datetime.datetime.combine(day, time, tz),
        )

    card(START, datetime.time(0, 0), "yellow")  # first moment: in
    card(END, datetime.time(23, 59), "red")  # last minute: in
    card(AFTER, datetime.time(0, 0), "yellow")  # out
    card(BEFORE, datetime.time(23, 59), "yellow")  # out (15:59 UTC: a UTC date would differ)
    local_days = [timezone.localtime(c.issued_at, tz).date() for c in Card.objects.all()]
    expected = sum(1 for d in local_days if START <= d <= END)
    value, inputs = derived.cards_issued(_ids(world), START, END)[world.group.pk]
    assert value == D(expected) == D(2) and (inputs["yellow"], inputs["red"]) == (1, 1)


def test_admissions_count_counts_approved_admissions_joining_in_the_period_L3(world):
    def admission(joined_on, status=Application.Status.APPROVED):
        m = _member(world, joined_on=joined_on)
        app = Application.objects.create(
            kind=Application.Kind.ADMISSION,
            status=status,
            group=world.group,
            applicant_school=world.core,
            deciding_authority=world.shinan,
            created_by=world.users["principal"],
        )
        ProposedMember.objects.create(
            application=app, school=m.school, relation_type="T-2", relation_subtype="T-2a"
        )
        return m

    admission(START)
    admission(END, Application.Status.APPROVED_WITH_CONDITIONS)
    admission(AFTER)  # joins after the period
    admission(BEFORE)  # joined before it
    admission(START, Application.Status.REJECTED)  # a membership not from an approved admission
    _member(world, joined_on=START)  # recorded without an application
    approved = {
        (p.application.group_id, p.school_id)
        for p in ProposedMember.objects.select_related("application")
        if p.application.kind == "admission"
        and p.application.status in ("approved", "approved_with_conditions")
    }
    expected = [
        m
        for m in Membership.objects.filter(group=world.group, role="member")
        if START <= m.joined_on <= END and (m.group_id, m.school_id) in approved
    ]
    got = derived.admissions_count(_ids(world), START, END)
    assert got[world.group.pk][0] == D(len(expected)) == D(2)
    assert got[world.other_group.pk][0] == D(0)


def test_subsidy_use_sets_the_periods_spending_against_its_share_of_each_years_income_F3(world):
    # a public member under the core's own authority earns the core school an F-1 subsidy
    member_of(world, joined_on=datetime.date(2023, 9, 1))
    for year in (2024, 2025):
        rate_table(world.shinan, year=year, subsidy="36600")
        ledgers_compute(year=year, group_ids=[world.group.pk])
    for day, amount in ((BEFORE, "999"), (START, "1000"), (END, "2000"), (AFTER, "999")):
        Spending.objects.create(
            group=world.group,
            fiscal_year=day.year,
            category=Spending.Category.TEACHING,
            amount=D(amount),
            spent_on=day,
        )
    # another way: the lines in Python, each year's income weighted by the period's days in it
    income = D(0)
    for year in (2024, 2025):
        lines = LedgerLine.objects.filter(
            ledger__group=world.group,
            ledger__fiscal_year=year,
            rule__in=("F-1", "F-2"),
            payee_kind="school",
            payee_id=world.core.pk,
        )
        total = sum((line.amount for line in lines), D(0))
        first, last = max(START, datetime.date(year, 1, 1)), min(END, datetime.date(year, 12, 31))
        days_in_year = 366 if year % 4 == 0 else 365
        income += total * D((last - first).days + 1) / D(days_in_year)
    income = income.quantize(D("0.01"))
    assert income > 0
    value, inputs = derived.subsidy_use(_ids(world), START, END)[world.group.pk]
    assert D(inputs["income"]) == income and D(inputs["spent"]) == D("3000")
    assert value == (D(3000) * 100 / income).quantize(D("0.01"))
    assert derived.subsidy_use(_ids(world), START, END)[world.other_group.pk][0] == D(0)
