"""Scoped reads of assessment cycles (policy A-1): what a person may see, in a constant number
of queries whatever the number of groups."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from assessments.cycles.models import Cycle, CycleGroup, FactualFlag, Score
from assessments.cycles.permissions import can_view_entry, is_reader
from assessments.cycles.workflows import CycleStatus, FlagStatus
from assessments.frameworks.models import Indicator
from members.models import User


def _entry_scope(user: User) -> Q | None:
    """The entries a person sees, as a condition on CycleGroup; None: all."""
    if is_reader(user) or user.is_city_staff:
        return None
    if user.is_district_staff and user.authority_id:
        return Q(cycle__authority_id=user.authority_id) | Q(group__authority_id=user.authority_id)
    if user.role == User.Role.CORE_PRINCIPAL and user.school_id:
        return Q(group__core_school_id=user.school_id) & ~Q(cycle__status=CycleStatus.OPEN)
    return Q(pk__in=[])


def cycle_list_for_user(*, user: User) -> QuerySet[Cycle]:
    """The cycles a person sees: every one for the readers and the city, a district's own and
    the city's that cover its groups, the started ones covering a core principal's group."""
    qs = Cycle.objects.select_related("authority", "framework")
    if is_reader(user) or user.is_city_staff:
        return qs
    scope = _entry_scope(user)
    if user.is_district_staff and user.authority_id:
        covers = CycleGroup.objects.filter(
            cycle=OuterRef("pk"), group__authority_id=user.authority_id
        )
        return qs.filter(Q(authority_id=user.authority_id) | Exists(covers))
    return qs.filter(Exists(CycleGroup.objects.filter(scope, cycle=OuterRef("pk"))))


def cycle_get_for_user(*, user: User, cycle_id: int) -> Cycle:
    cycle = cycle_list_for_user(user=user).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404
    return cycle


def entry_list_for_user(*, user: User, cycle: Cycle) -> QuerySet[CycleGroup]:
    """The cycle's groups the person sees, with their progress counted in the same query:
    manual indicators scored, open and all flags."""
    scope = _entry_scope(user)
    qs = CycleGroup.objects.filter(cycle=cycle)
    if scope is not None and not (user.acts_for_authority(cycle.authority_id)):
        qs = qs.filter(scope)
    return (
        qs.select_related("group__core_school", "group__authority")
        .annotate(
            scored=Count(
                "scores",
                filter=Q(scores__indicator__source=Indicator.Source.MANUAL)
                & (Q(scores__score__isnull=False) | Q(scores__passed__isnull=False)),
                distinct=True,
            ),
            self_filled=Count(
                "scores",
                filter=Q(scores__self_score__isnull=False) | Q(scores__self_passed__isnull=False),
                distinct=True,
            ),
            open_flags=Count("flags", filter=Q(flags__status=FlagStatus.OPEN), distinct=True),
            all_flags=Count("flags", distinct=True),
        )
        .order_by("group__code")
    )


def entry_get_for_user(*, user: User, entry_id: int) -> CycleGroup:
    entry = (
        CycleGroup.objects.select_related(
            "cycle__authority", "cycle__framework", "group__core_school", "group__authority"
        )
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or not can_view_entry(user, entry):
        raise Http404
    return entry


def entry_scores(*, entry: CycleGroup) -> dict[int, Score]:
    """{indicator id: Score} of one group's part, with the evidence files (two queries)."""
    return {
        s.indicator_id: s
        for s in Score.objects.filter(entry=entry)
        .select_related("scored_by")
        .prefetch_related("attachments")
    }


def entry_flags(*, entry: CycleGroup) -> QuerySet[FactualFlag]:
    return FactualFlag.objects.filter(entry=entry).select_related(
        "indicator", "raised_by", "resolved_by"
    )


def framework_tree(framework_id: int) -> list:
    """The framework's dimensions, each with its indicators (`inds`), in order (two queries)."""
    from assessments.frameworks.models import Dimension

    dims = list(Dimension.objects.filter(framework_id=framework_id).order_by("order", "id"))
    by_dim: dict[int, list] = {d.pk: [] for d in dims}
    for ind in Indicator.objects.filter(dimension__framework_id=framework_id).order_by(
        "dimension__order", "order", "id"
    ):
        by_dim[ind.dimension_id].append(ind)
    for d in dims:
        d.inds = by_dim[d.pk]  # type: ignore[attr-defined]
    return dims


def latest_published_entry(*, user: User, group_id: int) -> CycleGroup | None:
    """The group's part in its latest published cycle, when the person may see it."""
    qs = CycleGroup.objects.filter(group_id=group_id, cycle__status=CycleStatus.PUBLISHED)
    scope = _entry_scope(user)
    if scope is not None:
        qs = qs.filter(scope | Q(cycle__authority_id=user.authority_id or 0))
    return qs.order_by("-cycle__period_end", "-cycle_id").first()
