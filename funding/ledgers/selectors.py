"""Scoped reads of ledgers for the pages (issue 9; policy F-1, F-2, F-4), shaped so a page runs
the same number of queries whatever the number of ledgers and lines.

Who sees a group's money: `permissions.can_view_group_funding` (whoever sees everything, the
group's approving authority, the core principal) sees every ledger of the group; the staff of an
authority that pays one of the group's ledgers see the ledgers their authority pays, and only
those (`permissions.can_view_ledger`); anyone else gets 404."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from funding import rules
from funding.ledgers.models import Ledger, LedgerLine
from funding.ledgers.permissions import can_view_group_funding, can_view_ledger
from funding.ledgers.services import ledger_recompute_as_locked
from funding.ledgers.workflows import LedgerStatus
from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.models import OfficialDocument

YEAR_MIN, YEAR_MAX = 2000, 2100
RULES = ("F-1", "F-2", "F-4")
INCOME_RULES = ("F-1", "F-2")  # what the core school receives for the group (policy F-3)


@dataclass(frozen=True)
class GroupFunding:
    """A group as one reader may see its money: every ledger (`full`) or only those the reader's
    authority pays (`authority_id`)."""

    group: EducationGroup
    full: bool
    authority_id: int | None = None


def group_funding_for_user(*, user: User, group_id: int) -> GroupFunding:
    group = (
        EducationGroup.objects.select_related("authority", "core_school")
        .filter(pk=group_id)
        .first()
    )
    if group is None:
        raise Http404
    if can_view_group_funding(user, group):
        return GroupFunding(group, True)
    if (
        user.role in User.AUTHORITY_ROLES
        and user.authority_id
        and Ledger.objects.filter(group_id=group.pk, authority_id=user.authority_id).exists()
    ):
        return GroupFunding(group, False, user.authority_id)
    raise Http404


def _with_lines(qs: QuerySet[Ledger]) -> QuerySet[Ledger]:
    return qs.select_related(
        "authority", "computed_by", "confirmed_by", "locked_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=LedgerLine.objects.select_related("member_school", "adjusts").order_by(
                "position"
            ),
        ),
        Prefetch("documents", queryset=OfficialDocument.objects.order_by("issued_at", "id")),
    )


def group_year_ledgers(*, funding: GroupFunding, year: int) -> list[Ledger]:
    """The year's ledgers of the group the reader may see, each with its lines and archived
    statement: the group's own authority first, then by paying authority and sequence."""
    qs = Ledger.objects.filter(group_id=funding.group.pk, fiscal_year=year)
    if not funding.full:
        qs = qs.filter(authority_id=funding.authority_id or 0)
    ledgers = list(_with_lines(qs).order_by("authority_id", "sequence"))
    own = funding.group.authority_id
    ledgers.sort(key=lambda x: (x.authority_id != own, x.authority_id, x.sequence))
    return ledgers


def group_ledger_years(*, funding: GroupFunding) -> list[int]:
    qs = Ledger.objects.filter(group_id=funding.group.pk)
    if not funding.full:
        qs = qs.filter(authority_id=funding.authority_id or 0)
    return sorted(set(qs.values_list("fiscal_year", flat=True).distinct()))


def ledger_get_for_user(*, user: User, ledger_id: int) -> Ledger:
    ledger = (
        _with_lines(Ledger.objects.filter(pk=ledger_id))
        .select_related("group__authority", "group__core_school")
        .first()
    )
    if ledger is None or not can_view_ledger(user, ledger):
        raise Http404
    return ledger


# --- shaping the lines for the page -----------------------------------------------------------


@dataclass
class RuleSection:
    rule: str
    label: str
    lines: list[LedgerLine] = field(default_factory=list)
    total: Decimal = Decimal("0.00")


