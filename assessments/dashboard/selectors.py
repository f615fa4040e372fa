"""The statistics of the bureau's dashboard (issue 10; policy A-1, A-4, A-5), as of a chosen day
and within what the reader sees, each figure one aggregate in the database.

Scope: the city, auditors, administrators and the finance reviewer see the whole city; district
staff see their own schools (those their authority runs or that lie in their district: the own
part of `members.selectors.school_scope_q`) and the groups `groups.registry.selectors.
group_scope_q` gives them on that day (those their authority approved, those with a member among
their schools then). Who is a member on the day is asked of the membership API only
(`Membership.objects.active_on`, `EducationGroup.objects.active_on`, `active_q` through a
relation): nothing here compares `joined_on` or `left_on`.

The registry's figures (groups, coverage, types, weak schools) are computed once per scope and
day through `shared_figures`, like the home page's, and recomputed after any change to the
registry; cards and ledgers change without touching the registry, so their two aggregates are
read live (by index, one query each)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from funding.ledgers.workflows import LedgerStatus
from funding.overview.selectors import RULE_FIELDS, ledger_list_for_user
from groups.cards.models import Card
from groups.registry.membership import active_q
from groups.registry.models import (
    EducationGroup,
    Membership,
    PolicyParameters,
    RelationSubtype,
    RelationType,
)
from groups.registry.selectors import group_scope_key, group_scope_q
from members.models import School, User
from qingdao_groups.core.figures import shared_figures
from qingdao_groups.selectors import CITY_GROUP_TARGETS

# The years a chart of groups over time covers at most (back from the chosen day's year).
MAX_YEARS = 30
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Scope:
    """What a reader's figures cover on `day`: `groups`/`schools` None for the whole city."""

    user: User
    day: datetime.date
    groups: Q | None
    schools: Q | None
    key: str | None  # the shared-figures key (None: not shared)

    @property
    def whole_city(self) -> bool:
        return self.groups is None and self.schools is None


def dashboard_scope(*, user: User, day: datetime.date) -> Scope:
    """The reader's scope on `day` (one query for a district: its visible-group ids, computed
    once per request by the registry's selector)."""
    if user.sees_everything:
        return Scope(user, day, None, None, f"all:{day}")
    district = user.authority.district_id if user.authority_id else None  # type: ignore[union-attr]
    own = Q(authority_id=user.authority_id) | (Q(district_id=district) if district else Q())
    groups = group_scope_q(user, today=day)
    key = group_scope_key(user, today=day)
    return Scope(user, day, groups, own, key)


def _groups(scope: Scope) -> QuerySet[EducationGroup]:
    qs = EducationGroup.objects.order_by()
    return qs if scope.groups is None else qs.filter(scope.groups)


def _schools(scope: Scope) -> QuerySet[School]:
    qs = School.objects.order_by()
    return qs if scope.schools is None else qs.filter(scope.schools)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole in per cent, one decimal, half up; None for nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- groups over time against the A-5 targets -------------------------------------------------


def _year_end(year: int, day: datetime.date) -> datetime.date:
    """The last day of `year` known on `day`: 31 December, or `day` itself in its own year."""
    return min(datetime.date(year, 12, 31), day)


def group_years(scope: Scope) -> dict[str, Any]:
    """By year up to the chosen day's: groups founded, dissolved, and in being at the year's end
    (on the chosen day for its own year): two queries, the second one aggregate with a count per
    year. The A-5 targets (≥10 groups by 2020, ≥30 by 2025, `CITY_GROUP_TARGETS`, as on the
    home page) are judged on the groups in being at the end of their year, or on the chosen day
    while the year is not over (policy A-5)."""
    day = scope.day
    groups = _groups(scope)
    first = groups.filter(founded_on__lte=day).aggregate(first=Min("founded_on"))["first"]
    start = min([first.year if first else day.year] + [y for y, _t in CITY_GROUP_TARGETS])
    years = list(range(max(start, day.year - MAX_YEARS + 1), day.year + 1))
    target_years = [y for y, _t in CITY_GROUP_TARGETS]
    ends = {y: _year_end(y, day) for y in sorted({*years, *target_years})}
    counts = groups.aggregate(
        **{
            f"in_{y}": Count("pk", filter=Q(pk__in=EducationGroup.objects.active_on(end)))
            for y, end in ends.items()
        },
        **{
            f"founded_{y}": Count("pk", filter=Q(founded_on__year=y, founded_on__lte=day))
            for y in years
        },
        **{
            f"dissolved_{y}": Count("pk", filter=Q(dissolved_on__year=y, dissolved_on__lte=day))
            for y in years
        },
    )
    rows = [
        {
            "year": y,
            "founded": counts[f"founded_{y}"],
            "dissolved": counts[f"dissolved_{y}"],
            "in_being": counts[f"in_{y}"],
            "as_of": ends[y],
        }
        for y in years
    ]
    targets = []
    for year, target in CITY_GROUP_TARGETS:
        actual = counts[f"in_{year}"]
        over = datetime.date(year, 12, 31) <= day
        targets.append(
            {
                "year": year,
                "target": target,
                "actual": actual,
                "as_of": ends[year],
                "met": actual >= target,
                "state": "met" if actual >= target else ("missed" if over else "open"),
            }
        )
    return {"rows": rows, "targets": targets}


