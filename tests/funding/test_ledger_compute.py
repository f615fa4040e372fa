"""Worked examples through the database: `ledgers_compute` stores what the rules give, one
ledger per (group, paying authority, year), with lines explained and totals equal to the sums
(policy F-1, F-2, F-4; issue 9 "Ledgers" and "Worked examples").

The world (tests/conftest.py): 测试核心教育集团, core school under 市南, one public 市北 member
(joined 2020-09-01); 崂山其他教育集团 elsewhere. Each test adds what its example needs."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.agreements.models import Receivable
from funding.ledgers.models import Ledger, LedgerLine
from funding.ledgers.services import (
    ledger_confirm,
    ledger_lock,
    ledger_recompute_as_locked,
    ledgers_compute,
)
from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory
from tests.funding.ledger_builders import (
    D,
    agreement,
    dispatch,
    finance_reviewer,
    history_rows,
    ledger,
    line_sum,
    lines_by_school,
    member_of,
    rate_table,
    snapshot,
)

pytestmark = pytest.mark.django_db


def compute(world, year=2025, actor="principal", **kwargs):
    return ledgers_compute(
        year=year, group_ids={world.group.pk}, actor=world.users.get(actor), **kwargs
    )


# --- F-1 -------------------------------------------------------------------------------------


def test_f1_part_year_members_in_the_authority_ledger(world):
    """F-1 worked example, 市南 rate 60,000.00 a year, months counted at the 15th:
    - joined 2025-03-20: Apr … Dec = 9 → 45,000.00
    - joined 2025-03-15: Mar … Dec = 10 → 50,000.00
    - joined 2025-03-16: Apr … Dec = 9 → 45,000.00
    - left_on 2025-06-15 (first day out): Jan … May = 5 → 25,000.00
    - left_on 2025-06-16: Jan … Jun = 6 → 30,000.00
    - the 市北 member: 0.00, another authority (F-2 applies)
    市南's ledger: 45,000 + 50,000 + 45,000 + 25,000 + 30,000 + 0 = 195,000.00."""
    rate_table(world.shinan, subsidy="60000")
    cases = {
        "三月二十日加入": dict(joined_on=D(2025, 3, 20)),
        "三月十五日加入": dict(joined_on=D(2025, 3, 15)),
        "三月十六日加入": dict(joined_on=D(2025, 3, 16)),
        "六月十五日离开": dict(joined_on=D(2020, 9, 1), left_on=D(2025, 6, 15)),
        "六月十六日离开": dict(joined_on=D(2020, 9, 1), left_on=D(2025, 6, 16)),
    }
    for name, dates in cases.items():
        member_of(world, name=name, **dates)
    compute(world)
    shinan = ledger(world.group, world.shinan)
    lines = {name: rows[0] for name, rows in lines_by_school(shinan).items()}
    assert {name: (lines[name].inputs["months"], lines[name].amount) for name in cases} == {
        "三月二十日加入": (9, Decimal("45000.00")),
        "三月十五日加入": (10, Decimal("50000.00")),
        "三月十六日加入": (9, Decimal("45000.00")),
        "六月十五日离开": (5, Decimal("25000.00")),
        "六月十六日离开": (6, Decimal("30000.00")),
    }
    other = lines["市北测试成员学校"]
    assert (other.amount, other.applicable, other.reason_code) == (
        Decimal("0.00"),
        False,
        "funding.f1.other_authority",
    )
    assert shinan.total == Decimal("195000.00") == line_sum(shinan)
    assert shinan.line_count == 6 and shinan.status == "draft" and shinan.sequence == 1
    line = lines["三月二十日加入"]
    assert line.rule == "F-1" and line.membership_id and line.payer_name == world.shinan.name
    assert line.payee_name == world.core.name
    assert line.formula == "60,000.00 元/年 × 9/12 个月 = 45,000.00 元"
    # F-1 lines all stay in 市南's ledger: 市北 has nothing to confirm here
    assert not Ledger.objects.filter(group=world.group, authority=world.shibei).exists()


