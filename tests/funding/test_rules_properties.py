"""Property-based tests of the money rules over dates and rates (issue 9 "Bad input and
correctness"): no line ever has a negative amount unless it is an adjustment, totals equal the
sums of the lines, proration never pays more than a full year (F-1 ≤ the rate, F-2 yearly ≤ the
fee, F-4 ≤ 12 × the monthly allowance), the months counted are those of the membership API
(`groups.registry.membership.months_covered`), and computing twice gives the same lines.

These use `funding.rules` directly, no database; `test_ledger_properties.py` runs a few bounded
examples through the database."""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding import rules
from funding.ledgers import inputs
from groups.registry.membership import days_covered, months_covered
from tests.funding.rule_facts import SHIBEI, SHINAN, D, agreement, dispatch, member, rates

ONE_DAY = datetime.timedelta(days=1)
years = st.integers(2019, 2031)
days = st.dates(D(2018, 1, 1), D(2032, 12, 31))
fen_amounts = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("10000000.00"), places=2, allow_nan=False
)
small_fen = st.decimals(min_value=Decimal("0"), max_value=Decimal("3000.00"), places=2)
stages = st.sampled_from(["primary", "junior", "senior", "nine_year"])
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def periods(draw):
    """A membership period: joined_on, and left_on None or after it (`left_on` excluded)."""
    joined = draw(days)
    left = draw(st.one_of(st.none(), st.dates(joined + ONE_DAY, D(2033, 1, 1))))
    return joined, left


@st.composite
def members(draw, authority=None):
    joined, left = draw(periods())
    return member(
        joined_on=joined,
        left_on=left,
        authority=draw(st.sampled_from([SHINAN, SHIBEI])) if authority is None else authority,
        nature=draw(st.sampled_from(["public", "public", "private"])),
        stage=draw(stages),
        membership_id=draw(st.integers(1, 10_000)),
        school_id=draw(st.integers(101, 10_000)),
    )


@st.composite
def rate_tables(draw, authority=SHINAN, year=None):
    reference = draw(st.booleans())
    y = year if year is not None else draw(years)
    return rates(
        authority=authority,
        year=y,
        subsidy=str(draw(fen_amounts)),
        by_stage={
            stage: str(draw(fen_amounts))
            for stage in draw(st.sets(st.sampled_from(["junior", "senior"])))
        },
        transport=str(draw(small_fen)),
        lodging=str(draw(small_fen)),
        proration=rules.PRORATE_REFERENCE_DATE if reference else rules.PRORATE_MONTHS,
        reference_date=draw(st.dates(D(y, 1, 1), D(y, 12, 31))) if reference else None,
    )


def _common(line: rules.LineDraft, year: int) -> None:
    first, last = rules.year_bounds(year)
    assert line.amount >= 0, line  # a rule's line is never negative; only adjustments are
    assert line.amount == rules.fen(line.amount)  # already rounded to the fen
    assert line.amount.as_tuple().exponent == -2
    assert first <= line.period_start <= line.period_end <= last
    if not line.applicable:
        assert line.amount == 0 and line.reason_code


@SETTINGS
@given(year=years, fact=members(), data=st.data())
def test_f1_never_negative_never_above_the_rate_months_from_the_membership_api(year, fact, data):
    """F-1: for any dates and rates, at most one line; never negative; never more than the
    year's rate for the member's stage; under the months option the months are
    `months_covered` of the membership API and the amount is fen(rate × months / 12); a line
    exists exactly when the membership covers a day of the year."""
    table = data.draw(st.one_of(st.none(), rate_tables(year=year)))
    lines = rules.subsidy_lines(year, fact, table)
    first, last = rules.year_bounds(year)
    assert len(lines) == (1 if days_covered(fact.joined_on, fact.left_on, first, last) else 0)
    for line in lines:
        _common(line, year)
        assert line.rule == "F-1" and line.ledger_authority_id == SHINAN
        if table is None or fact.school_nature != "public" or fact.school_authority_id != SHINAN:
            assert not line.applicable and line.amount == 0
            continue
        rate = table.subsidy_for(fact.school_stage)
        assert line.amount <= rules.fen(rate)
        if table.proration == rules.PRORATE_MONTHS:
            months = months_covered(fact.joined_on, fact.left_on, first, last)
            assert line.inputs["months"] == months
            assert line.amount == rules.fen(rate * months / 12)
        else:
            assert line.amount in (Decimal("0.00"), rules.fen(rate))