# --- coverage: schools in a group on the day --------------------------------------------------


def _in_group_on(day: datetime.date):
    return Exists(Membership.objects.active_on(day).filter(school_id=OuterRef("pk")))


def coverage(scope: Scope) -> dict[str, Any]:
    """The share of schools in a group on the day (集团化办学覆盖率), by district and by stage:
    two GROUP BY queries over the scope's schools, each school tested once by the membership
    API (a core school counts: it is in its group)."""
    schools = _schools(scope).alias(grouped=_in_group_on(scope.day))
    counted = {"total": Count("pk"), "in_group": Count("pk", filter=Q(grouped=True))}
    by_district = [
        {"code": code, "name": name, "total": total, "in_group": in_group}
        for code, name, total, in_group in schools.values_list("district_id", "district__name")
        .annotate(**counted)
        .values_list("district_id", "district__name", "total", "in_group")
        .order_by("district_id")
    ]
    by_stage = [
        {"stage": stage, "total": total, "in_group": in_group}
        for stage, total, in_group in schools.values_list("stage")
        .annotate(**counted)
        .values_list("stage", "total", "in_group")
        .order_by("stage")
    ]
    for row in (*by_district, *by_stage):
        row["share"] = percent(row["in_group"], row["total"])
    order = {value: i for i, value in enumerate(School.Stage.values)}
    by_stage.sort(key=lambda row: order.get(row["stage"], len(order)))
    total = sum(row["total"] for row in by_district)
    in_group = sum(row["in_group"] for row in by_district)
    return {
        "by_district": by_district,
        "by_stage": by_stage,
        "total": total,
        "in_group": in_group,
        "outside": total - in_group,
        "share": percent(in_group, total),
    }


def schools_outside_groups(scope: Scope) -> QuerySet[School]:
    """The scope's schools in no group on the day, by name (the list under the coverage)."""
    return (
        _schools(scope)
        .filter(~_in_group_on(scope.day))
        .select_related("district", "authority")
        .order_by("name", "id")
    )


# --- cooperation types and weak schools -------------------------------------------------------


def _members_on(scope: Scope) -> QuerySet[Membership]:
    qs = Membership.objects.active_on(scope.day).members().order_by()
    if scope.groups is not None:
        qs = qs.filter(group__in=_groups(scope))
    return qs


def relation_types(scope: Scope) -> dict[str, Any]:
    """Members on the day by cooperation type and subtype (policy T-1, T-2, T-3): one GROUP BY
    over the memberships in force in the scope's groups."""
    found = {
        (kind, sub): n
        for kind, sub, n in _members_on(scope)
        .values_list("relation_type", "relation_subtype")
        .annotate(n=Count("pk"))
        .values_list("relation_type", "relation_subtype", "n")
    }
    types = [
        {
            "type": kind,
            "count": sum(n for (k, _s), n in found.items() if k == kind),
            "subtypes": [
                {"subtype": sub, "count": found.get((kind, sub), 0)}
                for sub in RelationSubtype.values
                if sub.startswith(kind)
            ],
        }
        for kind in RelationType.values
    ]
    return {"types": types, "total": sum(found.values())}


