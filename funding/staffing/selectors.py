"""Reads of staffing requests and principals' ranks (policy S-1, S-2), scoped per user and
shaped so that pages run a constant number of queries."""

from django.db.models import QuerySet
from django.http import Http404

from funding.staffing.models import StaffingRequest
from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.core.history import history_rows


def staffing_list_for_user(*, user: User) -> QuerySet[StaffingRequest]:
    """Whoever sees everything (the staffing office, the HR bureau, the city, auditors) sees
    every request; a district the requests of the groups it approved; a core principal their
    own school's (policy S-1)."""
    qs = StaffingRequest.objects.select_related("group", "school", "created_by", "handled_by")
    if user.sees_everything:
        return qs
    if user.is_district_staff and user.authority_id:
        return qs.filter(group__authority_id=user.authority_id)
    if user.role == User.Role.CORE_PRINCIPAL and user.school_id:
        return qs.filter(school_id=user.school_id)
    return qs.none()


def staffing_get_for_user(*, user: User, request_id: int) -> StaffingRequest:
    try:
        return staffing_list_for_user(user=user).get(pk=request_id)
    except StaffingRequest.DoesNotExist as exc:
        raise Http404 from exc


def groups_led_by(user: User) -> QuerySet[EducationGroup]:
    """The active groups whose core school the principal runs (policy S-1)."""
    if not user.school_id:
        return EducationGroup.objects.none()
    return EducationGroup.objects.active().filter(core_school_id=user.school_id).order_by("name")


def principal_get(*, user_id: int) -> User:
    """A principal's record (policy S-2); 404 for anyone else."""
    try:
        return User.objects.select_related("school").get(pk=user_id, role__in=User.SCHOOL_ROLES)
    except User.DoesNotExist as exc:
        raise Http404 from exc


def principal_of_school(school_id: int) -> User | None:
    """The core school's principal, whose rank the staffing request shows (policy S-2)."""
    return (
        User.objects.filter(school_id=school_id, role=User.Role.CORE_PRINCIPAL, is_active=True)
        .order_by("pk")
        .first()
    )


def rank_history(principal: User) -> list:
    """The audit rows where the principal's rank changed, oldest first (policy S-2): who set
    it, when, why."""
    rows = list(
        history_rows(User, pk=principal.pk)
        .select_related("history_user")
        .only(
            "history_id",
            "history_date",
            "history_change_reason",
            "rank",
            "history_user__username",
            "history_user__first_name",
            "history_user__last_name",
        )
        .order_by("history_date", "history_id")
    )
    changes, previous = [], ""
    for row in rows:
        if row.rank != previous:
            changes.append(row)
        previous = row.rank
    return changes
