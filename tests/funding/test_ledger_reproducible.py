"""Reproducibility (issue 9): "the ledger of any past year recomputed from the audit history as
it stood when the year was locked gives the locked figures exactly". After a year is locked,
memberships, a school's nature, the rate table (a new version), an agreement's fee and a
dispatch change; `ledger_recompute_as_locked` still gives the locked lines — keys, amounts,
inputs (rate version), formulas — while a computation from the live facts differs (policy F-1,
F-2, F-4)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from funding.ledgers import inputs
from funding.ledgers.services import (
    ledger_confirm,
    ledger_lock,
    ledger_recompute_as_locked,
    ledgers_compute,
)
from groups.registry.services import membership_end
from members.models import User
from tests.factories import UserFactory
from tests.funding.ledger_builders import (
    D,
    agreement,
    dispatch,
    ledger,
    member_of,
    rate_table,
)

pytestmark = pytest.mark.django_db


def stored(line) -> tuple:
    return (
        line.rule,
        line.subject_kind,
        line.subject_id,
        line.slot,
        line.member_school_id,
        line.payer_name,
        line.payee_name,
        line.period_start,
        line.period_end,
        line.inputs,
        line.formula,
        line.amount,
        line.applicable,
        line.reason_code,
    )


def drafted(line) -> tuple:
    return (
        line.rule,
        line.subject_kind,
        line.subject_id,
        line.slot,
        line.member_school_id,
        line.payer.name,
        line.payee.name,
        line.period_start,
        line.period_end,
        line.inputs,
        line.formula,
        line.amount,
        line.applicable,
        line.reason_code,
    )


def _shift_history_ids(*objects, times=3):
    """Save each object a few more times so that its audit rows' own ids (history_id) no longer
    equal the objects' ids: a replay that confused the two would read other rows."""
    for obj in objects:
        for _ in range(times):
            obj.save()


def _lock(world, target, staff):
    ledger_confirm(ledger=target, actor=staff, expected_version=target.version)
    target.refresh_from_db()
    ledger_lock(ledger=target, actor=world.users["finance"], expected_version=target.version)
    target.refresh_from_db()
    return target


def test_a_locked_year_replays_exactly_after_many_changes(world):
    """Locked 2025 (市南 v1 60,000 a year; 市北 transport 300 + lodging 500):
    - 市南 ledger: A joined 2025-03-20 → 9 × 5,000 = 45,000.00; B since 2024 → 60,000.00;
      C since 2024 → 60,000.00; the 市北 member 0.00 (F-2 applies);
    - 市北 ledger: yearly fee 12,000.00 (all 2025) and a dispatch from 2025-05-01, still serving
      → 8 × 800 = 6,400.00.
    Then, after the lock: A's join is corrected to 2025-01-01; B leaves on 2025-07-01 (through
    the registry's `membership_end`); C becomes private; 市南 adds rate version 2 (70,000); the
    fee is edited to 15,000; the dispatch ends 2025-06-30. The replay as of each lock gives the
    locked lines exactly; a live computation gives other figures (A 70,000; B 35,000; C 0;
    fee 15,000; dispatch 2 × 800)."""
    rate_table(world.shinan, subsidy="60000")
    rate_table(world.shibei, transport_per_month=Decimal("300"), lodging_per_month=Decimal("500"))
    a = member_of(world, name="成员A", joined_on=D(2025, 3, 20))
    b = member_of(world, name="成员B", joined_on=D(2024, 1, 1))
    c = member_of(world, name="成员C", joined_on=D(2024, 1, 1))
    _shift_history_ids(world.core, a.school, c.school, world.member_school, world.group)
    deal = agreement(
        world.membership, fee="12000", starts_on=D(2025, 1, 1), ends_on=D(2026, 12, 31)
    )
    sent = dispatch(world.membership, starts_on=D(2025, 5, 1))
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
    shibei_staff = UserFactory(
        username="t-shibei", role=User.Role.DISTRICT_STAFF, authority=world.shibei
    )
    shinan = _lock(world, ledger(world.group, world.shinan), world.users["district"])
    shibei = _lock(world, ledger(world.group, world.shibei), shibei_staff)
    locked = {
        x.pk: [stored(line) for line in x.lines.order_by("position")] for x in (shinan, shibei)
    }
    assert sorted(row[-3] for row in locked[shinan.pk]) == [
        Decimal("0.00"),
        Decimal("45000.00"),
        Decimal("60000.00"),
        Decimal("60000.00"),
    ]
    assert sorted(row[-3] for row in locked[shibei.pk]) == [Decimal("6400.00"), Decimal("12000.00")]

    # --- the changes after the lock ---
    a.joined_on = D(2025, 1, 1)
    a.save()
    membership_end(
        membership=b,
        left_on=D(2025, 7, 1),
        end_reason="exit",
        actor=world.users["district"],
        today=D(2025, 12, 1),
        now=timezone.now(),
    )
    c.school.nature = "private"
    c.school.save()
    rate_table(world.shinan, subsidy="70000")  # version 2
    deal.fee = Decimal("15000")
    deal.save()
    sent.ends_on = D(2025, 6, 30)
    sent.save()

    for target in (shinan, shibei):
        replay = ledger_recompute_as_locked(target)
        assert [drafted(x) for x in replay] == locked[target.pk]
    shinan_rate = {row[9].get("rate_version") for row in locked[shinan.pk] if row[0] == "F-1"}
    assert shinan_rate == {1, None}  # the locked lines name version 1 (None: the 0 line)

    live = inputs.year_lines(inputs.year_facts(2025, group_ids={world.group.pk}))
    amounts = {(x.subject_kind, x.subject_id): x.amount for x in live}
    assert amounts[("membership", a.pk)] == Decimal("70000.00")
    assert amounts[("membership", b.pk)] == Decimal("35000.00")  # Jan … Jun at 70,000
    assert amounts[("membership", c.pk)] == Decimal("0.00")
    assert amounts[("agreement", deal.pk)] == Decimal("15000.00")
    assert amounts[("dispatch", sent.pk)] == Decimal("1600.00")

    # and the next computation books the differences without touching the locked ledgers
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["city"])
    for target in (shinan, shibei):
        assert [stored(x) for x in target.lines.order_by("position")] == locked[target.pk]
    supplement = ledger(world.group, world.shinan, sequence=2)
    adjustments = {x.membership_id: x.amount for x in supplement.lines.all()}
    assert adjustments == {
        a.pk: Decimal("25000.00"),  # 70,000 − 45,000
        b.pk: Decimal("-25000.00"),  # 35,000 − 60,000
        c.pk: Decimal("-60000.00"),  # 0 − 60,000
    }
    # the replay of a locked ledger still gives its figures after the supplement exists
    assert [drafted(x) for x in ledger_recompute_as_locked(shinan)] == locked[shinan.pk]

    # the supplement is locked in turn; another change later; both replay as locked
    supplement = _lock(world, supplement, world.users["district"])
    held = [stored(x) for x in supplement.lines.order_by("position")]
    a.joined_on = D(2025, 3, 20)
    a.save()
    assert [drafted(x) for x in ledger_recompute_as_locked(supplement)] == held
    assert [drafted(x) for x in ledger_recompute_as_locked(shinan)] == locked[shinan.pk]


