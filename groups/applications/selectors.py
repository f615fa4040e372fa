"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""


from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from groups.applications.models import Application, Consent
from members.models import User


def application_scope_q(user: User) -> Q | None:
    """Applications a user may see: everything for the city/auditor; for staff, those their
    authority decides or is asked to consent to; for principals, their school's own and those
    concerning a group their school leads."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        return Q(deciding_authority_id=user.authority_id) | Q(
            Exists(Consent.objects.filter(application_id=OuterRef("pk"),
                                          authority_id=user.authority_id)))
    if user.is_principal and user.school_id:
        return Q(applicant_school_id=user.school_id) | Q(group__core_school_id=user.school_id)
    return Q(pk__in=[])


def application_list_for_user(*, user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related(
        "applicant_school", "group", "group__core_school", "deciding_authority", "created_by")
    q = application_scope_q(user)
    return qs if q is None else qs.filter(q)


def application_get_for_user(*, user: User, application_id: int) -> Application:
    """404 when the user may not see it, so a swapped id reveals nothing."""
    try:
        return application_list_for_user(user=user).get(pk=application_id)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
