"""The money rules of the policy, as pure functions: dates, rates and facts in, ledger lines out.

No database here. The caller (`funding/ledgers/inputs.py`) reads the facts — memberships through
the membership-as-of-date API, rate-table versions, agreements, dispatches — live or as the audit
history held them at a moment, and hands them over as the plain records below; every function
returns `LineDraft`s that say what is paid, by whom to whom, under which clause, from which
inputs, by which formula (as text), and the amount.

Money is `Decimal` in yuan. Every amount is rounded half-up (四舍五入) to the fen by `fen()`
before it leaves this module, so a ledger's total is the sum of its stored lines to the fen.
Rates and options are data (versioned rate tables per authority and fiscal year), never
constants here; what is fixed here is only the policy's arithmetic.

Clauses (policy/CLAUSES.md):
- F-1 per-member subsidy: a public member school under the same authority as the core school:
  that authority pays the core school a yearly subsidy;
- F-2 who benefits pays: a member pays the core school the fee its cooperation agreement sets;
- F-4 dispatched staff: the member school pays the transport and lodging allowances of staff the
  core school sends to it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from groups.registry.membership import days_covered, is_active_on, mid_months, months_covered

FEN = Decimal("0.01")
MONTHS_A_YEAR = 12
ZERO = Decimal("0.00")


def fen(amount: Decimal) -> Decimal:
    """Yuan rounded half-up to the fen (四舍五入), as every stored amount is."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """China's fiscal year is the calendar year (预算法 第十八条)."""
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def money_text(amount: Decimal) -> str:
    return f"{fen(amount):,.2f}"


# --- the facts the rules read ----------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    """One version of an authority's rate table for a fiscal year (data, never constants)."""

    table_id: int
    authority_id: int
    year: int
    version: int
    proration: str  # "months" (a month counts when its 15th is covered) or "reference_date"
    reference_date: datetime.date | None
    subsidy_default: Decimal  # yuan per member per year
    subsidy_by_stage: dict[str, Decimal] = field(default_factory=dict)
    transport_per_month: Decimal = ZERO
    lodging_per_month: Decimal = ZERO
    spring_term_starts: datetime.date | None = None
    autumn_term_starts: datetime.date | None = None

    def subsidy_for(self, stage: str) -> Decimal:
        return self.subsidy_by_stage.get(stage, self.subsidy_default)

    def label(self) -> str:
        return f"#{self.table_id} v{self.version}"


PRORATE_MONTHS = "months"
PRORATE_REFERENCE_DATE = "reference_date"


@dataclass(frozen=True)
class MemberFacts:
    """A member school's membership in a group, and the facts about it F-1 reads."""

    membership_id: int
    group_id: int
    school_id: int
    school_name: str
    school_nature: str  # "public" / "private"
    school_stage: str
    school_authority_id: int
    school_authority_name: str
    core_school_id: int
    core_school_name: str
    core_authority_id: int
    core_authority_name: str
    joined_on: datetime.date
    left_on: datetime.date | None


@dataclass(frozen=True)
class AgreementFacts:
    """A member's cooperation agreement and the fee it sets (F-2)."""

    agreement_id: int
    member: MemberFacts
    fee: Decimal
    period: str  # "yearly", "per_term", "one_off"
    starts_on: datetime.date
    ends_on: datetime.date  # last day of the agreement's term, included
    payer: str  # "school" or "authority"


YEARLY, PER_TERM, ONE_OFF = "yearly", "per_term", "one_off"
PAYER_SCHOOL, PAYER_AUTHORITY = "school", "authority"


@dataclass(frozen=True)
class DispatchFacts:
    """Staff the core school sends to a member (F-4)."""

    dispatch_id: int
    member: MemberFacts
    person_name: str
    role_label: str
    starts_on: datetime.date
    ends_on: datetime.date | None  # last day served, included; None: still serving


# --- what a rule produces --------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    kind: str  # "authority", "school" or "person"
    id: int | None
    name: str


