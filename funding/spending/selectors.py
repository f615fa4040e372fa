"""Reads of the core school's income and spending per year (policy F-3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from funding import rules
from funding.ledgers.models import LedgerLine
from funding.ledgers.workflows import LedgerStatus
from funding.spending.models import Spending
from groups.registry.models import EducationGroup
from qingdao_groups.models import Attachment

INCOME_RULES = (LedgerLine.Rule.F1, LedgerLine.Rule.F2)
INCOME_LABELS = {
    LedgerLine.Rule.F1: gettext_lazy("成员校专项奖补收入"),
    LedgerLine.Rule.F2: gettext_lazy("合作协议费用收入"),
}


@dataclass
class Income:
    """The core school's income of a fiscal year from the year's ledgers (F-1 subsidies, F-2
    fees), locked and open, adjustments included."""

    by_rule: dict[str, Decimal] = field(default_factory=dict)
    locked_by_rule: dict[str, Decimal] = field(default_factory=dict)
    lines: int = 0

    @property
    def total(self) -> Decimal:
        return rules.total(self.by_rule.values())

    @property
    def locked(self) -> Decimal:
        return rules.total(self.locked_by_rule.values())


def income_for_year(*, group: EducationGroup, year: int) -> Income:
    """What the year's ledgers (every sequence, locked or not, adjustment lines included) pay
    the group's core school under F-1 and F-2: one aggregate query over `LedgerLine`."""
    rows = (
        LedgerLine.objects.filter(
            ledger__group_id=group.pk,
            ledger__fiscal_year=year,
            rule__in=INCOME_RULES,
            payee_kind=LedgerLine.PartyKind.SCHOOL,
            payee_id=group.core_school_id,
        )
        .values("rule")
        .annotate(
            total=Sum("amount"),
            locked=Sum("amount", filter=Q(ledger__status=LedgerStatus.LOCKED)),
            n=Count("id"),
        )
        .order_by("rule")
    )
    income = Income()
    for row in rows:
        income.by_rule[row["rule"]] = rules.fen(row["total"] or rules.ZERO)
        income.locked_by_rule[row["rule"]] = rules.fen(row["locked"] or rules.ZERO)
        income.lines += row["n"]
    return income


def spending_by_category(*, group: EducationGroup, year: int) -> dict[str, Decimal]:
    """The year's spending summed per category (one query)."""
    return {
        row["category"]: rules.fen(row["total"])
        for row in Spending.objects.filter(group=group, fiscal_year=year)
        .values("category")
        .annotate(total=Sum("amount"))
        .order_by("category")
    }


def spending_list_for_group(*, group: EducationGroup, year: int) -> QuerySet[Spending]:
    """The year's spending rows, newest first, with their receipts (one prefetch for a page)."""
    receipts = Attachment.objects.filter(kind=Attachment.Kind.RECEIPT).order_by("version", "pk")
    return (
        Spending.objects.filter(group=group, fiscal_year=year)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("attachments", queryset=receipts.defer("text")))
        .order_by("-spent_on", "-id")
    )
