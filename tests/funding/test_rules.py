"""Worked examples of the money rules, computed by hand from the policy (issue 9 "Worked
examples"): each test's docstring gives the clause and the arithmetic, and the test checks that
`funding.rules` gives exactly that. No database: the rules are pure functions of the facts.

Conventions the examples rely on (groups/registry/membership.py): a membership covers
`joined_on` up to, not including, `left_on` (the first day it no longer holds); under the
"months" proration a month counts when the membership covers its 15th day. The fiscal year is
the calendar year."""

from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from funding import rules
from tests.funding.rule_facts import SHIBEI, SHINAN, D, agreement, dispatch, member, rates

Y = 2025


def one(lines):
    assert len(lines) == 1, lines
    return lines[0]


# --- F-1 per-member subsidy: part years -------------------------------------------------------


def test_f1_full_year_pays_the_rate():
    """F-1: a public 市南 member of the 市南 core's group all year: 60,000.00 × 12/12 =
    60,000.00, paid by 市南's authority to the core school, in 市南's ledger."""
    line = one(rules.subsidy_lines(Y, member(), rates()))
    assert line.amount == Decimal("60000.00")
    assert line.inputs["months"] == 12
    assert (line.payer.kind, line.payer.id) == ("authority", SHINAN)
    assert (line.payee.kind, line.payee.id) == ("school", 100)
    assert line.ledger_authority_id == SHINAN
    assert (line.period_start, line.period_end) == (D(Y, 1, 1), D(Y, 12, 31))
    assert line.formula == "60,000.00 元/年 × 12/12 个月 = 60,000.00 元"


def test_f1_joined_20_march_counts_nine_months():
    """F-1: joined 2025-03-20. March's 15th is before the join: not counted. 15 April … 15
    December are covered: 9 months. 60,000.00 × 9/12 = 45,000.00. The period runs from the
    join day to 31 December."""
    line = one(rules.subsidy_lines(Y, member(joined_on=D(Y, 3, 20)), rates()))
    assert line.inputs["months"] == 9
    assert line.amount == Decimal("45000.00")
    assert (line.period_start, line.period_end) == (D(Y, 3, 20), D(Y, 12, 31))
    assert line.inputs["joined_on"] == "2025-03-20"
    assert line.inputs["rate_version"] == 1


@pytest.mark.parametrize(
    ("joined", "months", "amount"),
    [
        # joined ON the 15th: the 15th is covered (joined_on is a member day) → March counts.
        (D(Y, 3, 15), 10, "50000.00"),  # 60,000 × 10/12
        # joined on the 16th: March's 15th is not covered → from April.
        (D(Y, 3, 16), 9, "45000.00"),  # 60,000 × 9/12
    ],
)
def test_f1_joined_on_the_15th_vs_the_16th(joined, months, amount):
    """F-1, the month rule: a month counts when the membership covers its 15th day. Joined on
    15 March: Mar … Dec = 10 months, 60,000 × 10/12 = 50,000.00. Joined on 16 March: Apr … Dec
    = 9 months, 60,000 × 9/12 = 45,000.00."""
    line = one(rules.subsidy_lines(Y, member(joined_on=joined), rates()))
    assert line.inputs["months"] == months
    assert line.amount == Decimal(amount)


@pytest.mark.parametrize(
    ("left", "months", "amount", "last_day"),
    [
        # left_on 15 June: 15 June is the first day NOT a member → June does not count.
        (D(Y, 6, 15), 5, "25000.00", D(Y, 6, 14)),  # Jan … May: 60,000 × 5/12
        # left_on 16 June: 15 June still a member day → June counts.
        (D(Y, 6, 16), 6, "30000.00", D(Y, 6, 15)),  # Jan … Jun: 60,000 × 6/12
    ],
)
def test_f1_left_on_the_15th_vs_the_16th(left, months, amount, last_day):
    """F-1: `left_on` is the first day no longer a member. Left on 15 June: the 15th is not
    covered, Jan … May = 5 months, 60,000 × 5/12 = 25,000.00, last member day 14 June. Left on
    16 June: the 15th is covered, Jan … Jun = 6 months, 60,000 × 6/12 = 30,000.00, last member
    day 15 June."""
    line = one(rules.subsidy_lines(Y, member(left_on=left), rates()))
    assert line.inputs["months"] == months
    assert line.amount == Decimal(amount)
    assert (line.period_start, line.period_end) == (D(Y, 1, 1), last_day)