def weak_shares(scope: Scope) -> dict[str, Any]:
    """Weak schools among each group's members on the day (policy A-4), for the groups in being
    then, and overall; a group below the minimum share (`PolicyParameters.min_weak_share`, as
    the admission checks use it) is marked. One GROUP BY over the groups and their memberships
    in force (the API's `active_q` through the relation), one read of the parameters."""
    day = scope.day
    in_force = active_q(day, prefix="memberships__") & Q(memberships__role=Membership.Role.MEMBER)
    groups = (
        _groups(scope)
        .filter(pk__in=EducationGroup.objects.active_on(day))
        .annotate(
            members=Count("memberships", filter=in_force),
            weak=Count("memberships", filter=in_force & Q(memberships__school__is_weak=True)),
        )
        .values_list("pk", "name", "code", "members", "weak")
    )
    minimum = PolicyParameters.for_request().min_weak_share
    rows = []
    for pk, name, code, members, weak in groups:
        share = percent(weak, members)
        below = not members or Decimal(weak) < minimum * members
        rows.append(
            {
                "pk": pk,
                "name": name,
                "code": code,
                "members": members,
                "weak": weak,
                "share": share,
                "below": below,
            }
        )
    rows.sort(key=lambda r: (r["share"] is not None, r["share"] or 0, r["name"], r["pk"]))
    members = sum(r["members"] for r in rows)
    weak = sum(r["weak"] for r in rows)
    return {
        "rows": rows,
        "members": members,
        "weak": weak,
        "share": percent(weak, members),
        "minimum": (minimum * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        "groups": len(rows),
        "below": sum(1 for r in rows if r["below"]),
        "no_members": sum(1 for r in rows if not r["members"]),
    }


# --- cards and subsidies (live) ---------------------------------------------------------------


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`, local time."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def cards_by_year(scope: Scope) -> list[dict[str, Any]]:
    """Yellow and red cards issued by the chosen day in the scope's groups, by year (local
    time) and level (policy L-6): one GROUP BY."""
    qs = Card.objects.filter(issued_at__lt=_end_of(scope.day)).order_by()
    if scope.groups is not None:
        qs = qs.filter(group__in=_groups(scope))
    found: dict[int, dict[str, int]] = {}
    for year, level, n in (
        qs.annotate(year=ExtractYear("issued_at"))
        .values_list("year", "level")
        .annotate(n=Count("pk"))
        .values_list("year", "level", "n")
    ):
        found.setdefault(year, {})[level] = n
    return [
        {
            "year": year,
            "yellow": found[year].get(Card.Level.YELLOW, 0),
            "red": found[year].get(Card.Level.RED, 0),
        }
        for year in sorted(found)
    ]


def subsidies_by_year(scope: Scope) -> list[dict[str, Any]]:
    """The F-1, F-2 and F-4 totals of the ledgers the reader may read (`funding.overview.
    selectors.ledger_list_for_user`) that were confirmed by the chosen day and are confirmed or
    locked now, by fiscal year, with the part locked by that day: one GROUP BY over the per-rule
    sums each ledger keeps (policy F-1, F-2, F-4)."""
    end = _end_of(scope.day)
    settled = Q(status__in=[LedgerStatus.CONFIRMED, LedgerStatus.LOCKED], confirmed_at__lt=end)
    locked = Q(status=LedgerStatus.LOCKED, locked_at__lt=end)
    qs = ledger_list_for_user(user=scope.user).filter(settled).order_by()
    sums: dict[str, Sum | Count] = {f"f_{name}": Sum(name) for name in RULE_FIELDS}
    sums["locked"] = Sum("total", filter=locked)
    sums["ledgers"] = Count("pk")
    rows = []
    for year, *values in (
        qs.values_list("fiscal_year")
        .annotate(**sums)
        .values_list("fiscal_year", *sums)
        .order_by("fiscal_year")
    ):
        f1, f2, f4, locked_sum, ledgers = values
        f1, f2, f4 = (v or ZERO for v in (f1, f2, f4))
        rows.append(
            {
                "year": year,
                "f1": f1,
                "f2": f2,
                "f4": f4,
                "total": f1 + f2 + f4,
                "locked": locked_sum or ZERO,
                "ledgers": ledgers,
            }
        )
    return rows


# --- assessment cycles in progress (live) -----------------------------------------------------


def cycles_in_progress(scope: Scope) -> list[dict[str, Any]]:
    """Assessment cycles created by the chosen day and not published by then (policy A-1), with
    the number of the scope's groups each covers and the deadline of the step it is in now; a
    district sees the cycles its authority organises and those covering its groups. One query
    (the covered groups counted in it)."""
    from assessments.cycles.models import Cycle

    end = _end_of(scope.day)
    covered = Q()
    if scope.groups is not None:
        covered = Q(entries__group__in=_groups(scope))
    qs = (
        Cycle.objects.filter(created_at__lt=end)
        .filter(Q(published_at__isnull=True) | Q(published_at__gte=end))
        .select_related("authority")
        .annotate(covered=Count("entries", filter=covered, distinct=True))
        .order_by("period_end", "pk")
    )
    if scope.groups is not None:
        qs = qs.filter(Q(authority_id=scope.user.authority_id) | Q(covered__gt=0))
    return [
        {
            "pk": cycle.pk,
            "name": cycle.name,
            "authority": str(cycle.authority),
            "status": cycle.status,
            "status_label": str(cycle.get_status_display()),
            "period_start": cycle.period_start,
            "period_end": cycle.period_end,
            "groups": cycle.covered,
            "due": cycle.step_due(),
        }
        for cycle in qs
    ]


# --- the whole page ---------------------------------------------------------------------------


def registry_figures(scope: Scope) -> dict[str, Any]:
    """The registry's figures of the page (groups over time and the A-5 targets, coverage,
    cooperation types, weak-school shares), computed once per scope and day and kept while the
    registry is unchanged (qingdao_groups.core.figures)."""

    def compute() -> dict[str, Any]:
        return {
            "years": group_years(scope),
            "coverage": coverage(scope),
            "types": relation_types(scope),
            "weak": weak_shares(scope),
        }

    if scope.key is None:
        return compute()
    return shared_figures(f"dashboard:{scope.key}", compute)


def dashboard_figures(*, user: User, day: datetime.date) -> dict[str, Any]:
    """Every figure of the dashboard for `user` as of `day` (policy A-1, A-4, A-5)."""
    scope = dashboard_scope(user=user, day=day)
    figures = dict(registry_figures(scope))
    figures["cards"] = cards_by_year(scope)
    figures["subsidies"] = subsidies_by_year(scope)
    figures["cycles"] = cycles_in_progress(scope)
    figures["whole_city"] = scope.whole_city
    figures["day"] = day
    return figures