def test_f1_private_member_line_of_zero_with_the_reason(world):
    """F-1: a private (民办) member under 市南: a line of 0.00, not applicable, whose formula
    says private schools get no subsidy; never silence. A public one beside it gets 60,000.00;
    the total is 60,000.00 + 0.00 + 0.00 (the 市北 member)."""
    rate_table(world.shinan)
    member_of(world, name="民办成员", nature="private", joined_on=D(2024, 1, 1))
    member_of(world, name="公办成员", joined_on=D(2024, 1, 1))
    compute(world)
    shinan = ledger(world.group, world.shinan)
    lines = lines_by_school(shinan)
    private = lines["民办成员"][0]
    assert (private.amount, private.applicable) == (Decimal("0.00"), False)
    assert private.reason_code == "funding.f1.private" and "民办学校" in private.formula
    assert private.inputs["nature"] == "private"
    assert lines["公办成员"][0].amount == Decimal("60000.00")
    assert shinan.total == Decimal("60000.00") == line_sum(shinan)


def test_f1_stage_rates_and_a_new_rate_version(world):
    """F-1: 市南's table v1 pays 60,000 by default and 80,000 for a junior school; a v2 of the
    same year raises the default to 66,000.00: the latest version is used and named in the
    inputs (junior still 80,000 only if v2 says so — v2 has no stage rate, so 66,000)."""
    rate_table(world.shinan, subsidy="60000", stages={"junior": "80000"})
    member_of(world, name="初中成员", stage="junior", joined_on=D(2024, 1, 1))
    member_of(world, name="小学成员", stage="primary", joined_on=D(2024, 1, 1))
    compute(world)
    lines = lines_by_school(ledger(world.group, world.shinan))
    assert lines["初中成员"][0].amount == Decimal("80000.00")
    assert lines["小学成员"][0].amount == Decimal("60000.00")
    assert lines["初中成员"][0].inputs["rate_version"] == 1
    v2 = rate_table(world.shinan, subsidy="66000")
    compute(world)
    lines = lines_by_school(ledger(world.group, world.shinan))
    assert [lines[n][0].amount for n in ("初中成员", "小学成员")] == [Decimal("66000.00")] * 2
    assert lines["小学成员"][0].inputs["rate_table"] == v2.pk
    assert lines["小学成员"][0].inputs["rate_version"] == 2


def test_f1_reference_date_proration_from_the_table(world):
    """F-1 with 市南's option "membership on 1 September": joined 1 Sep → 60,000.00; joined
    2 Sep → 0.00 (a line saying 不在册); left on 1 Sep (first day out) → 0.00."""
    rate_table(world.shinan, proration="reference_date", reference_date=D(2025, 9, 1))
    member_of(world, name="九月一日加入", joined_on=D(2025, 9, 1))
    member_of(world, name="九月二日加入", joined_on=D(2025, 9, 2))
    member_of(world, name="九月一日离开", joined_on=D(2021, 9, 1), left_on=D(2025, 9, 1))
    compute(world)
    lines = lines_by_school(ledger(world.group, world.shinan))
    assert lines["九月一日加入"][0].amount == Decimal("60000.00")
    assert lines["九月二日加入"][0].amount == Decimal("0.00")
    assert "不在册" in lines["九月二日加入"][0].formula
    assert lines["九月一日离开"][0].amount == Decimal("0.00")


# --- F-2 -------------------------------------------------------------------------------------