@dataclass(frozen=True)
class LineDraft:
    """One line of a yearly ledger, before it is stored: the paying authority (whose ledger it
    goes to), the rule and its clause, what it is about (`subject_kind`, `subject_id`, `slot`),
    payer and payee, the period, the inputs as plain JSON, the formula in words and the amount.
    `applicable=False` is a line that says why nothing is due (a private member, a member under
    another authority) with amount 0."""

    group_id: int
    ledger_authority_id: int
    rule: str  # "F-1", "F-2", "F-4"
    subject_kind: str  # "membership", "agreement", "dispatch"
    subject_id: int
    slot: str
    member_school_id: int
    payer: Party
    payee: Party
    period_start: datetime.date
    period_end: datetime.date
    inputs: dict
    formula: str
    amount: Decimal
    applicable: bool = True
    reason_code: str = ""

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.rule, self.subject_kind, self.subject_id, self.slot)


def _period(
    joined_on: datetime.date,
    left_on: datetime.date | None,
    first: datetime.date,
    last: datetime.date,
) -> tuple[datetime.date, datetime.date] | None:
    """The days of first … last (both included) a period joined_on … left_on (left_on excluded)
    covers, as (first, last) included; None when it covers none."""
    if days_covered(joined_on, left_on, first, last) == 0:
        return None
    start = max(joined_on, first)
    end = last if left_on is None else min(left_on - datetime.timedelta(days=1), last)
    return start, end