def rule_sections(lines: list[LedgerLine]) -> list[RuleSection]:
    """The lines grouped by rule (F-1, F-2, F-4), each with its total to the fen."""
    labels = dict(LedgerLine.Rule.choices)
    by_rule: dict[str, list[LedgerLine]] = defaultdict(list)
    for line in lines:
        by_rule[line.rule].append(line)
    return [
        RuleSection(
            rule,
            str(labels.get(rule, rule)),
            by_rule[rule],
            rules.total(x.amount for x in by_rule[rule]),
        )
        for rule in sorted(
            by_rule, key=lambda r: (r not in RULES, RULES.index(r) if r in RULES else 0, r)
        )
    ]


@dataclass
class YearTotals:
    by_rule: list[tuple[str, str, Decimal]]
    total: Decimal
    income: Decimal  # F-1 and F-2 paid to the core school
    income_locked: Decimal  # of which in locked ledgers


def year_totals(ledgers: list[Ledger], group: EducationGroup) -> YearTotals:
    labels = dict(LedgerLine.Rule.choices)
    sums: dict[str, list[Decimal]] = defaultdict(list)
    income: list[Decimal] = []
    locked: list[Decimal] = []
    for ledger in ledgers:
        for line in ledger.lines.all():
            sums[line.rule].append(line.amount)
            if (
                line.rule in INCOME_RULES
                and line.payee_kind == LedgerLine.PartyKind.SCHOOL
                and line.payee_id == group.core_school_id
            ):
                income.append(line.amount)
                if ledger.status == LedgerStatus.LOCKED:
                    locked.append(line.amount)
    return YearTotals(
        by_rule=[(r, str(labels[r]), rules.total(sums[r])) for r in RULES if r in sums],
        total=rules.total(x for amounts in sums.values() for x in amounts),
        income=rules.total(income),
        income_locked=rules.total(locked),
    )


# --- 复核: a locked ledger recomputed from the audit history ----------------------------------


@dataclass(frozen=True)
class VerifyRow:
    rule: str
    member: str
    slot: str
    locked: Decimal
    recomputed: Decimal

    @property
    def same(self) -> bool:
        return self.locked == self.recomputed


@dataclass(frozen=True)
class Verification:
    """The locked figures beside those the rules give from the history as it stood at the lock
    (issue 9: reproducibility)."""

    locked_count: int
    recomputed_count: int
    locked_total: Decimal
    recomputed_total: Decimal
    rows: list[VerifyRow]

    @property
    def reproduced(self) -> bool:
        return (
            self.locked_count == self.recomputed_count
            and self.locked_total == self.recomputed_total
            and all(row.same for row in self.rows)
        )

    @property
    def differences(self) -> list[VerifyRow]:
        return [row for row in self.rows if not row.same]


def ledger_verify(ledger: Ledger) -> Verification:
    """Recompute a locked ledger as it was locked (`services.ledger_recompute_as_locked`) and
    compare it line by line (policy F-1, F-2, F-4). The year's first ledger must give its lines
    exactly; a supplement its adjustments against the ledgers locked before it."""
    drafts = ledger_recompute_as_locked(ledger)
    recomputed = {line.key: line for line in drafts}
    # A supplement is replayed as the adjustments against the ledgers locked before it
    # (services.ledger_recompute_as_locked), so every ledger is compared with its own lines.
    held_lines = list(ledger.lines.select_related("member_school").order_by("position"))
    held: dict[tuple, Decimal] = defaultdict(Decimal)
    names: dict[tuple, str] = {}
    for line in held_lines:
        held[line.key] += line.amount
        names[line.key] = line.member_school.name
    rows = []
    for key in list(held) + [k for k in recomputed if k not in held]:
        draft = recomputed.get(key)
        name = names.get(key) or (draft.inputs.get("member", "") if draft else "")
        rows.append(
            VerifyRow(
                rule=key[0],
                member=name,
                slot=key[3],
                locked=rules.fen(held.get(key, Decimal("0"))),
                recomputed=rules.fen(draft.amount) if draft else Decimal("0.00"),
            )
        )
    return Verification(
        locked_count=len(held_lines),
        recomputed_count=len(drafts),
        locked_total=rules.total(held.values()),
        recomputed_total=rules.total(line.amount for line in drafts),
        rows=rows,
    )