def test_f1_joined_and_left_within_the_year():
    """F-1: joined 16 March, left 16 June: Apr, May, Jun = 3 months; 60,000 × 3/12 =
    15,000.00."""
    line = one(rules.subsidy_lines(Y, member(joined_on=D(Y, 3, 16), left_on=D(Y, 6, 16)), rates()))
    assert (line.inputs["months"], line.amount) == (3, Decimal("15000.00"))


def test_f1_a_december_joiner_after_the_15th_gets_a_line_of_zero():
    """F-1: joined 20 December: a member for 12 days, but December's 15th is not covered:
    60,000 × 0/12 = 0.00 — a line of 0 with the arithmetic, not silence."""
    line = one(rules.subsidy_lines(Y, member(joined_on=D(Y, 12, 20)), rates()))
    assert (line.inputs["months"], line.amount, line.applicable) == (0, Decimal("0.00"), True)
    assert "0/12" in line.formula


def test_f1_no_line_for_a_year_the_member_does_not_touch():
    """F-1: left on 1 January 2025 (last member day 31 December 2024): no day of 2025 is
    covered, no line at all; joined 1 January 2026: none either."""
    assert rules.subsidy_lines(Y, member(left_on=D(Y, 1, 1)), rates()) == []
    assert rules.subsidy_lines(Y, member(joined_on=D(Y + 1, 1, 1)), rates()) == []


# --- F-1: who gets nothing, and says why ---------------------------------------------------------


def test_f1_private_member_gets_a_zero_line_with_the_reason():
    """F-1 pays public member schools only: a private (民办) member under the same authority gets
    a line of 0.00, not applicable, whose formula says why — never silence."""
    line = one(rules.subsidy_lines(Y, member(nature="private"), rates()))
    assert line.amount == Decimal("0.00")
    assert not line.applicable
    assert line.reason_code == "funding.f1.private"
    assert "民办" in line.formula and "F-1" in line.formula
    assert line.ledger_authority_id == SHINAN  # the paying authority sees it


def test_f1_member_under_another_authority_gets_a_zero_line_pointing_to_f2():
    """F-1 / F-2: a public member under 市北 in a group whose core is under 市南 is "under a
    different unit": no subsidy (0.00, not applicable), the line names 市北 and F-2."""
    line = one(rules.subsidy_lines(Y, member(authority=SHIBEI), rates()))
    assert (line.amount, line.applicable) == (Decimal("0.00"), False)
    assert line.reason_code == "funding.f1.other_authority"
    assert "市北" in line.formula and "F-2" in line.formula


def test_f1_without_a_rate_table_says_so():
    """F-1: rates are data; when the core's authority has no table for the year the line says
    it cannot be computed (0.00, not applicable)."""
    line = one(rules.subsidy_lines(Y, member(), None))
    assert (line.amount, line.applicable, line.reason_code) == (
        Decimal("0.00"),
        False,
        "funding.no_rates",
    )


# --- F-1: stage rates and the reference date ------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "amount"),
    [
        ("junior", "80000.00"),  # the junior stage's own rate, 80,000 × 12/12
        ("senior", "90000.00"),  # the senior stage's own rate, 90,000 × 12/12
        ("primary", "60000.00"),  # no stage rate: the table's default, 60,000 × 12/12
    ],
)
def test_f1_stage_specific_rate(stage, amount):
    """F-1: a rate may differ by the member's stage (issue 9): junior 80,000, senior 90,000,
    others the default 60,000; the line names the rate it used."""
    table = rates(by_stage={"junior": "80000", "senior": "90000"})
    line = one(rules.subsidy_lines(Y, member(stage=stage), table))
    assert line.amount == Decimal(amount)
    assert line.inputs["rate"] == str(Decimal(amount[:-3]))


def test_f1_stage_rate_is_prorated_too():
    """F-1: junior rate 80,000, joined 20 March → 9 months: 80,000 × 9/12 = 60,000.00."""
    table = rates(by_stage={"junior": "80000"})
    line = one(rules.subsidy_lines(Y, member(stage="junior", joined_on=D(Y, 3, 20)), table))
    assert line.amount == Decimal("60000.00")