def test_f2_member_under_another_district_pays_its_fees_in_its_authority_ledger(world):
    """F-2, the world's 市北 member (joined 2020) has three agreements with the 市南 core:
    - yearly 12,000.00 from 2025-07-01 to 2027-06-30, paid by the school: Jul … Dec = 6 →
      6,000.00;
    - per term 5,000.00, 2025, paid by 市北's authority: spring (1 Mar) + autumn (1 Sep) =
      2 lines of 5,000.00;
    - one-off 30,000.00 starting 2025-04-01: 30,000.00 in 2025, nothing in 2026.
    All in 市北's ledger (whichever pays): 6,000 + 5,000 + 5,000 + 30,000 = 46,000.00; the F-1
    line of 0 for the member stays in 市南's ledger. Receivables: 6,000.00, 10,000.00,
    30,000.00. In 2026: yearly 12,000.00, per term none (ended), one-off none."""
    rate_table(world.shinan)
    m = world.membership
    yearly = agreement(m, fee="12000", starts_on=D(2025, 7, 1), ends_on=D(2027, 6, 30))
    per_term = agreement(
        m,
        fee="5000",
        period="per_term",
        starts_on=D(2025, 1, 1),
        ends_on=D(2025, 12, 31),
        payer="authority",
    )
    once = agreement(
        m, fee="30000", period="one_off", starts_on=D(2025, 4, 1), ends_on=D(2026, 3, 31)
    )
    compute(world)
    shibei = ledger(world.group, world.shibei)
    rows = [(x.agreement_id, x.slot, x.payer_kind, x.amount) for x in shibei.lines.all()]
    assert rows == [
        (yearly.pk, "", "school", Decimal("6000.00")),
        (per_term.pk, "autumn", "authority", Decimal("5000.00")),
        (per_term.pk, "spring", "authority", Decimal("5000.00")),
        (once.pk, "", "school", Decimal("30000.00")),
    ]
    assert shibei.lines.get(agreement=per_term, slot="spring").payer_name == world.shibei.name
    assert shibei.total == Decimal("46000.00") == line_sum(shibei)
    assert all(x.rule == "F-2" for x in shibei.lines.all())
    assert not ledger(world.group, world.shinan).lines.filter(rule="F-2").exists()
    owed = dict(Receivable.objects.filter(fiscal_year=2025).values_list("agreement_id", "amount"))
    assert owed == {
        yearly.pk: Decimal("6000.00"),
        per_term.pk: Decimal("10000.00"),
        once.pk: Decimal("30000.00"),
    }
    assert Receivable.objects.get(agreement=yearly, fiscal_year=2025).due_on == D(2025, 12, 31)
    compute(world, year=2026)
    shibei_2026 = ledger(world.group, world.shibei, year=2026)
    assert [(x.agreement_id, x.amount) for x in shibei_2026.lines.all()] == [
        (yearly.pk, Decimal("12000.00"))
    ]


def test_f2_receivable_follows_the_agreement_out_of_the_year(world):
    """F-2: a yearly 12,000.00 agreement computed for 2025 (receivable 12,000.00); its start is
    then corrected to 2026-01-01 before anyone confirmed: the 2025 draft loses the line and the
    2025 receivable is no longer owed (0.00), not left at 12,000.00."""
    m = world.membership
    deal = agreement(m, fee="12000", starts_on=D(2025, 1, 1), ends_on=D(2026, 12, 31))
    compute(world)
    assert Receivable.objects.get(agreement=deal, fiscal_year=2025).amount == Decimal("12000.00")
    deal.starts_on = D(2026, 1, 1)
    deal.save()
    compute(world)
    assert not LedgerLine.objects.filter(agreement=deal, ledger__fiscal_year=2025).exists()
    assert Receivable.objects.get(agreement=deal, fiscal_year=2025).amount == Decimal("0.00")


# --- F-4 -------------------------------------------------------------------------------------


