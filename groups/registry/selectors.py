"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy

from groups.charter.models import GroupDocument
from groups.registry.membership import today as membership_today
from groups.registry.models import CouncilSeat, EducationGroup, Membership, Partnership
from members.models import School, User
from qingdao_groups.core.queries import by_key
from qingdao_groups.core.request_cache import cached


def _grants(user: User, *tag: Value) -> list[QuerySet]:
    """The keys (and `tag`) of the groups granted to `user` one by one with django-guardian
    (e.g. an outside adviser), directly and through an auth group. Guardian's own queryset
    compares the grants' text keys with every group's key cast to text, which the planner took
    for thousands of groups: a principal's one-group queries scanned the whole table (issue 7).
    Here the grants' keys are cast to numbers instead."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    perm = {
        "permission__content_type_id": ContentType.objects.get_for_model(EducationGroup).pk,
        "permission__codename": "view_educationgroup",
    }
    key = Cast("object_pk", BigIntegerField())
    return [
        UserObjectPermission.objects.filter(user_id=user.pk, **perm).values_list(key, *tag),
        GroupObjectPermission.objects.filter(group__user=user.pk, **perm).values_list(key, *tag),
    ]


def _granted_q(user: User) -> Q:
    own, shared = _grants(user)
    return Q(pk__in=own) | Q(pk__in=shared)


def _own_schools(user: User) -> QuerySet[School]:
    """The schools a district runs or that lie in its district (members.selectors' own part)."""
    district = user.authority.district_id  # type: ignore[union-attr]  # authority_id is set
    own = Q(authority_id=user.authority_id) | (Q(district_id=district) if district else Q())
    return School.objects.filter(own)


def _visible_groups(user: User, day: datetime.date) -> list[tuple[QuerySet, str]] | None:
    """The groups `user` sees through their role, as parts to unite: rows and the field that
    holds the group's key (a district: the groups its authority approved, and those with a
    current member among its schools; a principal: their school's group). None for a user with
    no role scope. Parts, not one filter OR'ed: the OR made the database read every group."""
    current = Membership.objects.current(today=day)
    if user.is_district_staff and user.authority_id:
        return [
            (EducationGroup.objects.filter(authority_id=user.authority_id), "pk"),
            (current.filter(school__in=_own_schools(user)), "group_id"),
        ]
    if user.is_principal and user.school_id:
        return [(current.filter(school_id=user.school_id), "group_id")]
    return None


def _scope_ids(user: User, day: datetime.date) -> tuple[list[int], list[int]] | None:
    """(the ids of the groups `user` sees through their role, the ids granted to them), in one
    query, once per request; None for a user with no role scope."""
    visible = _visible_groups(user, day)
    if visible is None:
        return None

    def compute() -> tuple[list[int], list[int]]:
        role = [qs.order_by().values_list(key, Value(False)) for qs, key in visible]
        granted = [qs.order_by() for qs in _grants(user, Value(True))]
        rows = role[0].union(*role[1:], *granted, all=True)
        return (
            sorted({pk for pk, is_grant in rows if not is_grant}),
            sorted({pk for pk, is_grant in rows if is_grant}),
        )

    return cached(("group_scope_ids", user.pk, day), compute)


def visible_group_ids(user: User, *, today: datetime.date | None = None) -> list[int] | None:
    """The ids of the groups `user` sees through their role; None means every group. Computed
    in one query, once per request (a district sees tens of groups: a literal list lets the
    database use its indexes, where a nested subquery made it guess thousands). Grants
    (django-guardian) are not included: see group_scope_q."""
    if not user.is_authenticated:
        return []
    if user.sees_everything:
        return None
    ids = _scope_ids(user, today or membership_today())
    return [] if ids is None else ids[0]


def group_scope_q(user: User, *, today: datetime.date | None = None, one: bool = False) -> Q | None:
    """The filter of groups `user` may see; None means the whole city.

    A district sees the groups its authority approved and those with a current member in its
    scope; a principal sees the group their school is a member of today (until its exit takes
    effect; not before its join does); anyone also sees the groups granted to them individually
    (django-guardian object permission). The role's groups and the grants are one list computed
    once per request (`one`: for a single group by key, uncorrelated subqueries); the correlated
    form took seconds per district list at nation scale, and a grant OR'ed in as a subquery made
    the planner expect thousands of groups where a principal sees one (issue 7)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    day = today or membership_today()
    if one:  # a single group by key: uncorrelated subqueries cost no extra query
        visible = _visible_groups(user, day) or []
        q = _granted_q(user)
        for qs, key in visible:
            q |= Q(pk__in=qs.values(key))
        return q
    ids = _scope_ids(user, day)
    if ids is None:
        return _granted_q(user)
    return Q(pk__in=sorted({*ids[0], *ids[1]}))


def group_scope_key(user: User, *, today: datetime.date | None = None) -> str | None:
    """A name for what `user` sees of the registry on `today`: equal for users who see the same
    groups and schools (the whole city; one authority's; one school's; with the same grants),
    so figures computed for one serve the others (qingdao_groups.core.figures). None for a user
    with no scope of their role. Costs no query beyond the request's visible-group ids."""
    if not user.is_authenticated:
        return None
    day = today or membership_today()
    if user.sees_everything:
        return f"all:{day}"
    ids = _scope_ids(user, day)
    if ids is None:
        return None
    who = f"authority-{user.authority_id}" if user.is_district_staff else f"school-{user.school_id}"
    granted = "".join(f"+{pk}" for pk in ids[1])
    return f"{who}{granted}:{day}"


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


def _sees_loaded_group(
    user: User, group: EducationGroup, memberships: list[Membership], day: datetime.date
) -> bool:
    """The role's rule of `_visible_groups_qs` decided on one group whose memberships are loaded
    (its page reads them anyway): the authority that approved it, a district with a current
    member among its own schools, the principal of a current member. No query."""
    if user.sees_everything:
        return True
    if user.is_district_staff and user.authority_id:
        if group.authority_id == user.authority_id:
            return True
        district = user.authority.district_id  # type: ignore[union-attr]  # authority_id is set
        return any(
            m.is_active_on(day)
            and (
                m.school.authority_id == user.authority_id
                or (district and m.school.district_id == district)
            )
            for m in memberships
        )
    if user.is_principal and user.school_id:
        return any(m.is_active_on(day) and m.school_id == user.school_id for m in memberships)
    return False


def group_get_for_user(
    *, user: User, group_id: int, today: datetime.date | None = None
) -> EducationGroup:
    """The group with its memberships (their schools, and their districts' names as
    `school_district_name`) prefetched; 404 when the user may not see it. The role's rule is
    decided on the loaded memberships, a grant (django-guardian) asked only when the role does
    not see the group: the group is read by key, without the scope's subqueries to build and
    plan (issue 7)."""
    day = today or membership_today()
    if not user.is_authenticated:
        raise Http404
    try:
        group = by_key(
            EducationGroup.objects.select_related(
                "core_school", "core_school__district", "authority"
            ),
            group_id,
        )
    except EducationGroup.DoesNotExist as exc:
        raise Http404 from exc
    # the district's name, not a District object per row (a hundred rows: 1 ms)
    members = Membership.objects.select_related("school").annotate(
        school_district_name=F("school__district__name")
    )
    prefetch_related_objects(
        [group],
        Prefetch("memberships", queryset=members.order_by("-role", "left_on", "joined_on", "id")),
    )
    memberships = list(group.memberships.all())
    if not _sees_loaded_group(user, group, memberships, day) and not (
        EducationGroup.objects.filter(pk=group.pk).filter(_granted_q(user)).exists()
    ):
        raise Http404
    return group


def group_partnerships(*, group: EducationGroup) -> QuerySet[Partnership]:
    """The group's partners (the X of 1+N+X, policy G-1), oldest first."""
    return Partnership.objects.filter(group_id=group.pk).select_related("partner")


def group_council(*, group: EducationGroup) -> QuerySet[CouncilSeat]:
    """The seats of the group's council (policy G-3), by role."""
    return CouncilSeat.objects.filter(group_id=group.pk).select_related("school")


def group_documents(*, group: EducationGroup) -> QuerySet[GroupDocument]:
    """The group's charter and rules (policy G-4), each kind newest version first."""
    return GroupDocument.objects.filter(group_id=group.pk).order_by("kind", "-version")


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
    no chief principal (G-3), no weak school among current members (A-4). One query, live.

    The filter tests every visible group (the database may hash each test once for the whole
    table); the gaps shown are read again for the returned rows only, as scalar subqueries, which
    are never hashed: read as EXISTS, the weak-member test alone hashed every current membership
    of the city on each home page (issue 7)."""
    from django.utils.translation import gettext as _

    today = today or membership_today()
    charter = GroupDocument.objects.filter(group_id=OuterRef("pk"), kind=GroupDocument.Kind.CHARTER)
    chief = CouncilSeat.objects.filter(
        group_id=OuterRef("pk"), role=CouncilSeat.Role.CHIEF_PRINCIPAL, ended_on__isnull=True
    )
    weak = (
        Membership.objects.current(today=today)
        .members()
        .filter(group_id=OuterRef("pk"), school__is_weak=True)
    )
    scope = group_scope_q(user, today=today)
    qs = (
        EducationGroup.objects.filter(status=EducationGroup.Status.ACTIVE)
        .filter(*([] if scope is None else [scope]))
        .alias(has_charter=Exists(charter), has_chief=Exists(chief), has_weak=Exists(weak))
        .filter(Q(has_charter=False) | Q(has_chief=False) | Q(has_weak=False))
        .annotate(
            a_charter=Subquery(charter.order_by().values("pk")[:1]),
            a_chief=Subquery(chief.order_by().values("pk")[:1]),
            a_weak=Subquery(weak.order_by().values("pk")[:1]),
        )
        .only("pk", "name")
        .order_by("name")
    )
    items: list[AttentionItem] = []
    for group in qs[:limit]:
        if group.a_charter is None:
            items.append(AttentionItem(group, "G-4", _("尚未登记集团章程")))
        if group.a_chief is None:
            items.append(AttentionItem(group, "G-3", _("尚未登记总校长")))
        if group.a_weak is None:
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


# The registry gaps the home page counts and the group list filters by (policy G-4, G-3, A-4).
GAPS: dict[str, tuple[str, Any]] = {  # (clause, lazy message)
    "charter": ("G-4", gettext_lazy("尚未登记集团章程")),
    "chief": ("G-3", gettext_lazy("尚未登记总校长")),
    "weak": ("A-4", gettext_lazy("成员校中没有薄弱学校")),
}


def group_gap_condition(gap: str, *, today: datetime.date | None = None):
    """A filter on EducationGroup rows: the group has the gap (no charter G-4, no chief principal
    G-3, no weak school among its current members A-4)."""
    today = today or membership_today()
    if gap == "charter":
        return ~Exists(
            GroupDocument.objects.filter(group_id=OuterRef("pk"), kind=GroupDocument.Kind.CHARTER)
        )
    if gap == "chief":
        return ~Exists(
            CouncilSeat.objects.filter(
                group_id=OuterRef("pk"),
                role=CouncilSeat.Role.CHIEF_PRINCIPAL,
                ended_on__isnull=True,
            )
        )
    if gap == "weak":
        return ~Exists(
            Membership.objects.current(today=today)
            .members()
            .filter(group_id=OuterRef("pk"), school__is_weak=True)
        )
    raise ValueError(gap)


@dataclass(frozen=True)
class AttentionCount:
    gap: str
    clause: str
    message: str
    count: int


def group_gap_counts(*, user: User, today: datetime.date | None = None) -> dict[str, int]:
    """How many of the active groups a user may see have each registry gap (policy G-4, G-3,
    A-4), by gap: one query over the user's groups (the home page caches it per scope,
    qingdao_groups.selectors.home_figures)."""
    today = today or membership_today()
    scope = group_scope_q(user, today=today)
    qs = EducationGroup.objects.filter(status=EducationGroup.Status.ACTIVE).filter(
        *([] if scope is None else [scope])
    )
    counts = qs.aggregate(
        **{gap: Count("pk", filter=Q(group_gap_condition(gap, today=today))) for gap in GAPS}
    )
    return {gap: counts[gap] or 0 for gap in GAPS}


def group_attention_counts_for_user(
    *, user: User, today: datetime.date | None = None, counts: dict[str, int] | None = None
) -> list[AttentionCount]:
    """The home page's "需要关注" registry lines (policy G-4, G-3, A-4): one line per gap with
    the number of groups that have it, instead of one per group. `counts`: group_gap_counts
    already computed (cached); otherwise counted now (one query)."""
    if counts is None:
        counts = group_gap_counts(user=user, today=today)
    return [
        AttentionCount(gap, clause, str(message), counts.get(gap, 0))
        for gap, (clause, message) in GAPS.items()
        if counts.get(gap)
    ]
