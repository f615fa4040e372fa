"""Reads of schools, scoped to what a user may see (every list goes through one of these)."""

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from members.extensions import extra_school_scope
from members.models import Authority, District, School, User

DISTRICT_CHOICES_KEY = "members:district-choices"


def district_choices() -> list[tuple[str, str]]:
    """(code, name) of every district, for the list filters: cached (districts change rarely;
    members.apps drops the cache when one is saved), so a list page costs no query for it."""
    rows = cache.get(DISTRICT_CHOICES_KEY)
    if rows is None:
        rows = list(District.objects.values_list("code", "name"))
        cache.set(DISTRICT_CHOICES_KEY, rows, 300)
    return [(code, gettext(name)) for code, name in rows]


def school_scope_q(user: User) -> Q | None:
    """The filter of schools `user` may see; None means the whole city.

    A district sees the schools it runs and those located in its district; a principal sees
    their own school. Other apps widen this through members.extensions (groups: the current
    schools of the groups the user sees, so every name on a group page can be opened)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    if user.is_district_staff and user.authority_id:
        district = user.authority.district_id  # type: ignore[union-attr]  # authority_id is set
        own = Q(authority_id=user.authority_id) | (Q(district_id=district) if district else Q())
    elif user.is_principal and user.school_id:
        own = Q(pk=user.school_id)
    else:
        return Q(pk__in=[])
    extra = extra_school_scope(user)
    return own if extra is None else own | extra


def school_list_for_user(*, user: User) -> QuerySet[School]:
    qs = School.objects.select_related("authority", "district")
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