def _d(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


# --- F-1 -------------------------------------------------------------------------------------


def subsidy_lines(year: int, member: MemberFacts, rates: Rates | None) -> list[LineDraft]:
    """F-1: for a public member school under the same authority as the core school, that
    authority pays the core school the year's per-member subsidy, prorated by the rate table's
    option: months of membership (a month counts when its 15th day is covered) or membership on
    the table's reference date. A private member, or one under another authority, gets a line of
    0 saying why (policy F-1; a member under another unit pays under F-2 instead)."""
    first, last = year_bounds(year)
    period = _period(member.joined_on, member.left_on, first, last)
    if period is None:
        return []
    payer = Party("authority", member.core_authority_id, member.core_authority_name)
    payee = Party("school", member.core_school_id, member.core_school_name)
    base: dict[str, Any] = dict(
        group_id=member.group_id,
        ledger_authority_id=member.core_authority_id,
        rule="F-1",
        subject_kind="membership",
        subject_id=member.membership_id,
        slot="",
        member_school_id=member.school_id,
        payer=payer,
        payee=payee,
        period_start=period[0],
        period_end=period[1],
    )
    facts = {
        "member": member.school_name,
        "nature": member.school_nature,
        "stage": member.school_stage,
        "member_authority": member.school_authority_name,
        "core_authority": member.core_authority_name,
        "joined_on": _d(member.joined_on),
        "left_on": _d(member.left_on),
    }
    if member.school_nature != "public":
        return [
            LineDraft(
                **base,
                inputs=facts,
                formula="民办学校不享受成员校专项奖补（F-1 仅适用于公办成员校）",
                amount=ZERO,
                applicable=False,
                reason_code="funding.f1.private",
            )
        ]
    if member.school_authority_id != member.core_authority_id:
        return [
            LineDraft(
                **base,
                inputs=facts,
                formula=(
                    f"成员校隶属{member.school_authority_name}，与核心校不属同一教育行政部门，"
                    "不适用专项奖补；按“谁受益谁出资”由合作协议约定（F-2）"
                ),
                amount=ZERO,
                applicable=False,
                reason_code="funding.f1.other_authority",
            )
        ]
    if rates is None:
        return [
            LineDraft(
                **base,
                inputs=facts,
                formula=f"{member.core_authority_name}尚未设定{year}年度费率，无法计算",
                amount=ZERO,
                applicable=False,
                reason_code="funding.no_rates",
            )
        ]
    rate = rates.subsidy_for(member.school_stage)
    inputs = facts | {
        "rate_table": rates.table_id,
        "rate_version": rates.version,
        "rate": str(rate),
        "proration": rates.proration,
    }
    if rates.proration == PRORATE_REFERENCE_DATE:
        # The table's day of the fiscal year (a date typed with another year is moved into it,
        # as the term dates are: a member all year is never judged on a day outside it).
        day = _in_year(rates.reference_date, year) if rates.reference_date else last
        covered = is_active_on(member.joined_on, member.left_on, day)
        amount = fen(rate) if covered else ZERO
        inputs["reference_date"] = day.isoformat()
        formula = (
            f"{money_text(rate)} 元/年 × {'1' if covered else '0'}"
            f"（{day.isoformat()} {'在册' if covered else '不在册'}）= {money_text(amount)} 元"
        )
    else:
        months = months_covered(member.joined_on, member.left_on, first, last)
        amount = fen(rate * months / MONTHS_A_YEAR)
        inputs["months"] = months
        formula = f"{money_text(rate)} 元/年 × {months}/12 个月 = {money_text(amount)} 元"
    return [LineDraft(**base, inputs=inputs, formula=formula, amount=amount)]


# --- F-2 -------------------------------------------------------------------------------------


def _in_year(day: datetime.date, year: int) -> datetime.date:
    """`day` moved into `year` (a table's term date typed with another year; 29 February of a
    leap year becomes the 28th rather than failing the whole computation)."""
    if day.year == year:
        return day
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def term_starts(year: int, rates: Rates | None) -> list[tuple[str, datetime.date]]:
    """The first days of the two school terms that start in the year (from the member authority's
    rate table; 1 March and 1 September when it names none), in date order."""
    spring = rates.spring_term_starts if rates and rates.spring_term_starts else None
    autumn = rates.autumn_term_starts if rates and rates.autumn_term_starts else None
    terms = [
        ("spring", _in_year(spring, year) if spring else datetime.date(year, 3, 1)),
        ("autumn", _in_year(autumn, year) if autumn else datetime.date(year, 9, 1)),
    ]
    return sorted(terms, key=lambda term: term[1])


def agreement_lines(
    year: int, agreement: AgreementFacts, member_rates: Rates | None = None
) -> list[LineDraft]:
    """F-2 who benefits pays: the member (or its authority) pays the core school the fee of its
    cooperation agreement, for the part of the fiscal year that the agreement's term and the
    membership both cover:
    - yearly: fee × months counted (a month counts when its 15th day is covered) / 12;
    - per term: the fee for each term that starts in the year on a day both cover;
    - one-off: the whole fee in the year the agreement starts, if a member that day.
    The line goes to the ledger of the member's authority, which confirms it."""
    member = agreement.member
    first, last = year_bounds(year)
    # The agreement's term as a period with an excluded end, like a membership's.
    term_end = agreement.ends_on + datetime.timedelta(days=1)
    if agreement.payer == PAYER_AUTHORITY:
        payer = Party("authority", member.school_authority_id, member.school_authority_name)
    else:
        payer = Party("school", member.school_id, member.school_name)
    payee = Party("school", member.core_school_id, member.core_school_name)
    inputs: dict[str, Any] = {
        "member": member.school_name,
        "fee": str(agreement.fee),
        "period": agreement.period,
        "agreement_starts_on": _d(agreement.starts_on),
        "agreement_ends_on": _d(agreement.ends_on),
        "joined_on": _d(member.joined_on),
        "left_on": _d(member.left_on),
    }
    common: dict[str, Any] = dict(
        group_id=member.group_id,
        ledger_authority_id=member.school_authority_id,
        rule="F-2",
        subject_kind="agreement",
        subject_id=agreement.agreement_id,
        member_school_id=member.school_id,
        payer=payer,
        payee=payee,
    )

    def both_cover(day: datetime.date) -> bool:
        return is_active_on(agreement.starts_on, term_end, day) and is_active_on(
            member.joined_on, member.left_on, day
        )

    if agreement.period == ONE_OFF:
        day = agreement.starts_on
        if day.year != year or not both_cover(day):
            return []
        amount = fen(agreement.fee)
        return [
            LineDraft(
                **common,
                slot="",
                period_start=day,
                period_end=day,
                inputs=inputs,
                formula=f"一次性费用 {money_text(agreement.fee)} 元 = {money_text(amount)} 元",
                amount=amount,
            )
        ]
    if agreement.period == PER_TERM:
        lines = []
        terms = term_starts(year, member_rates)
        for index, (slot, day) in enumerate(terms):
            if not both_cover(day):
                continue
            end = (
                max(day, terms[index + 1][1] - datetime.timedelta(days=1))
                if index + 1 < len(terms)
                else last
            )
            amount = fen(agreement.fee)
            lines.append(
                LineDraft(
                    **common,
                    slot=slot,
                    period_start=day,
                    period_end=end,
                    inputs=inputs | {"term_starts": day.isoformat()},
                    formula=(
                        f"每学期 {money_text(agreement.fee)} 元 × 1 学期（{day.isoformat()} 开学）"
                        f"= {money_text(amount)} 元"
                    ),
                    amount=amount,
                )
            )
        return lines
    # yearly: the months both the agreement's term and the membership cover.
    months = sum(1 for mid in mid_months(first, last) if both_cover(mid))
    if months == 0:
        return []
    period = _period(
        max(agreement.starts_on, member.joined_on), _earliest(term_end, member.left_on), first, last
    )
    if period is None:
        return []
    amount = fen(agreement.fee * months / MONTHS_A_YEAR)
    return [
        LineDraft(
            **common,
            slot="",
            period_start=period[0],
            period_end=period[1],
            inputs=inputs | {"months": months},
            formula=(
                f"{money_text(agreement.fee)} 元/年 × {months}/12 个月 = {money_text(amount)} 元"
            ),
            amount=amount,
        )
    ]


def _earliest(a: datetime.date | None, b: datetime.date | None) -> datetime.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


# --- F-4 -------------------------------------------------------------------------------------


def dispatch_lines(
    year: int, dispatch: DispatchFacts, member_rates: Rates | None
) -> list[LineDraft]:
    """F-4: the member school pays the transport and lodging allowances of staff the core school
    sends to it, per month served while it is a member (a month counts when its 15th day is
    both served and a membership day) at the member authority's monthly rates for the year. A
    dispatch across a year end is split by fiscal year: each year's ledger counts its own
    months; one that runs past the membership's end is not paid by the former member."""
    member = dispatch.member
    first, last = year_bounds(year)
    served_until = dispatch.ends_on + datetime.timedelta(days=1) if dispatch.ends_on else None
    # The days both served and a member: from the later start to the earlier end (excluded).
    start = max(dispatch.starts_on, member.joined_on)
    end_excluded = _earliest(served_until, member.left_on)
    period = _period(start, end_excluded, first, last)
    if period is None:
        return []
    payer = Party("school", member.school_id, member.school_name)
    payee = Party("person", None, dispatch.person_name)
    inputs: dict[str, Any] = {
        "person": dispatch.person_name,
        "role": dispatch.role_label,
        "member": member.school_name,
        "starts_on": _d(dispatch.starts_on),
        "ends_on": _d(dispatch.ends_on),
        "joined_on": _d(member.joined_on),
        "left_on": _d(member.left_on),
    }
    base: dict[str, Any] = dict(
        group_id=member.group_id,
        ledger_authority_id=member.school_authority_id,
        rule="F-4",
        subject_kind="dispatch",
        subject_id=dispatch.dispatch_id,
        slot="",
        member_school_id=member.school_id,
        payer=payer,
        payee=payee,
        period_start=period[0],
        period_end=period[1],
    )
    if member_rates is None:
        return [
            LineDraft(
                **base,
                inputs=inputs,
                formula=f"{member.school_authority_name}尚未设定{year}年度费率，无法计算",
                amount=ZERO,
                applicable=False,
                reason_code="funding.no_rates",
            )
        ]
    months = months_covered(start, end_excluded, first, last)
    monthly = member_rates.transport_per_month + member_rates.lodging_per_month
    amount = fen(monthly * months)
    inputs |= {
        "rate_table": member_rates.table_id,
        "rate_version": member_rates.version,
        "transport_per_month": str(member_rates.transport_per_month),
        "lodging_per_month": str(member_rates.lodging_per_month),
        "months": months,
    }
    clipped = (start, end_excluded) != (dispatch.starts_on, served_until)
    formula = (
        f"（交通 {money_text(member_rates.transport_per_month)} + 食宿 "
        f"{money_text(member_rates.lodging_per_month)}）元/月 × {months} 个月"
        + (
            f"（仅计成员关系期间 {_d(member.joined_on)} 至 {_d(member.left_on) or '今'}）"
            if clipped
            else ""
        )
        + f" = {money_text(amount)} 元"
    )
    return [LineDraft(**base, inputs=inputs, formula=formula, amount=amount)]


# --- adjustments after a year is locked ------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """What the locked ledgers of a year already hold for one line key: their sum, and the
    locked line an adjustment refers to (the latest)."""

    amount: Decimal
    line_id: int
    ledger_id: int


def adjustment_amount(new: Decimal, booked: Decimal) -> Decimal:
    """A locked year is never rewritten: the next computation books the difference between what
    the rules give now and what the locked ledgers hold (DESIGN.md "Money")."""
    return fen(new) - fen(booked)


def total(amounts: Iterable[Decimal]) -> Decimal:
    """A ledger's total: the sum of its stored (already rounded) lines, exact to the fen."""
    return sum((fen(a) for a in amounts), ZERO)