@pytest.mark.parametrize(
    ("joined", "left", "amount"),
    [
        (D(Y, 9, 1), None, "60000.00"),  # joined on the reference date: in
        (D(Y, 9, 2), None, "0.00"),  # joined the day after: out
        (D(2020, 9, 1), D(Y, 9, 1), "0.00"),  # left_on the reference date: no longer a member
        (D(2020, 9, 1), D(Y, 9, 2), "60000.00"),  # left the day after: still in on the day
    ],
)
def test_f1_reference_date_proration(joined, left, amount):
    """F-1 with the rate table's option "membership on a reference date" (1 September): the
    whole rate when a member that day, 0 otherwise. 60,000.00 × 1 or × 0; a member for part of
    the year but not on the day still gets a line of 0 that says 不在册."""
    table = rates(proration=rules.PRORATE_REFERENCE_DATE, reference_date=D(Y, 9, 1))
    line = one(rules.subsidy_lines(Y, member(joined_on=joined, left_on=left), table))
    assert line.amount == Decimal(amount)
    assert line.inputs["reference_date"] == "2025-09-01"
    assert ("不在册" in line.formula) == (amount == "0.00")


def test_f1_reference_date_typed_with_another_year_is_the_day_of_this_year():
    """F-1 reference date: 2025's table says 1 September 2024 (a typing slip): the day used is
    1 September 2025, so a member since 1 March 2025 is in (60,000.00), not judged on a day
    before it joined."""
    table = rates(proration=rules.PRORATE_REFERENCE_DATE, reference_date=D(2024, 9, 1))
    line = one(rules.subsidy_lines(Y, member(joined_on=D(Y, 3, 1)), table))
    assert (line.inputs["reference_date"], line.amount) == ("2025-09-01", Decimal("60000.00"))


# --- money: the half fen ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "months", "exact", "half_up"),
    [
        # 1,000.02 × 5 = 5,000.10; / 12 = 416.675 exactly → 416.68
        ("1000.02", 5, "416.675", "416.68"),
        # 1,200.06 × 5 = 6,000.30; / 12 = 500.025 exactly → half-up 500.03 (banker's: 500.02)
        ("1200.06", 5, "500.025", "500.03"),
        # 1,000.01 × 6 = 6,000.06; / 12 = 500.005 exactly → half-up 500.01 (banker's: 500.00)
        ("1000.01", 6, "500.005", "500.01"),
        # 0.06 × 5 = 0.30; / 12 = 0.025 → 0.03 (banker's: 0.02)
        ("0.06", 5, "0.025", "0.03"),
        # 100.00 × 1 / 12 = 8.3333… → 8.33 (not a half: rounds down)
        ("100.00", 1, "8.333333333333333333333333333", "8.33"),
    ],
)
def test_amounts_that_land_on_half_a_fen_round_half_up(rate, months, exact, half_up):
    """Money (issue 9): amounts are rounded half-up (四舍五入), never half-even. The rates are
    chosen so that rate × months / 12 lands exactly on half a fen: the stored amount is the one
    above, where banker's rounding would go the other way for 1,200.06 × 5/12, 1,000.01 × 6/12
    and 0.06 × 5/12 (policy F-1)."""
    joined = {12: D(2020, 1, 1), 6: D(Y, 7, 1), 5: D(Y, 8, 1), 1: D(Y, 12, 1)}[months]
    line = one(rules.subsidy_lines(Y, member(joined_on=joined), rates(subsidy=rate)))
    assert line.inputs["months"] == months
    assert Decimal(rate) * months / 12 == Decimal(exact)
    assert line.amount == Decimal(half_up)
    assert line.amount.as_tuple().exponent == -2


def test_fen_is_half_up_unlike_bankers_rounding():
    """Money: `fen` rounds 0.005 up to 0.01 and 2.675 to 2.68 where banker's rounding gives
    0.00 and 2.68; -0.005 goes to -0.01 (away from zero, as an adjustment of a half fen would)."""
    assert rules.fen(Decimal("0.005")) == Decimal("0.01")
    assert Decimal("0.005").quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Decimal("0.00")
    assert rules.fen(Decimal("2.665")) == Decimal("2.67")
    assert rules.fen(Decimal("-0.005")) == Decimal("-0.01")
    assert rules.money_text(Decimal("1234567.005")) == "1,234,567.01"


