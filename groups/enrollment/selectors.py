"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

from django.db.models import OuterRef, QuerySet
from django.http import Http404

from groups.enrollment.models import EnrollmentPlan
from groups.registry.models import EducationGroup, Membership
from members.models import School, User
from members.selectors import school_scope_q


def enrollment_plan_list_for_user(*, user: User) -> QuerySet[EnrollmentPlan]:
    """Plans of the schools a user may see (policy L-7)."""
    qs = EnrollmentPlan.objects.select_related("school", "school__authority", "filed_by")
    q = school_scope_q(user)
    return qs if q is None else qs.filter(school__in=School.objects.filter(q))


def enrollment_plans_for_group(
    *, group: EducationGroup, year: int, today=None, school_ids: list[int] | None = None
) -> QuerySet[EnrollmentPlan]:
    """The year's enrollment plans of the schools currently in `group` (core and members), each
    with the school's role in the group as `group_role`; one query (一校一案, policy L-7).
    `school_ids`: those current schools, when the caller holds them already (the group page):
    the plans are then read by key instead of matching every plan of the year (issue 7)."""
    from django.db.models import Subquery

    current = Membership.objects.current(today=today).filter(group_id=group.pk)
    schools = current.values("school_id") if school_ids is None else school_ids
    return (
        EnrollmentPlan.objects.filter(year=year, school_id__in=schools)
        .select_related("school", "school__authority")
        .annotate(
            group_role=Subquery(current.filter(school_id=OuterRef("school_id")).values("role")[:1])
        )
        .order_by("group_role", "school__name", "pk")  # "core" sorts first
    )


def plan_get_for_user(*, user, plan_id: int) -> EnrollmentPlan:
    """Through the scoped selector: a plan the user may not see is a 404, revealing nothing."""
    try:
        return enrollment_plan_list_for_user(user=user).get(pk=plan_id)
    except EnrollmentPlan.DoesNotExist as exc:
        raise Http404 from exc