def test_f4_dispatch_across_a_year_end_at_the_member_authority_rates(world):
    """F-4: a key teacher from the 市南 core serves in the 市北 member from 2025-11-01 to
    2026-02-28. 市北's rates (the member's authority, not the core's): 2025 transport 300 +
    lodging 500 = 800 a month; 2026: 350 + 550 = 900. 2025: Nov, Dec = 2 × 800 = 1,600.00;
    2026: Jan, Feb = 2 × 900 = 1,800.00. Paid by the member school, in 市北's ledger of each
    year. 市南's rates (transport 9,999) are not used."""
    rate_table(world.shinan, transport_per_month=Decimal("9999"))
    rate_table(
        world.shibei,
        year=2025,
        transport_per_month=Decimal("300"),
        lodging_per_month=Decimal("500"),
    )
    rate_table(
        world.shibei,
        year=2026,
        transport_per_month=Decimal("350"),
        lodging_per_month=Decimal("550"),
    )
    sent = dispatch(world.membership, starts_on=D(2025, 11, 1), ends_on=D(2026, 2, 28))
    compute(world, year=2025)
    compute(world, year=2026)
    l2025 = ledger(world.group, world.shibei, 2025).lines.get(dispatch=sent)
    l2026 = ledger(world.group, world.shibei, 2026).lines.get(dispatch=sent)
    assert (l2025.inputs["months"], l2025.amount) == (2, Decimal("1600.00"))
    assert (l2026.inputs["months"], l2026.amount) == (2, Decimal("1800.00"))
    assert (l2025.period_start, l2025.period_end) == (D(2025, 11, 1), D(2025, 12, 31))
    assert (l2026.period_start, l2026.period_end) == (D(2026, 1, 1), D(2026, 2, 28))
    assert l2025.payer_kind == "school" and l2025.payer_id == world.member_school.pk
    assert l2025.payee_kind == "person" and l2025.payee_name == "王老师"


# --- money: the half fen ---------------------------------------------------------------------


def test_half_fen_lines_round_half_up_and_the_total_is_their_sum(world):
    """Money: 市南's rate 1,200.06; three members joined 2025-08-01 (Aug … Dec = 5 months):
    1,200.06 × 5 / 12 = 500.025 → 500.03 each (half-up; banker's would give 500.02). One
    joined 2025-07-01 at 1,200.06 × 6 / 12 = 600.03 exactly. The total is 3 × 500.03 +
    600.03 = 2,100.12 — the sum of the stored lines, not fen(3 × 500.025 + 600.03) =
    2,100.11."""
    rate_table(world.shinan, subsidy="1200.06")
    for i in range(3):
        member_of(world, name=f"八月加入{i}", joined_on=D(2025, 8, 1))
    member_of(world, name="七月加入", joined_on=D(2025, 7, 1))
    compute(world)
    shinan = ledger(world.group, world.shinan)
    lines = lines_by_school(shinan)
    assert [lines[f"八月加入{i}"][0].amount for i in range(3)] == [Decimal("500.03")] * 3
    assert lines["七月加入"][0].amount == Decimal("600.03")
    assert shinan.total == Decimal("2100.12") == line_sum(shinan)
    shinan.refresh_from_db()
    assert shinan.total == Decimal("2100.12")  # as stored, not only as computed in memory


# --- idempotent ------------------------------------------------------------------------------


def _busy_year(world):
    rate_table(world.shinan, subsidy="1000.02")
    rate_table(world.shibei, transport_per_month=Decimal("300"), lodging_per_month=Decimal("500"))
    member_of(world, name="五个月", joined_on=D(2025, 8, 1))
    member_of(world, name="民办", nature="private", joined_on=D(2020, 1, 1))
    agreement(
        world.membership,
        fee="5000",
        period="per_term",
        starts_on=D(2025, 1, 1),
        ends_on=D(2026, 12, 31),
    )
    dispatch(world.membership, starts_on=D(2025, 11, 1), ends_on=D(2026, 2, 28))


def test_computing_twice_changes_nothing(world):
    """Idempotent (issue 9): a second computation of the same facts finds every ledger
    unchanged, rewrites no line, adds no audit row, and keeps the digests."""
    _busy_year(world)
    first = ledgers_compute(year=2025, actor=world.users["principal"])
    ledgers = {x.pk: (x.digest, x.version, snapshot(x)) for x in Ledger.objects.all()}
    rows = history_rows()
    again = ledgers_compute(year=2025, actor=world.users["city"])
    assert (again.created, again.rewritten, again.lines_written) == (0, 0, 0)
    assert again.unchanged == first.created == len(ledgers)
    assert {x.pk: (x.digest, x.version, snapshot(x)) for x in Ledger.objects.all()} == ledgers
    assert history_rows() == rows
    # the computer stays the first one: a no-op run does not make the city its computer
    assert set(Ledger.objects.values_list("computed_by", flat=True)) == {
        world.users["principal"].pk
    }