def test_total_is_the_sum_of_the_rounded_lines_to_the_fen():
    """Money: three members each at 1,200.06 × 5/12 = 500.025 → 500.03 per line. The ledger's
    total is 3 × 500.03 = 1,500.09 — the sum of the lines — not 3 × 500.025 = 1,500.075 rounded
    (1,500.08)."""
    table = rates(subsidy="1200.06")
    lines = [
        one(rules.subsidy_lines(Y, member(joined_on=D(Y, 8, 1), membership_id=i), table))
        for i in (1, 2, 3)
    ]
    assert [x.amount for x in lines] == [Decimal("500.03")] * 3
    assert rules.total(x.amount for x in lines) == Decimal("1500.09")
    assert rules.fen(sum(Decimal("1200.06") * 5 / 12 for _ in range(3))) == Decimal("1500.08")


# --- F-2 who benefits pays -----------------------------------------------------------------


def test_f2_yearly_fee_prorated_by_the_agreement_term():
    """F-2: a 市北 member's agreement, 12,000.00 a year, 1 July 2025 … 30 June 2027. 2025: Jul …
    Dec = 6 months, 12,000 × 6/12 = 6,000.00; 2026: 12,000.00; 2027: Jan … Jun = 6,000.00;
    2028: nothing. Paid by the member school to the core school, in 市北's ledger."""
    a = agreement(starts_on=D(2025, 7, 1), ends_on=D(2027, 6, 30))
    amounts = {y: [x.amount for x in rules.agreement_lines(y, a)] for y in (2025, 2026, 2027, 2028)}
    assert amounts == {
        2025: [Decimal("6000.00")],
        2026: [Decimal("12000.00")],
        2027: [Decimal("6000.00")],
        2028: [],
    }
    line = one(rules.agreement_lines(2025, a))
    assert (line.rule, line.ledger_authority_id) == ("F-2", SHIBEI)
    assert (line.payer.kind, line.payer.id) == ("school", 101)
    assert (line.payee.kind, line.payee.id) == ("school", 100)
    assert (line.period_start, line.period_end) == (D(2025, 7, 1), D(2025, 12, 31))
    assert line.formula == "12,000.00 元/年 × 6/12 个月 = 6,000.00 元"


def test_f2_yearly_fee_stops_with_the_membership():
    """F-2: the agreement runs to 2027 but the member leaves on 16 June 2025 (15 June still a
    member day): Jan … Jun = 6 months, 12,000 × 6/12 = 6,000.00; nothing in 2026."""
    a = agreement(of=member(authority=SHIBEI, left_on=D(2025, 6, 16)))
    assert one(rules.agreement_lines(2025, a)).amount == Decimal("6000.00")
    assert rules.agreement_lines(2026, a) == []


@pytest.mark.parametrize(
    ("payer", "payer_party"),
    [(rules.PAYER_SCHOOL, ("school", 101)), (rules.PAYER_AUTHORITY, ("authority", SHIBEI))],
)
def test_f2_payer_school_or_authority_goes_to_the_member_authority_ledger(payer, payer_party):
    """F-2: whether the member school or its authority (市北) pays, the line is in the ledger of
    the member's authority (市北 confirms what it and its schools pay); the payer differs."""
    line = one(rules.agreement_lines(Y, agreement(payer=payer)))
    assert line.ledger_authority_id == SHIBEI
    assert (line.payer.kind, line.payer.id) == payer_party


def test_f2_per_term_two_terms():
    """F-2 per term: 5,000.00 per term, agreement for calendar 2025, terms starting 1 March and
    1 September (the defaults): two lines, spring 1 Mar … 31 Aug and autumn 1 Sep … 31 Dec,
    5,000.00 each = 10,000.00."""
    a = agreement(fee="5000", period=rules.PER_TERM, ends_on=D(2025, 12, 31))
    lines = rules.agreement_lines(Y, a)
    assert [(x.slot, x.period_start, x.period_end, x.amount) for x in lines] == [
        ("spring", D(Y, 3, 1), D(Y, 8, 31), Decimal("5000.00")),
        ("autumn", D(Y, 9, 1), D(Y, 12, 31), Decimal("5000.00")),
    ]
    assert rules.total(x.amount for x in lines) == Decimal("10000.00")
    assert len({x.key for x in lines}) == 2  # each term its own line key


def test_f2_per_term_follows_the_member_authority_term_dates():
    """F-2 per term with 市北's rate table naming 17 February and 1 September: an agreement from
    20 February 2025 misses the spring term's first day (17 Feb) → only autumn: 5,000.00. With
    the default 1 March it would have had both."""
    a = agreement(fee="5000", period=rules.PER_TERM, starts_on=D(Y, 2, 20))
    table = rates(authority=SHIBEI, spring=D(Y, 2, 17), autumn=D(Y, 9, 1))
    assert [x.slot for x in rules.agreement_lines(Y, a, table)] == ["autumn"]
    assert [x.slot for x in rules.agreement_lines(Y, a, None)] == ["spring", "autumn"]


