"""Reads of rate tables (policy F-1, F-4), shaped so that pages run a constant number of
queries. Every signed-in role reads every authority's rates (permissions.can_view_rates).

The list shows, per authority and year, the version in force: the highest version, the same
rule as `funding.ledgers.inputs.rates_for_year` (which alone decides what a computation uses;
a test pins that both agree)."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from funding.ledgers.models import LedgerLine
from funding.rates.models import RateTable
from members.models import School


def rate_tables_in_force() -> QuerySet[RateTable]:
    """The highest version of each authority's table per fiscal year, with `n_versions` (how
    many versions that authority-year has), newest year first."""
    newer = RateTable.objects.filter(
        authority_id=OuterRef("authority_id"),
        fiscal_year=OuterRef("fiscal_year"),
        version__gt=OuterRef("version"),
    )
    versions = (
        RateTable.objects.filter(
            authority_id=OuterRef("authority_id"), fiscal_year=OuterRef("fiscal_year")
        )
        .order_by()
        .values("authority_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        RateTable.objects.filter(~Exists(newer))
        .annotate(n_versions=Subquery(versions, output_field=IntegerField()))
        .select_related("authority", "created_by")
        .order_by("-fiscal_year", "authority_id", "-version")
    )


def rate_table_get(*, table_id: int) -> RateTable:
    try:
        return RateTable.objects.select_related("authority", "created_by").get(pk=table_id)
    except RateTable.DoesNotExist as exc:
        raise Http404 from exc


def rate_versions(*, authority_id: int, fiscal_year: int) -> list[RateTable]:
    """Every version of an authority-year, oldest first, with its stage rates and its maker."""
    return list(
        RateTable.objects.filter(authority_id=authority_id, fiscal_year=fiscal_year)
        .select_related("created_by")
        .prefetch_related("stage_rates")
        .order_by("version")
    )


@dataclass(frozen=True)
class LedgerUse:
    ledger_id: int
    group_name: str
    sequence: int
    status: str
    lines: int


def ledgers_using(
    *, authority_id: int, fiscal_year: int, table_ids: list[int]
) -> dict[int, list[LedgerUse]]:
    """The ledgers whose lines name each version in their inputs (`inputs.rate_table`): one
    query for all versions (a line's rates are its ledger's authority's, so the authority-year
    index narrows the search)."""
    rows = (
        LedgerLine.objects.filter(
            ledger__authority_id=authority_id,
            ledger__fiscal_year=fiscal_year,
            inputs__rate_table__in=table_ids,
        )
        .order_by()
        .values(
            "inputs__rate_table",
            "ledger_id",
            "ledger__group__name",
            "ledger__sequence",
            "ledger__status",
        )
        .annotate(n=Count("pk"))
    )
    used: dict[int, list[LedgerUse]] = defaultdict(list)
    for row in rows:
        used[int(row["inputs__rate_table"])].append(
            LedgerUse(
                ledger_id=row["ledger_id"],
                group_name=row["ledger__group__name"],
                sequence=row["ledger__sequence"],
                status=row["ledger__status"],
                lines=row["n"],
            )
        )
    for uses in used.values():
        uses.sort(key=lambda u: (u.group_name, u.sequence))
    return dict(used)


# What a version states, in the order the page shows it (stage rates come after); its note says
# why it differs and is shown with it, not compared.
FIELDS = (
    "subsidy_per_member",
    "proration",
    "reference_date",
    "transport_per_month",
    "lodging_per_month",
    "spring_term_starts",
    "autumn_term_starts",
)


def _shown(table: RateTable, name: str) -> Any:
    if name == "proration":
        return table.get_proration_display()
    value = getattr(table, name)
    return "—" if value in (None, "") else value


def stage_amounts(table: RateTable) -> dict[str, Any]:
    """{stage: amount} of the version's overrides (read from the prefetched rows)."""
    return {row.stage: row.amount for row in table.stage_rates.all()}


@dataclass(frozen=True)
class Change:
    label: Any
    before: Any
    after: Any


def version_changes(previous: RateTable, current: RateTable) -> list[Change]:
    """What `current` states differently from `previous` (policy F-1, F-4): each field and each
    stage override that changed, with both values."""
    changes = [
        Change(
            RateTable._meta.get_field(name).verbose_name,  # type: ignore[union-attr]
            _shown(previous, name),
            _shown(current, name),
        )
        for name in FIELDS
        if getattr(previous, name) != getattr(current, name)
    ]
    before, after = stage_amounts(previous), stage_amounts(current)
    stages = dict(School.Stage.choices)
    for stage in stages:
        if before.get(stage) != after.get(stage):
            changes.append(
                Change(
                    _("%(stage)s专项奖补") % {"stage": stages[stage]},
                    before.get(stage, _("按默认标准")),
                    after.get(stage, _("按默认标准")),
                )
            )
    return changes
