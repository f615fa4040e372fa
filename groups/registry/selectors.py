"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404

from groups.charter.models import GroupDocument
from groups.registry.membership import today as membership_today
from groups.registry.models import CouncilSeat, EducationGroup, Membership, Partnership
from members.models import School, User
from qingdao_groups.core.request_cache import cached


def _granted_group_ids(user: User) -> QuerySet:
    """The ids of the groups granted to this user one by one with django-guardian (e.g. an
    outside adviser), directly or through an auth group: one UNION ALL, each object key cast to
    the groups' key. guardian's own shortcut compares `id::varchar IN (…)`, which no index
    serves: every district list scanned the 20,000 groups of a nation (12 ms -> 0.1 ms)."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    perm = {
        # by name in the same query (a looked-up ContentType costs a first query per process)
        "content_type__app_label": EducationGroup._meta.app_label,
        "content_type__model": EducationGroup._meta.model_name,
        "permission__codename": "view_educationgroup",
    }
    as_id = Cast("object_pk", BigIntegerField())
    mine = UserObjectPermission.objects.filter(user=user, **perm).order_by()
    theirs = GroupObjectPermission.objects.filter(group__user=user, **perm).order_by()
    return (
        mine.annotate(gid=as_id)
        .values("gid")
        .union(theirs.annotate(gid=as_id).values("gid"), all=True)
    )


def _own_schools(user: User) -> QuerySet[School]:
    """The schools a district runs or that lie in its district (members.selectors' own part)."""
    district = user.authority.district_id  # type: ignore[union-attr]  # authority_id is set
    own = Q(authority_id=user.authority_id) | (Q(district_id=district) if district else Q())
    return School.objects.filter(own)


def _visible_groups_qs(user: User, day: datetime.date):
    current = Membership.objects.current(today=day)
    if user.is_district_staff and user.authority_id:
        # the groups its authority approved, and those with a current member among its schools
        member_here = current.filter(school__in=_own_schools(user)).values("group_id")
        # a UNION ALL, each part by its index (an OR with the subquery scanned every group)
        own = EducationGroup.objects.filter(authority_id=user.authority_id).order_by()
        return own.values_list("pk", flat=True).union(member_here.order_by(), all=True)
    if user.is_principal and user.school_id:
        return current.filter(school_id=user.school_id).values_list("group_id", flat=True)
    return None


def visible_group_ids(user: User, *, today: datetime.date | None = None) -> list[int] | None:
    """The ids of the groups `user` sees through their role; None means every group. Computed
    in one query, once per request (a district sees tens of groups: a literal list lets the
    database use its indexes, where a nested subquery made it guess thousands). Grants
    (django-guardian) are not included: see group_scope_q."""
    if not user.is_authenticated:
        return []
    if user.sees_everything:
        return None
    day = today or membership_today()
    qs = _visible_groups_qs(user, day)
    if qs is None:
        return []
    return cached(("visible_group_ids", user.pk, day), lambda: sorted(set(qs)))


def group_scope_q(user: User, *, today: datetime.date | None = None, one: bool = False) -> Q | None:
    """The filter of groups `user` may see; None means the whole city.

    A district sees the groups its authority approved and those with a current member in its
    scope; a principal sees the group their school is a member of today (until its exit takes
    effect; not before its join does); anyone also sees the groups granted to them individually
    (django-guardian object permission), a separate cheap OR. The role's groups are a list
    computed once per request (`one`: for a single group by key, an uncorrelated subquery); the
    correlated form took seconds per district list at nation scale (issue 7)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    granted = _granted_group_ids(user)
    if one:  # a single group by key: an uncorrelated subquery costs no extra query
        qs = _visible_groups_qs(user, today or membership_today())
        if qs is None:
            return Q(pk__in=granted)
        role = qs.order_by()
    else:
        ids = visible_group_ids(user, today=today) or []
        role = EducationGroup.objects.filter(pk__in=ids).order_by().values_list("pk", flat=True)
    # one IN over a UNION ALL: an OR of IN-subqueries makes PostgreSQL scan every group
    return Q(pk__in=role.union(granted, all=True))


def group_list_for_user(
    *, user: User, today: datetime.date | None = None, one: bool = False
) -> QuerySet[EducationGroup]:
    """Groups the user may see, with what the list page shows, in one query: `member_count`
    counts the members of `today` (policy G-1)."""
    today = today or membership_today()
    members = (
        Membership.objects.active_on(today)
        .members()
        .filter(group_id=OuterRef("pk"))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # A scalar subquery per returned row: counted for the page's rows only, after LIMIT, not
    # aggregated over every membership before the page is cut (issue 7).
    qs = EducationGroup.objects.select_related(
        "core_school", "core_school__district", "authority"
    ).annotate(
        member_count=Coalesce(Subquery(members), 0),
    )
    q = group_scope_q(user, today=today, one=one)
    return qs if q is None else qs.filter(q)


def group_get_for_user(
    *, user: User, group_id: int, today: datetime.date | None = None
) -> EducationGroup:
    """The group with its members, partners, council and documents prefetched; 404 when the user
    may not see it."""
    qs = group_list_for_user(user=user, today=today, one=True).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related(
                "school", "school__authority", "school__district"
            ).order_by("-role", "left_on", "joined_on", "id"),
        ),
        Prefetch("partnerships", queryset=Partnership.objects.select_related("partner")),
        Prefetch("council_seats", queryset=CouncilSeat.objects.select_related("school")),
        Prefetch(
            "documents",
            queryset=GroupDocument.objects.select_related("uploaded_by").order_by(
                "kind", "-version"
            ),
        ),
    )
    try:
        return qs.get(pk=group_id)
    except EducationGroup.DoesNotExist as exc:
        raise Http404 from exc


def schools_seen_through_groups(
    user: User, *, today: datetime.date | None = None
) -> QuerySet | None:
    """The ids of the further schools a user sees through groups (members.extensions): for a
    district, the current schools of the groups it sees (those it approves and those with a
    member of its own); for a principal, the current schools of their own group. Current as of
    `today`."""
    if not user.is_authenticated or user.sees_everything:
        return None
    if not (
        (user.is_district_staff and user.authority_id) or (user.is_principal and user.school_id)
    ):
        return None
    groups = visible_group_ids(user, today=today)
    current = Membership.objects.current(today=today)
    # the schools of those few groups, by index (issue 7)
    return current.filter(group_id__in=groups).values("school_id")


def school_memberships(*, school: School) -> QuerySet[Membership]:
    """A school's whole membership history, newest first."""
    return (
        Membership.objects.filter(school=school)
        .select_related("group", "group__core_school")
        .order_by("-joined_on", "-id")
    )


def today() -> datetime.date:
    return membership_today()


@dataclass(frozen=True)
class AttentionItem:
    group: EducationGroup
    clause: str
    message: str


def group_attention_for_user(
    *, user: User, limit: int = 20, today: datetime.date | None = None
) -> list[AttentionItem]:
    """Registry gaps in the groups a user may see, each against its clause: no charter (G-4),
    no chief principal (G-3), no weak school among current members (A-4). One query."""
    from django.utils.translation import gettext as _

    today = today or membership_today()
    qs = (
        group_list_for_user(user=user, today=today)
        .filter(status=EducationGroup.Status.ACTIVE)
        .annotate(
            has_charter=Exists(
                GroupDocument.objects.filter(
                    group_id=OuterRef("pk"), kind=GroupDocument.Kind.CHARTER
                )
            ),
            has_chief=Exists(
                CouncilSeat.objects.filter(
                    group_id=OuterRef("pk"),
                    role=CouncilSeat.Role.CHIEF_PRINCIPAL,
                    ended_on__isnull=True,
                )
            ),
            has_weak=Exists(
                Membership.objects.current(today=today)
                .members()
                .filter(group_id=OuterRef("pk"), school__is_weak=True)
            ),
        )
        .filter(Q(has_charter=False) | Q(has_chief=False) | Q(has_weak=False))
        .order_by("name")
    )
    items: list[AttentionItem] = []
    for group in qs[:limit]:
        if not group.has_charter:
            items.append(AttentionItem(group, "G-4", _("尚未登记集团章程")))
        if not group.has_chief:
            items.append(AttentionItem(group, "G-3", _("尚未登记总校长")))
        if not group.has_weak:
            items.append(AttentionItem(group, "A-4", _("成员校中没有薄弱学校")))
    return items


def core_school_candidates(user: User) -> QuerySet[School]:
    """Schools an administrator may register a group around (the group-core school picker):
    those the user sees, a district's own; none for whoever may not register groups."""
    from groups.registry.permissions import can_create_group
    from members.selectors import school_list_for_user  # noqa: PLC0415

    if not can_create_group(user).allowed:
        return School.objects.none()
    qs = school_list_for_user(user=user)
    if user.is_district_staff:
        qs = qs.filter(authority=user.authority)
    return qs


def member_school_candidates(user: User) -> QuerySet[School]:
    """Schools an administrator may record as members (the membership-add school picker)."""
    from groups.registry.permissions import can_create_group

    return School.objects.all() if can_create_group(user).allowed else School.objects.none()