def test_a_changed_fact_rewrites_only_its_ledger(world):
    """Idempotent, and only what changed: the 市北 dispatch's end moves from 2026-02-28 to
    2025-11-30: 市北's 2025 draft is rewritten (Nov only: 800.00), 市南's is untouched."""
    _busy_year(world)
    compute(world)
    shinan = ledger(world.group, world.shinan)
    before = (shinan.version, snapshot(shinan))
    sent = world.membership.dispatches.get()
    sent.ends_on = D(2025, 11, 30)
    sent.save()
    old_lines = set(ledger(world.group, world.shibei).lines.values_list("pk", flat=True))
    result = compute(world)
    assert (result.rewritten, result.unchanged) == (1, 1)
    shinan.refresh_from_db()
    assert (shinan.version, snapshot(shinan)) == before
    shibei = ledger(world.group, world.shibei)
    assert shibei.lines.get(rule="F-4").amount == Decimal("800.00")
    assert shibei.total == line_sum(shibei) == Decimal("10800.00")  # 2 × 5,000 + 800
    # the replaced lines' removal is in the audit history, one deletion row each
    gone = LedgerLine.history.filter(history_type="-", ledger_id=shibei.pk)
    assert set(gone.values_list("id", flat=True)) == old_lines
    assert not LedgerLine.objects.filter(pk__in=old_lines).exists()


def test_recomputing_a_confirmed_ledger_with_other_figures_sends_it_back_to_draft(world):
    """A confirmed ledger whose facts changed goes back to draft on the next computation and
    must be confirmed again (issue 9: draft → confirmed → locked)."""
    rate_table(world.shinan)
    joined = member_of(world, name="三月加入", joined_on=D(2025, 3, 20))
    compute(world)
    shinan = ledger(world.group, world.shinan)
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    joined.joined_on = D(2025, 1, 1)
    joined.save()
    compute(world)
    shinan.refresh_from_db()
    assert shinan.status == "draft" and shinan.confirmed_by is None
    assert shinan.total == Decimal("60000.00")
    assert shinan.history.first().history_change_reason  # "数据变化，重新计算", kept as a code


# --- a locked year changed afterwards --------------------------------------------------------


def _locked_year(world):
    """市南 pays 60,000 a year; a member joined 2025-03-20 → 45,000.00; locked."""
    rate_table(world.shinan)
    joined = member_of(world, name="三月加入", joined_on=D(2025, 3, 20))
    compute(world)
    shinan = ledger(world.group, world.shinan)
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)
    shinan.refresh_from_db()
    return shinan, joined


def test_a_locked_year_changed_afterwards_gets_an_adjustment_in_a_supplement(world):
    """Locked year: the member joined 2025-03-20 (9 months, 45,000.00) is corrected to
    2025-01-01 (12 months, 60,000.00) after the lock. The next computation leaves the locked
    ledger untouched and opens supplement no. 1 (sequence 2) with one adjustment line:
    60,000.00 − 45,000.00 = 15,000.00, referring to the locked line. Locked + adjustment =
    what the rules give now."""
    shinan, joined = _locked_year(world)
    locked_before = (shinan.version, shinan.total, snapshot(shinan))
    locked_line = shinan.lines.get(membership=joined)
    joined.joined_on = D(2025, 1, 1)
    joined.save()
    result = compute(world, actor="city")
    assert result.supplements == 1
    shinan.refresh_from_db()
    assert (shinan.version, shinan.total, snapshot(shinan)) == locked_before
    supplement = ledger(world.group, world.shinan, sequence=2)
    assert supplement.status == "draft" and supplement.is_supplement
    adjustment = supplement.lines.get()
    assert adjustment.is_adjustment and adjustment.adjusts_id == locked_line.pk
    assert adjustment.amount == Decimal("15000.00") == supplement.total
    assert adjustment.inputs["locked"] == "45000.00"
    assert adjustment.inputs["recomputed"] == "60000.00"
    assert adjustment.inputs["locked_line"] == locked_line.pk
    assert "15,000.00" in adjustment.formula and "45,000.00" in adjustment.formula
    assert locked_line.amount + adjustment.amount == Decimal("60000.00")
    # computing again changes nothing more
    rows = history_rows()
    again = compute(world, actor="city")
    assert (again.created, again.rewritten) == (0, 0) and history_rows() == rows


