"""Reads of the funding overview pages (policy F-1, F-2, F-4; issue 9): ledgers scoped per user,
and the sums the pages show, each in a constant number of queries whatever the data size.

Sums are asked of the database (GROUP BY), never added up in Python over lines. The city's
totals are shared by everyone who sees them and cached while the ledgers are unchanged: the
generation is the newest row of the ledgers' audit history, which every change to a ledger writes
(computing — bulk writes included —, confirming, returning, locking, dropping a supplement), and
a ledger's lines change only with their ledger."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from funding.ledgers.models import Ledger, LedgerLine
from funding.ledgers.workflows import LedgerStatus
from funding.overview.permissions import can_read_ledgers
from groups.registry.models import EducationGroup
from members.models import User
from members.selectors import authority_choices
from qingdao_groups.core.figures import FIGURES_TTL
from qingdao_groups.core.history import history_rows

RULES = (LedgerLine.Rule.F1, LedgerLine.Rule.F2, LedgerLine.Rule.F4)
# The per-rule sums the computation keeps on each ledger (funding.ledgers.services._rule_totals):
# the city's and an authority's totals add ledgers up, never lines.
RULE_FIELDS = ("total_f1", "total_f2", "total_f4")
_SUM_NAMES = tuple(f"sum_{name}" for name in RULE_FIELDS)
_RULE_SUMS = {alias: Sum(name) for alias, name in zip(_SUM_NAMES, RULE_FIELDS, strict=True)}
ZERO = Decimal("0.00")
# The ledger list's order (index ledger_list_order_idx, migration funding/0002): newest year
# first, then by group, paying authority and sequence.
LEDGER_ORDER = ("-fiscal_year", "group_id", "authority_id", "sequence", "pk")


def fiscal_year_today(today: datetime.date | None = None) -> int:
    """The fiscal year is the calendar year (预算年度)."""
    return (today or timezone.localdate()).year


# --- scoped ledgers -------------------------------------------------------------------------


def ledger_list_for_user(*, user: User) -> QuerySet[Ledger]:
    """The ledgers `user` may read: every one for whoever sees the whole city's money; for
    district staff those their authority pays or approved the group of (the keys read in one
    query, so the list filters on a literal list rather than an OR across a join); for a
    principal their group's (policy F-3); none for anyone else."""
    qs = Ledger.objects.select_related("group", "authority")
    if not can_read_ledgers(user).allowed:
        return qs.none()
    if user.sees_everything:
        return qs
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        pays = Ledger.objects.filter(authority_id=user.authority_id).order_by()
        approves = Ledger.objects.filter(group__authority_id=user.authority_id).order_by()
        keys = pays.values_list("pk", flat=True).union(
            approves.values_list("pk", flat=True), all=True
        )
        return qs.filter(pk__in=sorted(set(keys)))
    if user.is_principal and user.school_id:
        return qs.filter(group__core_school_id=user.school_id)
    return qs.none()