def test_f2_per_term_only_terms_the_member_is_in():
    """F-2 per term: the member leaves on 1 July 2025 → only the spring term (1 March) is
    covered: one line of 5,000.00."""
    a = agreement(
        of=member(authority=SHIBEI, left_on=D(Y, 7, 1)), fee="5000", period=rules.PER_TERM
    )
    assert [(x.slot, x.amount) for x in rules.agreement_lines(Y, a)] == [
        ("spring", Decimal("5000.00"))
    ]


def test_f2_one_off_only_in_its_start_year():
    """F-2 one-off: 30,000.00 on an agreement starting 1 April 2025: the whole fee in 2025 (a
    member that day), nothing in 2026 or 2027 though the agreement runs on."""
    a = agreement(fee="30000", period=rules.ONE_OFF, starts_on=D(Y, 4, 1))
    line = one(rules.agreement_lines(2025, a))
    assert (line.amount, line.period_start, line.period_end) == (
        Decimal("30000.00"),
        D(Y, 4, 1),
        D(Y, 4, 1),
    )
    assert rules.agreement_lines(2026, a) == []
    assert rules.agreement_lines(2027, a) == []


def test_f2_one_off_not_due_when_not_a_member_on_its_start_day():
    """F-2 one-off: the agreement starts 1 April but the school joins on 2 April: not a member
    that day, no fee (the rule pays the fee on the agreement's start day only)."""
    a = agreement(of=member(authority=SHIBEI, joined_on=D(Y, 4, 2)), period=rules.ONE_OFF)
    assert rules.agreement_lines(2025, replace(a, starts_on=D(Y, 4, 1))) == []


# --- F-4 dispatched staff ------------------------------------------------------------------


def test_f4_dispatch_across_the_year_end_is_split_by_fiscal_year():
    """F-4: a key teacher serves in a 市北 member from 1 November 2025 to 28 February 2026 (last
    day served). 市北's 2025 rates: transport 300 + lodging 500 = 800 a month; 2026 rates:
    350 + 550 = 900. 2025: Nov, Dec = 2 months × 800 = 1,600.00; 2026: Jan, Feb = 2 × 900 =
    1,800.00. The member school pays; the line is in 市北's ledger."""
    d = dispatch(starts_on=D(2025, 11, 1), ends_on=D(2026, 2, 28))
    r2025 = rates(authority=SHIBEI, year=2025, transport="300", lodging="500")
    r2026 = rates(authority=SHIBEI, year=2026, transport="350", lodging="550")
    l2025 = one(rules.dispatch_lines(2025, d, r2025))
    l2026 = one(rules.dispatch_lines(2026, d, r2026))
    assert (l2025.inputs["months"], l2025.amount) == (2, Decimal("1600.00"))
    assert (l2026.inputs["months"], l2026.amount) == (2, Decimal("1800.00"))
    assert (l2025.period_start, l2025.period_end) == (D(2025, 11, 1), D(2025, 12, 31))
    assert (l2026.period_start, l2026.period_end) == (D(2026, 1, 1), D(2026, 2, 28))
    assert l2025.ledger_authority_id == SHIBEI
    assert (l2025.payer.kind, l2025.payer.id) == ("school", 101)
    assert l2025.payee.kind == "person"
    assert l2025.formula == "（交通 300.00 + 食宿 500.00）元/月 × 2 个月 = 1,600.00 元"
    assert rules.dispatch_lines(2027, d, r2026) == []


def test_f4_last_day_served_is_included():
    """F-4: `ends_on` is the last day served (included): ending on 15 March counts March (its
    15th served), ending on 14 March does not. From 1 January: 3 vs 2 months × 800."""
    table = rates(authority=SHIBEI, transport="300", lodging="500")
    on_15 = one(rules.dispatch_lines(Y, dispatch(ends_on=D(Y, 3, 15)), table))
    on_14 = one(rules.dispatch_lines(Y, dispatch(ends_on=D(Y, 3, 14)), table))
    assert (on_15.amount, on_14.amount) == (Decimal("2400.00"), Decimal("1600.00"))


