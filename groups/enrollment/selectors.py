"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

from django.db.models import OuterRef, QuerySet
from django.http import Http404

from groups.enrollment.models import EnrollmentPlan
from groups.registry.membership import today as membership_today
from groups.registry.models import EducationGroup, Membership
from members.models import School, User
from members.selectors import school_scope_q


def enrollment_plan_list_for_user(*, user: User) -> QuerySet[EnrollmentPlan]:
    """Plans of the schools a user may see (policy L-7)."""
    qs = EnrollmentPlan.objects.select_related("school", "school__authority", "filed_by")
    q = school_scope_q(user)
    return qs if q is None else qs.filter(school__in=School.objects.filter(q))


def enrollment_plans_for_group(
    *,
    group: EducationGroup,
    year: int,
    today=None,
    memberships: list[Membership] | None = None,
) -> QuerySet[EnrollmentPlan] | list[EnrollmentPlan]:
    """The year's enrollment plans of the schools currently in `group` (core and members), each
    with the school's role in the group as `group_role`, the core's first, then by school name;
    one query (一校一案, policy L-7). `memberships`: the group's memberships when the caller has
    them loaded (the group page): the plans are then read by key and the roles taken from
    them, instead of matching every plan of the year and a subquery per plan (issue 7)."""
    from django.db.models import Subquery

    if memberships is not None:
        day = today or membership_today()
        roles = {m.school_id: m.role for m in memberships if m.is_active_on(day)}
        plans = list(
            EnrollmentPlan.objects.filter(year=year, school_id__in=list(roles))
            .select_related("school", "school__authority")
            .order_by("school__name", "pk")
        )
        for plan in plans:  # as the queryset's annotation names it
            plan.group_role = roles[plan.school_id]  # type: ignore[attr-defined]
        return sorted(plans, key=lambda plan: roles[plan.school_id])  # stable: the core first
    current = Membership.objects.current(today=today).filter(group_id=group.pk)
    return (
        EnrollmentPlan.objects.filter(year=year, school_id__in=current.values("school_id"))
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