def rule_sums(ledger_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    """{ledger id: {rule: sum of its lines}} for the shown ledgers, read from the sums the
    computation keeps on each ledger (`Ledger.total_f1` …)."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    if not ledger_ids:
        return sums
    for ledger_id, *amounts in Ledger.objects.filter(pk__in=ledger_ids).values_list(
        "pk", *RULE_FIELDS
    ):
        sums[ledger_id] = dict(zip(RULES, amounts, strict=True))
    return sums


def with_rule_sums(ledgers: list[Ledger]) -> list[Ledger]:
    """Each ledger with `by_rule`: its F-1, F-2, F-4 sums in that order (0 where it has none)."""
    sums = rule_sums([ledger.pk for ledger in ledgers])
    for ledger in ledgers:
        mine = sums.get(ledger.pk, {})
        ledger.by_rule = [mine.get(rule, ZERO) for rule in RULES]  # type: ignore[attr-defined]
    return ledgers


# --- an authority's year --------------------------------------------------------------------


def authority_year_ledgers(*, authority_id: int, year: int) -> QuerySet[Ledger]:
    """The ledgers an authority pays in a fiscal year (one per group, and supplements)."""
    return Ledger.objects.filter(authority_id=authority_id, fiscal_year=year).select_related(
        "group", "group__core_school"
    )


@dataclass
class Totals:
    """Sums of a set of ledgers: by rule (F-1, F-2, F-4), locked and not yet locked."""

    by_rule: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(RULES, ZERO))
    locked: Decimal = ZERO
    open: Decimal = ZERO
    ledgers: int = 0
    lines: int = 0
    to_confirm: int = 0
    to_lock: int = 0

    @property
    def total(self) -> Decimal:
        return self.locked + self.open

    @property
    def rule_list(self) -> list[Decimal]:
        return [self.by_rule[rule] for rule in RULES]

    def add(self, rule: str, locked: bool, amount: Decimal | None) -> None:
        amount = amount or ZERO
        self.by_rule[rule] = self.by_rule.get(rule, ZERO) + amount
        if locked:
            self.locked += amount
        else:
            self.open += amount


def authority_year_totals(*, authority_id: int, year: int) -> Totals:
    """What an authority owes for a year across groups: ledgers by state (counted, and the
    lines) and the lines' sums by rule, locked or not; two GROUP BY queries (policy F-1, F-2,
    F-4)."""
    totals = Totals()
    ledgers = authority_year_ledgers(authority_id=authority_id, year=year)
    for status, n, lines in (
        ledgers.order_by()
        .values_list("status")
        .annotate(n=Count("pk"), line_total=Sum("line_count"))
        .values_list("status", "n", "line_total")
    ):
        totals.ledgers += n
        totals.lines += lines or 0
        if status == LedgerStatus.DRAFT:
            totals.to_confirm += n
        elif status == LedgerStatus.CONFIRMED:
            totals.to_lock += n
    for status, *amounts in (
        ledgers.order_by()
        .values_list("status")
        .annotate(**_RULE_SUMS)
        .values_list("status", *_SUM_NAMES)
    ):
        for rule, amount in zip(RULES, amounts, strict=True):
            totals.add(rule, status == LedgerStatus.LOCKED, amount)
    return totals


# --- the city's totals ----------------------------------------------------------------------


@dataclass
class CityFigures:
    years: list[int]
    by_year: dict[int, Totals]
    year: int | None
    by_authority: list[tuple[int, str, Totals]]  # (authority id, name, totals), largest first
    total: Totals


def ledgers_generation() -> int:
    """The newest row of the ledgers' audit history (0 before any): it changes whenever a
    ledger does (one read of an index)."""
    return history_rows(Ledger).aggregate(last=Max("history_id"))["last"] or 0


def _city_compute(year: int | None) -> dict:
    by_year: dict[int, Totals] = defaultdict(Totals)
    for fiscal_year, status, *amounts in (
        Ledger.objects.order_by()
        .values_list("fiscal_year", "status")
        .annotate(**_RULE_SUMS)
        .values_list("fiscal_year", "status", *_SUM_NAMES)
    ):
        for rule, amount in zip(RULES, amounts, strict=True):
            by_year[fiscal_year].add(rule, status == LedgerStatus.LOCKED, amount)
    years = sorted(by_year)
    if year is None and years:
        year = years[-1]
    by_authority: dict[int, Totals] = defaultdict(Totals)
    if year is not None:
        for authority_id, status, *amounts in (
            Ledger.objects.filter(fiscal_year=year)
            .order_by()
            .values_list("authority_id", "status")
            .annotate(**_RULE_SUMS)
            .values_list("authority_id", "status", *_SUM_NAMES)
        ):
            for rule, amount in zip(RULES, amounts, strict=True):
                by_authority[authority_id].add(rule, status == LedgerStatus.LOCKED, amount)
    return {"years": years, "by_year": dict(by_year), "year": year, "by_authority": by_authority}


def city_figures(*, year: int | None = None) -> CityFigures:
    """The city's totals (policy F-1, F-2, F-4): by year, rule and lock (the chart and its
    table), and by paying authority for one year (the latest with ledgers unless asked). Two
    GROUP BY queries over the lines when computed; one read of the generation when cached."""
    from django.core.cache import cache

    generation = ledgers_generation()
    key = f"funding:city:{year or 'latest'}"
    entry = cache.get(key)
    if entry is not None and entry[0] == generation:
        data = entry[1]
    else:
        data = _city_compute(year)
        cache.set(key, (generation, data), FIGURES_TTL)
    names = dict(authority_choices())
    by_authority = sorted(
        (
            (authority_id, names.get(str(authority_id), str(authority_id)), totals)
            for authority_id, totals in data["by_authority"].items()
        ),
        key=lambda row: (-row[2].total, row[1]),
    )
    total = Totals()
    for totals in data["by_year"].values():
        for rule in RULES:
            total.by_rule[rule] += totals.by_rule[rule]
        total.locked += totals.locked
        total.open += totals.open
    return CityFigures(data["years"], data["by_year"], data["year"], by_authority, total)


# --- the landing page -----------------------------------------------------------------------


def group_led_by(school_id: int | None) -> EducationGroup | None:
    """The group the principal's school leads (the newest, should it have led several)."""
    if not school_id:
        return None
    return (
        EducationGroup.objects.filter(core_school_id=school_id).order_by("-founded_on", "-pk")
    ).first()


def status_counts(ledgers: QuerySet[Ledger]) -> dict[str, int]:
    """How many of these ledgers are in each state (one GROUP BY)."""
    counts = dict.fromkeys(LedgerStatus.values, 0)
    for status, n in ledgers.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] = n
    return counts


def pending_for_authority(authority_id: int) -> QuerySet[Ledger]:
    """Ledgers waiting for the authority's confirmation (policy F-1, F-2, F-4), every year."""
    return Ledger.objects.filter(
        Q(authority_id=authority_id), status=LedgerStatus.DRAFT
    ).select_related("group")