def test_changing_back_after_a_lock_makes_the_draft_supplement_disappear(world):
    """Locked year, changed, supplement opened with +15,000.00; the change is undone (joined
    2025-03-20 again) before the supplement is confirmed: the rules give the locked figures
    again, so the next computation removes the supplement (deleted, its history saying so);
    the locked ledger is untouched throughout."""
    shinan, joined = _locked_year(world)
    locked_before = snapshot(shinan)
    joined.joined_on = D(2025, 1, 1)
    joined.save()
    compute(world, actor="city")
    supplement = ledger(world.group, world.shinan, sequence=2)
    joined.joined_on = D(2025, 3, 20)
    joined.save()
    compute(world, actor="city")
    assert not Ledger.objects.filter(pk=supplement.pk).exists()
    assert Ledger.history.filter(id=supplement.pk, history_type="-").exists()
    assert list(Ledger.objects.filter(group=world.group, authority=world.shinan)) == [shinan]
    assert snapshot(shinan) == locked_before


def test_changing_back_after_a_locked_supplement_reverses_it(world):
    """Locked year + locked supplement (+15,000.00, joined corrected to 2025-01-01); then the
    correction is undone (2025-03-20 again): locked so far 45,000 + 15,000 = 60,000.00, the
    rules give 45,000.00 → a second supplement (sequence 3) with −15,000.00 referring to the
    latest locked line (the first supplement's adjustment). Only adjustments are negative."""
    shinan, joined = _locked_year(world)
    joined.joined_on = D(2025, 1, 1)
    joined.save()
    compute(world, actor="city")
    first = ledger(world.group, world.shinan, sequence=2)
    ledger_confirm(ledger=first, actor=world.users["district"], expected_version=first.version)
    first.refresh_from_db()
    ledger_lock(ledger=first, actor=world.users["finance"], expected_version=first.version)
    first.refresh_from_db()
    locked_adjustment = [(x.key, x.amount, x.adjusts_id) for x in first.lines.all()]
    joined.joined_on = D(2025, 3, 20)
    joined.save()
    compute(world, actor="city")
    second = ledger(world.group, world.shinan, sequence=3)
    reverse = second.lines.get()
    assert reverse.amount == Decimal("-15000.00") and reverse.is_adjustment
    assert reverse.adjusts_id == first.lines.get().pk
    year = LedgerLine.objects.filter(
        ledger__group=world.group, ledger__fiscal_year=2025, membership=joined
    )
    assert sum(x.amount for x in year) == Decimal("45000.00")
    assert not LedgerLine.objects.filter(amount__lt=0, is_adjustment=False).exists()
    # the locked supplement replays as the adjustments it holds, whatever changed since
    replay = ledger_recompute_as_locked(first)
    assert [(x.key, x.amount, x.adjusts_line_id) for x in replay] == locked_adjustment
    assert [(x.key, x.amount) for x in ledger_recompute_as_locked(shinan)] == [
        (x.key, x.amount) for x in shinan.lines.order_by("position")
    ]


def test_a_member_turning_private_after_the_lock_is_reversed_by_an_adjustment(world):
    """Locked year: 45,000.00 for a public member; the school is then recorded as private: the
    rules now give a line of 0 (not applicable); the supplement books 0.00 − 45,000.00 =
    −45,000.00 against the locked line."""
    shinan, joined = _locked_year(world)
    school = joined.school
    school.nature = "private"
    school.save()
    compute(world, actor="city")
    adjustment = ledger(world.group, world.shinan, sequence=2).lines.get()
    assert adjustment.amount == Decimal("-45000.00")
    assert adjustment.adjusts_id == shinan.lines.get(membership=joined).pk


