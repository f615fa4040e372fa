"""Reads of good-practice cases (policy A-6), scoped per user (the staff pages) or to published
cases (the public pages), shaped so that each page runs a constant number of queries."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from assessments.practice.models import PracticeCase
from assessments.practice.workflows import CaseStatus
from groups.registry.models import EducationGroup
from groups.registry.selectors import visible_group_ids
from members.models import User
from qingdao_groups.core.queries import by_key
from qingdao_groups.core.request_cache import cached
from qingdao_groups.models import Attachment

RELATED = ("group", "group__core_school", "group__core_school__district", "created_by")
# A form offers the groups in scope as a list up to this many; beyond, their code or name.
GROUP_SELECT_MAX = 60


def _district_q(user: User, prefix: str = "group__") -> Q:
    district = user.authority.district_id if user.authority else None
    q = Q(**{f"{prefix}authority_id": user.authority_id})
    if district:
        q |= Q(**{f"{prefix}core_school__district_id": district})
    return q


def case_list_for_user(*, user: User) -> QuerySet[PracticeCase]:
    """The cases a signed-in person sees (policy A-6): the city, auditors and administrators
    every case; a district those of its groups (approved by it, or led by a school in it); a
    principal those of the group their school is in."""
    qs = PracticeCase.objects.select_related(*RELATED)
    if not user.is_authenticated:
        return qs.none()
    if user.sees_everything:
        return qs
    if user.is_district_staff and user.authority_id:
        return qs.filter(_district_q(user))
    if user.is_principal and user.school_id:
        return qs.filter(group_id__in=visible_group_ids(user) or [])
    return qs.none()


def case_get_for_user(*, user: User, case_id: int) -> PracticeCase:
    """One case the user sees; 404 otherwise."""
    try:
        return by_key(case_list_for_user(user=user), case_id)
    except PracticeCase.DoesNotExist as exc:
        raise Http404 from exc


def published_cases() -> QuerySet[PracticeCase]:
    """What the public sees (policy A-6): published cases, newest first."""
    return (
        PracticeCase.objects.filter(status=CaseStatus.PUBLISHED)
        .select_related("group", "group__core_school__district")
        .order_by("-published_at", "-id")
    )


def published_case_get(case_id: int) -> PracticeCase:
    """A published case; 404 for any other (a draft, a withdrawn case: not public)."""
    try:
        return by_key(published_cases(), case_id)
    except PracticeCase.DoesNotExist as exc:
        raise Http404 from exc


def _public_facets() -> list[tuple[str, str, str]]:
    """(specialty, district code, district name) of the groups with published cases: what the
    public filters offer, in one query, once per request."""

    def compute():
        return list(
            EducationGroup.objects.filter(practice_cases__status=CaseStatus.PUBLISHED)
            .order_by()
            .values_list("specialty", "core_school__district_id", "core_school__district__name")
            .distinct()
        )

    return cached(("practice-public-facets",), compute)


def public_specialties() -> list[tuple[str, str]]:
    """The specialties (集团特色) of the groups with published cases, for the public filter."""
    return [(s, s) for s in sorted({row[0] for row in _public_facets() if row[0]})]


def public_districts() -> list[tuple[str, str]]:
    """The districts of the groups with published cases, for the public filter."""
    found = {row[1]: row[2] for row in _public_facets() if row[1]}
    return [(code, gettext(name)) for code, name in sorted(found.items())]


def _files(case_ids: list[int]) -> QuerySet[Attachment]:
    return (
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(PracticeCase), owner_id__in=case_ids
        )
        .defer("text")
        .order_by("owner_id", "uploaded_at", "pk")
    )


def is_picture(attachment: Attachment) -> bool:
    return attachment.content_type.startswith("image/")


def case_files(case: PracticeCase) -> tuple[list[Attachment], list[Attachment]]:
    """(pictures, other attachments) of a case, in the order they were added: one query."""
    rows = list(_files([case.pk]).select_related("uploaded_by"))
    return [a for a in rows if is_picture(a)], [a for a in rows if not is_picture(a)]


def cover_pictures(cases) -> dict[int, Attachment]:
    """The first picture of each of `cases` (the list's cover images): one query for a page."""
    covers: dict[int, Attachment] = {}
    ids = [c.pk for c in cases]
    if not ids:
        return covers
    for row in _files(ids).filter(content_type__startswith="image/"):
        covers.setdefault(row.owner_id, row)
    return covers


def public_file_get(case_id: int, attachment_id: int) -> Attachment:
    """A picture or attachment of a published case (policy A-6); 404 for any other."""
    case = published_case_get(case_id)
    found = _files([case.pk]).filter(pk=attachment_id).first()
    if found is None:
        raise Http404
    return found


def groups_for_case_form(*, user: User) -> list[EducationGroup] | None:
    """The groups a user may write a case for, when they are few enough to offer as a list
    (GROUP_SELECT_MAX); None when there are more (the form then takes a code or a name)."""
    qs = _writable_groups(user).order_by("code")
    rows = list(qs[: GROUP_SELECT_MAX + 1])
    return rows if len(rows) <= GROUP_SELECT_MAX else None


def _writable_groups(user: User) -> QuerySet[EducationGroup]:
    qs = EducationGroup.objects.select_related("core_school")
    if user.is_city_staff:
        return qs
    if user.is_district_staff and user.authority_id:
        return qs.filter(_district_q(user, prefix=""))
    if user.role == User.Role.CORE_PRINCIPAL and user.school_id:
        return qs.filter(core_school_id=user.school_id)
    return qs.none()


def group_for_case(*, user: User, text: str) -> list[EducationGroup]:
    """The groups (at most two) the user may write a case for whose id, code or full name is
    `text`."""
    text = (text or "").strip()
    if not text:
        return []
    q = Q(code__iexact=text) | Q(name=text)
    if text.isdigit() and len(text) < 10:
        q |= Q(pk=int(text))
    return list(_writable_groups(user).filter(q).order_by("pk")[:2])
