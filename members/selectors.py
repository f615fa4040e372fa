"""Reads of schools, scoped to what a user may see (every list goes through one of these)."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from members.models import Authority, School, User


def _principal_group_ids(user: User):
    from groups.models import Membership

    return Membership.objects.open().filter(school_id=user.school_id).values("group_id")


def school_scope_q(user: User) -> Q | None:
    """The filter of schools `user` may see; None means the whole city.

    A district sees the schools it runs, those located in its district and the current schools
    of the groups it sees (those it approves and those with a member of its own); a principal sees the schools of their own group (or only their
    own school when it is in no group)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    if user.is_district_staff and user.authority_id:
        from groups.models import Membership

        district = user.authority.district  # type: ignore[union-attr]  # authority_id is set
        own = Q(authority_id=user.authority_id) | (Q(district=district) if district else Q())
        # The groups the district sees: those it approves and those with a member of its own;
        # their current schools are visible too, so every name on a group page can be opened.
        member_here = Membership.objects.open().filter(school__in=School.objects.filter(own))
        groups_seen = Membership.objects.open().filter(
            Q(group__authority_id=user.authority_id)
            | Q(group_id__in=member_here.values("group_id")))
        in_groups_seen = groups_seen.filter(school_id=OuterRef("pk"))
        return own | Q(Exists(in_groups_seen))
    if user.is_principal and user.school_id:
        from groups.models import Membership

        same_group = Membership.objects.open().filter(
            school_id=OuterRef("pk"), group_id__in=_principal_group_ids(user)
        )
        return Q(pk=user.school_id) | Q(Exists(same_group))
    return Q(pk__in=[])


def school_list_for_user(*, user: User) -> QuerySet[School]:
    qs = School.objects.select_related("authority")
    q = school_scope_q(user)
    return qs if q is None else qs.filter(q)


def school_get_for_user(*, user: User, school_id: int) -> School:
    """The school if `user` may see it; 404 otherwise, so an id reveals nothing."""
    try:
        return school_list_for_user(user=user).get(pk=school_id)
    except School.DoesNotExist as exc:
        raise Http404 from exc


def authorities_user_may_assign(*, user: User) -> QuerySet[Authority]:
    """Authorities a user may put a school under when creating or importing schools."""
    qs = Authority.objects.education()
    if user.is_superuser or user.role in (User.Role.CITY_STAFF, User.Role.SYSADMIN):
        return qs
    if user.is_district_staff:
        return qs.filter(pk=user.authority_id)
    return qs.none()