def test_a_fact_changed_between_computing_and_locking_cannot_be_locked_unseen(world):
    """Reproducibility needs the locked lines to be what the facts gave when locked: a member's
    join corrected after the ledger was computed and confirmed, but before the lock, makes the
    lock refuse (compute again first) — otherwise the replay as of the lock (12 months) would
    differ from the locked figures (9 months)."""
    from qingdao_groups.core.rules import RuleRefusal

    rate_table(world.shinan)
    a = member_of(world, name="成员A", joined_on=D(2025, 3, 20))
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
    shinan = ledger(world.group, world.shinan)
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    a.joined_on = D(2025, 1, 1)
    a.save()
    with pytest.raises(RuleRefusal):
        ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)
    shinan.refresh_from_db()
    assert shinan.status == "confirmed"
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
    shinan.refresh_from_db()
    assert shinan.status == "draft" and shinan.total == Decimal("60000.00")
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)
    shinan.refresh_from_db()
    replay = ledger_recompute_as_locked(shinan)
    assert [x.amount for x in replay] == [x.amount for x in shinan.lines.order_by("position")]


def test_two_audit_rows_stamped_with_one_moment_replay_as_the_later(world):
    """F-1 replay when a membership was added and ended by services run with the same `now`
    (both audit rows carry one moment, so both are "latest" as of the lock): the replay reads
    the later row only — one line, Jan … May = 5 months × 5,000 = 25,000.00 — not a second line
    for the membership as it stood before its end."""
    from groups.registry.services import membership_add
    from tests.factories import SchoolFactory

    rate_table(world.shinan)
    moment = timezone.now()
    school = SchoolFactory(name="同一时刻成员", authority=world.shinan)
    m = membership_add(
        group=world.group,
        school=school,
        relation_type="T-2",
        relation_subtype="T-2a",
        joined_on=D(2024, 1, 1),
        actor=world.users["district"],
        now=moment,
    )
    membership_end(
        membership=m,
        left_on=D(2025, 6, 15),
        end_reason="exit",
        actor=world.users["district"],
        today=D(2025, 12, 1),
        now=moment,
    )
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
    shinan = _lock(world, ledger(world.group, world.shinan), world.users["district"])
    assert shinan.lines.get(membership=m).amount == Decimal("25000.00")
    replay = ledger_recompute_as_locked(shinan)
    assert [drafted(x) for x in replay] == [stored(x) for x in shinan.lines.order_by("position")]