@SETTINGS
@given(fact=members(authority=SHINAN), subsidy=fen_amounts, a=years, b=years)
def test_f1_months_over_consecutive_years_add_up(fact, subsidy, a, b):
    """F-1: the months counted in each fiscal year of a span add up to the months counted over
    the whole span (no month counted twice across a year end, none lost), each year ≤ 12."""
    fact = rules.MemberFacts(**{**fact.__dict__, "school_nature": "public"})
    low, high = min(a, b), max(a, b)
    table = rates(subsidy=str(subsidy))
    counted = 0
    for year in range(low, high + 1):
        lines = rules.subsidy_lines(year, fact, table)
        months = lines[0].inputs["months"] if lines else 0
        assert 0 <= months <= 12
        counted += months
    whole = months_covered(fact.joined_on, fact.left_on, D(low, 1, 1), D(high, 12, 31))
    assert counted == whole


@st.composite
def agreements(draw):
    fact = draw(members(authority=SHIBEI))
    starts = draw(days)
    ends = draw(st.dates(starts, D(2033, 12, 31)))
    return agreement(
        of=fact,
        fee=str(draw(fen_amounts)),
        period=draw(st.sampled_from([rules.YEARLY, rules.PER_TERM, rules.ONE_OFF])),
        starts_on=starts,
        ends_on=ends,
        payer=draw(st.sampled_from([rules.PAYER_SCHOOL, rules.PAYER_AUTHORITY])),
    )


@SETTINGS
@given(year=years, a=agreements(), with_terms=st.booleans())
def test_f2_never_negative_never_above_the_fee(year, a, with_terms):
    """F-2: yearly ≤ the fee (fen(fee × months / 12), months both the agreement and the
    membership cover); per term: one line per term, each exactly the fee, at most two; one-off:
    the fee, only in the agreement's start year. Always in the member authority's ledger,
    distinct line keys."""
    table = rates(authority=SHIBEI, spring=D(2000, 2, 17), autumn=D(2000, 8, 31))
    lines = rules.agreement_lines(year, a, table if with_terms else None)
    assert len({line.key for line in lines}) == len(lines)
    for line in lines:
        _common(line, year)
        assert line.ledger_authority_id == SHIBEI and line.applicable
        assert line.amount <= rules.fen(a.fee)
    if a.period == rules.YEARLY:
        assert len(lines) <= 1
        if lines:
            months = lines[0].inputs["months"]
            assert 1 <= months <= 12
            assert lines[0].amount == rules.fen(a.fee * months / 12)
            # the months both cover: never more than either alone
            first, last = rules.year_bounds(year)
            assert months <= months_covered(a.member.joined_on, a.member.left_on, first, last)
            assert months <= months_covered(a.starts_on, a.ends_on + ONE_DAY, first, last)
    elif a.period == rules.PER_TERM:
        assert len(lines) <= 2
        assert all(line.amount == rules.fen(a.fee) for line in lines)
    else:
        assert len(lines) <= 1
        if lines:
            assert year == a.starts_on.year and lines[0].amount == rules.fen(a.fee)


@settings(max_examples=150, deadline=None)
@given(a=agreements())
def test_f2_over_all_years_never_more_than_the_term_allows(a):
    """F-2 over the agreement's whole life: a one-off is paid at most once; a yearly fee at
    most fee × (months of the term) / 12 summed by year (each year rounded); per term at most
    two terms a year."""
    paid = {y: rules.agreement_lines(y, a) for y in range(2017, 2035)}
    if a.period == rules.ONE_OFF:
        assert sum(len(x) for x in paid.values()) <= 1
    elif a.period == rules.YEARLY:
        months = sum(x[0].inputs["months"] for x in paid.values() if x)
        whole = months_covered(a.starts_on, a.ends_on + ONE_DAY, D(2017, 1, 1), D(2034, 12, 31))
        assert months <= whole
    else:
        assert all(len(x) <= 2 for x in paid.values())


@st.composite
def dispatches(draw):
    fact = draw(members(authority=SHIBEI))
    starts = draw(days)
    ends = draw(st.one_of(st.none(), st.dates(starts, D(2033, 12, 31))))
    return dispatch(of=fact, starts_on=starts, ends_on=ends)