# --- the number of queries -------------------------------------------------------------------


def _groups(world, count: int) -> set[int]:
    """`count` groups with two 市南 members and a 市北 member with a yearly agreement and a
    dispatch each."""
    ids = set()
    for _ in range(count):
        group = EducationGroupFactory(core_school=SchoolFactory(authority=world.shinan))
        for _ in range(2):
            MembershipFactory(group=group, school=SchoolFactory(authority=world.shinan))
        far = MembershipFactory(group=group, school=SchoolFactory(authority=world.shibei))
        agreement(far, starts_on=D(2025, 1, 1), ends_on=D(2026, 12, 31))
        dispatch(far, starts_on=D(2025, 3, 1))
        ids.add(group.pk)
    return ids


def test_computing_a_year_runs_the_same_queries_for_3_or_30_groups(world):
    """Performance sanity (issue 9): the first computation of a year reads the facts and writes
    the ledgers, lines and receivables in bulk: the same number of queries for 3 groups as for
    30 (on PostgreSQL; SQLite's bulk inserts are cut into batches); a second run (nothing
    changed) the same at both sizes, and fewer."""
    rate_table(world.shinan)
    rate_table(world.shibei, transport_per_month=Decimal("300"))
    small, large = _groups(world, 3), _groups(world, 30)
    counts = {}
    for name, ids in (("small", small), ("large", large)):
        for run in ("first", "again"):
            with CaptureQueriesContext(connection) as ctx:
                ledgers_compute(year=2025, group_ids=ids, actor=world.users["city"])
            counts[(name, run)] = len(ctx.captured_queries)
    if connection.vendor == "postgresql":  # SQLite splits bulk inserts at 999 parameters
        assert counts[("small", "first")] == counts[("large", "first")], counts
    assert counts[("small", "again")] == counts[("large", "again")], counts
    assert counts[("small", "again")] < counts[("small", "first")]
    assert Ledger.objects.filter(group_id__in=large).count() == 60


def test_rewriting_ledgers_costs_per_rewritten_ledger_only(world):
    """Performance sanity: when every member's facts change, each rewritten ledger costs a
    fixed number of queries (its lines replaced, its move through the workflow runner); the
    reading stays bulk. 3 vs 6 rewritten ledgers: the difference is 3 × the per-ledger cost."""
    rate_table(world.shinan)
    counts = []
    for size in (3, 6):
        ids = _groups(world, size)
        ledgers_compute(year=2025, group_ids=ids, actor=world.users["city"])
        from groups.registry.models import Membership

        Membership.objects.filter(group_id__in=ids, role="member").update(joined_on=D(2025, 5, 1))
        with CaptureQueriesContext(connection) as ctx:
            result = ledgers_compute(year=2025, group_ids=ids, actor=world.users["city"])
        assert result.rewritten == 2 * size
        counts.append(len(ctx.captured_queries))
    per_ledger = (counts[1] - counts[0]) / 6
    assert per_ledger == int(per_ledger) and per_ledger <= 12, counts
    assert counts[0] - 6 * per_ledger == counts[1] - 12 * per_ledger


def test_lines_are_never_negative_unless_adjustments(world):
    """Issue 9: no line has a negative amount unless it is an adjustment — also enforced by the
    database (check constraint)."""
    from django.db import IntegrityError, transaction

    _busy_year(world)
    compute(world)
    line = LedgerLine.objects.filter(is_adjustment=False).first()
    line.amount = Decimal("-0.01")
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_lock_records_now(world):
    """The lock's moment is the `now` passed (issue 6: time is an argument)."""
    rate_table(world.shinan)
    compute(world)
    shinan = ledger(world.group, world.shinan)
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    moment = timezone.now() + datetime.timedelta(minutes=5)
    shinan.refresh_from_db()
    locked = ledger_lock(
        ledger=shinan, actor=finance_reviewer(), expected_version=shinan.version, now=moment
    )
    assert locked.locked_at == moment