def test_f4_open_dispatch_and_no_rates():
    """F-4: still serving (no end): the whole year, 12 × 800 = 9,600.00; without 市北's rate
    table the line says so with 0."""
    table = rates(authority=SHIBEI, transport="300", lodging="500")
    assert one(rules.dispatch_lines(Y, dispatch(), table)).amount == Decimal("9600.00")
    bare = one(rules.dispatch_lines(Y, dispatch(), None))
    assert (bare.amount, bare.applicable, bare.reason_code) == (
        Decimal("0.00"),
        False,
        "funding.no_rates",
    )


def test_f4_only_while_a_member():
    """F-4: the member pays while it is a member. Dispatch 1 September 2025 – 30 June 2026 to a
    member that leaves on 1 April 2026 (first day out): 2026 counts Jan, Feb, Mar (15 April is
    not a member day) = 3 × 800 = 2,400.00, not 6 × 800; a member that left on 1 January 2026
    pays nothing in 2026 (no line), as one that joins on 20 September 2025 pays Oct … Dec = 3
    months in 2025, not 4."""
    table = rates(authority=SHIBEI, year=2026, transport="300", lodging="500")
    leaving = member(authority=SHIBEI, left_on=D(2026, 4, 1))
    line = one(
        rules.dispatch_lines(
            2026, dispatch(of=leaving, starts_on=D(2025, 9, 1), ends_on=D(2026, 6, 30)), table
        )
    )
    assert (line.inputs["months"], line.amount) == (3, Decimal("2400.00"))
    assert line.period_end == D(2026, 3, 31) and "成员关系期间" in line.formula
    gone = member(authority=SHIBEI, left_on=D(2026, 1, 1))
    assert rules.dispatch_lines(2026, dispatch(of=gone, starts_on=D(2025, 9, 1)), table) == []
    late = member(authority=SHIBEI, joined_on=D(2025, 9, 20))
    line = one(rules.dispatch_lines(2025, dispatch(of=late, starts_on=D(2025, 9, 1)), table))
    assert (line.inputs["months"], line.period_start) == (3, D(2025, 9, 20))


def test_term_dates_from_another_year_or_out_of_order_do_not_break_the_year():
    """F-2 per term: a 2025 table whose spring date was typed as 29 February 2024 counts 28
    February 2025 (not a failure of the whole computation); autumn typed before spring: the
    terms are taken in date order, each period ordered."""
    leap = rates(authority=SHIBEI, spring=D(2024, 2, 29), autumn=D(2025, 9, 1))
    assert rules.term_starts(Y, leap) == [("spring", D(Y, 2, 28)), ("autumn", D(Y, 9, 1))]
    swapped = rates(authority=SHIBEI, spring=D(Y, 9, 20), autumn=D(Y, 9, 1))
    lines = rules.agreement_lines(Y, agreement(fee="5000", period=rules.PER_TERM), swapped)
    assert [(x.slot, x.period_start, x.period_end) for x in lines] == [
        ("autumn", D(Y, 9, 1), D(Y, 9, 19)),
        ("spring", D(Y, 9, 20), D(Y, 12, 31)),
    ]


# --- adjustments -----------------------------------------------------------------------------


def test_adjustment_is_the_difference_against_what_was_locked():
    """Locked year changed afterwards: locked 45,000.00 (9 months), the rules now give
    60,000.00 (12 months): the adjustment is 60,000.00 − 45,000.00 = 15,000.00; back at 9
    months it is 0 (no line); at 6 months, 30,000.00 − 45,000.00 = −15,000.00 (only an
    adjustment may be negative)."""
    assert rules.adjustment_amount(Decimal("60000.00"), Decimal("45000.00")) == Decimal("15000.00")
    assert rules.adjustment_amount(Decimal("45000.00"), Decimal("45000.00")) == 0
    assert rules.adjustment_amount(Decimal("30000"), Decimal("45000.00")) == Decimal("-15000.00")


def test_term_starts_defaults_and_table_dates():
    """F-2 terms: 1 March and 1 September unless the member authority's table names its own."""
    assert rules.term_starts(Y, None) == [("spring", D(Y, 3, 1)), ("autumn", D(Y, 9, 1))]
    table = rates(spring=D(Y, 2, 17), autumn=D(Y, 8, 30))
    assert rules.term_starts(Y, table) == [("spring", D(Y, 2, 17)), ("autumn", D(Y, 8, 30))]
