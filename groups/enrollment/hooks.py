"""What enrollment contributes to the shared parts: the plans awaiting a person (policy L-7):
the school's authority sets a filed plan (due within its decision time, plan_deadline); the
school's principal revises a returned one. Reminders reach whichever of them a plan waits for."""

import datetime

from django.utils.translation import gettext as _

from groups.enrollment.exports import PLANS_EXPORT
from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.selectors import enrollment_plan_list_for_user, plan_get_for_user
from groups.enrollment.workflows import EnrollmentPlanStatus
from groups.registry.models import PolicyParameters
from members.models import User
from qingdao_groups.core.exports import register_export
from qingdao_groups.core.inbox import InboxItem, day, register_inbox_provider, url_or_blank
from qingdao_groups.core.notifications import principals_of, staff_of
from qingdao_groups.core.reminders import (
    WATCH_PER_SOURCE,
    RemindSource,
    Waiting,
    register_remind_source,
)


def plan_deadline(plan: EnrollmentPlan, params: PolicyParameters | None = None) -> datetime.date:
    """When the authority should have set a filed plan. Policy L-7 has the authorities set each
    school's plan without naming a time; their decision time of the policy parameters
    (decision_days) applies, as to their other decisions."""
    params = params or PolicyParameters.for_request()
    return day(plan.filed_at) + datetime.timedelta(days=params.decision_days)


def _inbox(user: User) -> list[InboxItem]:
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        return [
            InboxItem(
                _("招生计划待核定"),
                f"{plan.school.name} {plan.year}",
                day(plan.filed_at),
                url_or_blank("enrollment:plan-detail", plan.pk),
                key="plan",
                waits_for=plan.school.authority.name,
                deadline=plan_deadline(plan),
                district=plan.school.district_id or "",
                target=f"plan:{plan.pk}",
            )
            for plan in EnrollmentPlan.objects.filter(
                school__authority_id=user.authority_id,
                status=EnrollmentPlanStatus.FILED,
            ).select_related("school__authority")
        ]
    if user.is_principal and user.school_id:
        return [
            InboxItem(
                _("招生计划被退回"),
                f"{plan.school.name} {plan.year}",
                day(plan.set_at or plan.filed_at),
                url_or_blank("enrollment:plan-detail", plan.pk),
                plan.remarks,
                key="plan-returned",
                waits_for=plan.school.name,
                district=plan.school.district_id or "",
                target=f"plan:{plan.pk}",
            )
            for plan in EnrollmentPlan.objects.filter(
                school_id=user.school_id,
                status=EnrollmentPlanStatus.RETURNED,
            ).select_related("school")
        ]
    return []


register_inbox_provider("enrollment", _inbox, models=(EnrollmentPlan,))


def _waiting(plan: EnrollmentPlan) -> Waiting | None:
    """Policy L-7: a filed plan waits for the school's authority, a returned one for the
    school."""
    url = url_or_blank("enrollment:plan-detail", plan.pk)
    what = _("%(school)s %(year)s 年度招生计划") % {"school": plan.school.name, "year": plan.year}
    if plan.status == EnrollmentPlanStatus.FILED:
        return Waiting(
            staff_of(plan.school.authority_id),
            plan.school.authority.name,
            what,
            url,
            plan_deadline(plan),
        )
    if plan.status == EnrollmentPlanStatus.RETURNED:
        return Waiting(principals_of(plan.school_id), plan.school.name, what, url)
    return None


def _watched(user: User) -> list[InboxItem]:
    """Plans the staff member sees that wait for someone else: filed with another authority
    (the city watching the districts), or returned to their school (policy L-7)."""
    if user.role not in User.AUTHORITY_ROLES or not user.authority_id:
        return []
    params = PolicyParameters.for_request()
    rows = (
        enrollment_plan_list_for_user(user=user)
        .filter(status__in=[EnrollmentPlanStatus.FILED, EnrollmentPlanStatus.RETURNED])
        .exclude(status=EnrollmentPlanStatus.FILED, school__authority_id=user.authority_id)
        .order_by("filed_at", "pk")[:WATCH_PER_SOURCE]
    )
    items = []
    for plan in rows:
        filed = plan.status == EnrollmentPlanStatus.FILED
        items.append(
            InboxItem(
                plan.get_status_display(),
                f"{plan.school.name} {plan.year}",
                day(plan.filed_at if filed else plan.set_at or plan.filed_at),
                url_or_blank("enrollment:plan-detail", plan.pk),
                key=f"watch-plan-{plan.status}",
                waits_for=plan.school.authority.name if filed else plan.school.name,
                deadline=plan_deadline(plan, params) if filed else None,
                district=plan.school.district_id or "",
                target=f"plan:{plan.pk}",
            )
        )
    return items


register_remind_source(
    RemindSource(
        "plan",
        EnrollmentPlan,
        lambda user, pk: plan_get_for_user(user=user, plan_id=pk),
        _waiting,
        lambda: (
            EnrollmentPlan.objects.filter(status=EnrollmentPlanStatus.FILED)
            .select_related("school__authority")
            .order_by("pk")
        ),
        is_open=lambda plan: (
            plan.status in (EnrollmentPlanStatus.FILED, EnrollmentPlanStatus.RETURNED)
        ),
        watched=_watched,
    )
)

# The list's export (issue 8): the one export helper of qingdao_groups.core.exports.
register_export(PLANS_EXPORT)
