"""Scoped reads of awards (policy F-5)."""

from django.db.models import Q, QuerySet

from funding.awards.models import Award
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_scope_q
from members.models import User


def award_list_for_user(*, user: User) -> QuerySet[Award]:
    """The awards of the groups the user sees (policy F-5), newest year first."""
    qs = Award.objects.select_related("group").order_by("-year", "-id")
    q = group_scope_q(user)
    return qs if q is None else qs.filter(group__in=EducationGroup.objects.filter(q))


def groups_for_award(*, user: User) -> QuerySet[EducationGroup]:
    """The groups the user may record awards for: every group for the city bureau, the groups
    its authority approved for a district (policy F-5)."""
    if user.is_city_staff:
        return EducationGroup.objects.all()
    if user.is_district_staff and user.authority_id:
        return EducationGroup.objects.filter(authority_id=user.authority_id)
    return EducationGroup.objects.none()


def group_for_award(*, user: User, text: str) -> list[EducationGroup]:
    """The groups (at most two: more than one asks for the code) the user may record an award
    for whose code or full name is `text`."""
    text = (text or "").strip()
    if not text:
        return []
    return list(
        groups_for_award(user=user)
        .filter(Q(code__iexact=text) | Q(name=text))
        .select_related("authority")
        .order_by("pk")[:2]
    )


def group_seen(*, user: User, group_id) -> EducationGroup | None:
    """The group of ?group=<id> if the user sees it (the award list narrowed to one group, the
    form filled in for it); None otherwise."""
    try:
        pk = int(group_id)
    except (TypeError, ValueError):
        return None
    qs = EducationGroup.objects.filter(pk=pk).only("pk", "name", "code")
    q = group_scope_q(user, one=True)
    return next(iter(qs if q is None else qs.filter(q)), None)
