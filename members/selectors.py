"""Reads of schools, scoped to what a user may see (every list goes through one of these)."""

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language, gettext

from members.extensions import extra_school_ids
from members.models import Authority, District, School, User

DISTRICT_CHOICES_KEY = "members:district-choices"
AUTHORITY_CHOICES_KEY = "members:authority-choices"
# Translated lists kept in the process for this long (the shared cache holds the raw rows):
# translating a nation's 2,800 district names on every list page cost more than the page.
TRANSLATED_SECONDS = 60
_translated: dict[tuple[str, str | None], tuple[float, list[tuple[str, str]]]] = {}


def drop_choice_caches() -> None:
    """Called when a district or an authority is saved or deleted (members.apps)."""
    cache.delete_many([DISTRICT_CHOICES_KEY, AUTHORITY_CHOICES_KEY])
    _translated.clear()


def _choices(key: str, load: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    lang = get_language()
    now = time.monotonic()
    hit = _translated.get((key, lang))
    if hit is not None and now - hit[0] < TRANSLATED_SECONDS:
        return hit[1]
    rows = cache.get(key)
    if rows is None:
        rows = load()
        cache.set(key, rows, 300)
    # Names are data; the catalogue still translates the ones it knows (Qingdao's ten).
    translated = [(value, gettext(name)) for value, name in rows]
    _translated[(key, lang)] = (now, translated)
    return translated


def district_choices() -> list[tuple[str, str]]:
    """(code, name) of every district, for the list filters: cached (districts change rarely;
    members.apps drops the cache when one is saved), so a list page costs no query for it."""
    return _choices(
        DISTRICT_CHOICES_KEY, lambda: list(District.objects.values_list("code", "name"))
    )


def authority_choices() -> list[tuple[str, str]]:
    """(id, name) of every education authority (the city's and the districts' bureaus), for the
    list filters; cached like district_choices."""
    return _choices(
        AUTHORITY_CHOICES_KEY,
        lambda: [
            (str(pk), name)
            for pk, name in Authority.objects.education()
            .order_by("kind", "id")
            .values_list("pk", "name")
        ],
    )


def school_scope_q(user: User) -> Q | None:
    """The filter of schools `user` may see; None means the whole city.

    A district sees the schools it runs and those located in its district; a principal sees
    their own school. Other apps widen this through members.extensions (groups: the current
    schools of the groups the user sees, so every name on a group page can be opened).

    The parts are one UNION ALL of ids, each by its own index: OR-ing them (with a subquery
    among them) made PostgreSQL scan all 200,000 schools of a nation for every district page,
    68 ms against 4 ms (issue 7)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    schools = School.objects.order_by()
    if user.is_district_staff and user.authority_id:
        district = user.authority.district_id  # type: ignore[union-attr]  # authority_id is set
        parts = [schools.filter(authority_id=user.authority_id).values("pk")]
        if district:
            parts.append(schools.filter(district_id=district).values("pk"))
    elif user.is_principal and user.school_id:
        parts = [schools.filter(pk=user.school_id).values("pk")]
    else:
        return Q(pk__in=[])
    parts += [ids.order_by() for ids in extra_school_ids(user)]
    if len(parts) == 1:
        return Q(pk__in=parts[0])
    return Q(pk__in=parts[0].union(*parts[1:], all=True))


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
