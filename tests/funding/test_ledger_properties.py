"""Property-based tests through the database, with bounded examples (issue 9): for random
membership dates and rates, the stored ledgers' totals equal the sums of their lines, no line
is negative unless an adjustment, a second computation writes nothing (same digests, no audit
row), and after a lock and random changes the locked lines plus the adjustments equal what the
rules give now, key by key, while the locked ledger replays exactly (policy F-1, F-2, F-4)."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding.ledgers import inputs
from funding.ledgers.models import Ledger, LedgerLine
from funding.ledgers.services import (
    ledger_confirm,
    ledger_lock,
    ledger_recompute_as_locked,
    ledgers_compute,
)
from tests.funding.ledger_builders import (
    D,
    agreement,
    dispatch,
    history_rows,
    member_of,
    rate_table,
)

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
dates = st.dates(D(2024, 6, 1), D(2026, 6, 30))


@st.composite
def periods(draw):
    joined = draw(dates)
    left = draw(st.one_of(st.none(), st.dates(joined + ONE_DAY, D(2026, 12, 31))))
    return joined, left


member_plan = st.tuples(periods(), st.sampled_from(["public", "public", "private"]), st.booleans())
rate = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
BOUNDED = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _build(world, plan, subsidy, fee, monthly):
    rate_table(world.shinan, subsidy=str(subsidy))
    rate_table(world.shibei, transport_per_month=monthly)
    made = []
    for i, ((joined, left), nature, far) in enumerate(plan):
        m = member_of(
            world,
            name=f"性质成员{i}",
            authority=world.shibei if far else world.shinan,
            nature=nature,
            joined_on=joined,
            left_on=left,
        )
        if far:
            agreement(m, fee=str(fee), starts_on=joined, ends_on=D(2026, 12, 31))
            dispatch(m, starts_on=joined, ends_on=left - ONE_DAY if left else None)
        made.append(m)
    return made


def _check_stored(year=2025):
    for led in Ledger.objects.filter(fiscal_year=year):
        summed = led.lines.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
        assert led.total == summed, led
        assert led.line_count == led.lines.count()
    assert not LedgerLine.objects.filter(amount__lt=0, is_adjustment=False).exists()
    for line in LedgerLine.objects.filter(is_adjustment=False, rule="F-1"):
        assert line.amount <= Decimal(line.inputs.get("rate", "0")) or not line.applicable


@BOUNDED
@given(
    plan=st.lists(member_plan, min_size=1, max_size=4),
    subsidy=rate,
    fee=rate,
    monthly=rate,
)
def test_stored_ledgers_add_up_and_a_second_run_writes_nothing(world, plan, subsidy, fee, monthly):
    """F-1, F-2, F-4 stored: totals = sums, no negative rule line, F-1 ≤ its rate; computing
    again: nothing created or rewritten, digests equal, no audit row added."""
    with transaction.atomic():
        _build(world, plan, subsidy, fee, monthly)
        ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
        _check_stored()
        digests = dict(Ledger.objects.values_list("pk", "digest"))
        rows = history_rows()
        again = ledgers_compute(
            year=2025, group_ids={world.group.pk}, actor=world.users["principal"]
        )
        assert (again.created, again.rewritten, again.lines_written) == (0, 0, 0)
        assert dict(Ledger.objects.values_list("pk", "digest")) == digests
        assert history_rows() == rows
        transaction.set_rollback(True)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(member_plan, min_size=1, max_size=3),
    changes=st.lists(periods(), min_size=3, max_size=3),
    subsidy=rate,
)
def test_locked_plus_adjustments_equal_the_rules_now(world, plan, changes, subsidy):
    """After 市南's 2025 ledger is locked and the members' dates change at random, the next
    computation's adjustments bring each line key's sum over all the year's ledgers to exactly
    what the rules give now; the locked ledger is unchanged and replays exactly."""
    with transaction.atomic():
        made = _build(world, plan, subsidy, Decimal("1000"), Decimal("100"))
        ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
        shinan = Ledger.objects.get(group=world.group, authority=world.shinan, fiscal_year=2025)
        ledger_confirm(
            ledger=shinan, actor=world.users["district"], expected_version=shinan.version
        )
        shinan.refresh_from_db()
        ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)
        shinan.refresh_from_db()
        locked = [(x.key, x.amount) for x in shinan.lines.order_by("position")]
        for m, (joined, left) in zip(made, changes, strict=False):
            m.joined_on, m.left_on, m.end_reason = joined, left, "exit" if left else ""
            m.save()
        ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["city"])
        _check_stored()
        assert [(x.key, x.amount) for x in shinan.lines.order_by("position")] == locked
        assert [(x.key, x.amount) for x in ledger_recompute_as_locked(shinan)] == locked
        now = defaultdict(Decimal)
        for line in inputs.year_lines(inputs.year_facts(2025, group_ids={world.group.pk})):
            if line.ledger_authority_id == world.shinan.pk:
                now[line.key] += line.amount
        booked = defaultdict(Decimal)
        for line in LedgerLine.objects.filter(
            ledger__group=world.group, ledger__authority=world.shinan, ledger__fiscal_year=2025
        ):
            booked[line.key] += line.amount
        assert {k: v for k, v in booked.items() if v} == {k: v for k, v in now.items() if v}
        transaction.set_rollback(True)