@SETTINGS
@given(year=years, d=dispatches(), table=st.one_of(st.none(), rate_tables(authority=SHIBEI)))
def test_f4_never_above_twelve_months_of_allowances(year, d, table):
    """F-4: (transport + lodging) × months served while a member, months from `months_covered`
    over the days both served (the last day included) and in the membership; never more than
    the months served, never more than 12 × the monthly allowance; in the member authority's
    ledger, paid by the member school."""
    lines = rules.dispatch_lines(year, d, table)
    first, last = rules.year_bounds(year)
    # the days both served (ends_on included) and a membership day
    start = max(d.starts_on, d.member.joined_on)
    ends = [x for x in (d.ends_on + ONE_DAY if d.ends_on else None, d.member.left_on) if x]
    end_excluded = min(ends) if ends else None
    assert len(lines) == (1 if days_covered(start, end_excluded, first, last) else 0)
    for line in lines:
        _common(line, year)
        assert line.ledger_authority_id == SHIBEI and line.payer.id == d.member.school_id
        if table is None:
            assert not line.applicable
            continue
        monthly = table.transport_per_month + table.lodging_per_month
        months = months_covered(start, end_excluded, first, last)
        served = months_covered(d.starts_on, d.ends_on and d.ends_on + ONE_DAY, first, last)
        assert months <= served
        assert line.inputs["months"] == months
        assert line.amount == rules.fen(monthly * months) <= 12 * monthly


@settings(max_examples=100, deadline=None)
@given(
    year=years,
    facts=st.lists(members(), max_size=6),
    deals=st.lists(agreements(), max_size=4),
    sent=st.lists(dispatches(), max_size=4),
    shinan=rate_tables(authority=SHINAN),
    shibei=st.one_of(st.none(), rate_tables(authority=SHIBEI)),
)
def test_a_year_total_is_the_sum_of_its_lines_and_computing_twice_gives_the_same(
    year, facts, deals, sent, shinan, shibei
):
    """F-1, F-2, F-4 together (`inputs.year_lines`): every line ≥ 0; each (group, authority)
    total equals the sum of its lines to the fen; the lines come in a stable order and a second
    computation gives equal lines and an equal digest."""
    from funding.ledgers.services import lines_digest

    year_facts = inputs.YearFacts(
        year=year,
        members=facts,
        agreements=deals,
        dispatches=sent,
        rates={SHINAN: shinan} | ({SHIBEI: shibei} if shibei else {}),
    )
    first = inputs.year_lines(year_facts)
    second = inputs.year_lines(year_facts)
    assert first == second
    assert lines_digest(first) == lines_digest(second)
    by_ledger: dict[int, list[Decimal]] = {}
    for line in first:
        _common(line, year)
        by_ledger.setdefault(line.ledger_authority_id, []).append(line.amount)
    for amounts in by_ledger.values():
        assert rules.total(amounts) == sum(amounts, Decimal("0.00"))


@settings(max_examples=300, deadline=None)
@given(
    new=st.decimals(min_value=0, max_value=Decimal("10000000.00"), places=2),
    booked=st.decimals(min_value=0, max_value=Decimal("10000000.00"), places=2),
)
def test_an_adjustment_brings_the_booked_amount_to_the_new_one(new, booked):
    """Locked year changed afterwards: what was locked plus the adjustment is exactly what the
    rules give now, to the fen; the adjustment is zero exactly when they agree."""
    diff = rules.adjustment_amount(new, booked)
    assert booked + diff == new
    assert (diff == 0) == (new == booked)


@settings(max_examples=300, deadline=None)
@given(rate=fen_amounts, months=st.integers(0, 12))
def test_prorated_subsidy_is_rounded_half_up_and_monotonic(rate, months):
    """Money: fen(rate × m / 12) is within half a fen of the exact value, rounds an exact half
    up, and more months never pay less (F-1)."""
    exact = rate * months / 12
    amount = rules.fen(exact)
    assert abs(amount - exact) <= Decimal("0.005")
    if abs(amount - exact) == Decimal("0.005"):
        assert amount > exact
    if months < 12:
        assert rules.fen(rate * (months + 1) / 12) >= amount
    assert rules.fen(rate * 12 / 12) == rate


@SETTINGS
@given(
    year=years,
    spring=st.one_of(st.none(), days),
    autumn=st.one_of(st.none(), days),
    a=agreements(),
)
def test_f2_per_term_survives_any_term_dates(year, spring, autumn, a):
    """F-2 per term with whatever term dates a table holds (another year, 29 February, autumn
    before spring, both on one day): no failure, each term's period ordered inside the year, at
    most two lines of the fee."""
    table = rates(authority=SHIBEI, year=year, spring=spring, autumn=autumn)
    per_term = agreement(
        of=a.member,
        fee=str(a.fee),
        period=rules.PER_TERM,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
    )
    starts = rules.term_starts(year, table)
    assert [day for _slot, day in starts] == sorted(day for _slot, day in starts)
    assert all(day.year == year for _slot, day in starts)
    lines = rules.agreement_lines(year, per_term, table)
    assert len(lines) <= 2
    for line in lines:
        _common(line, year)
