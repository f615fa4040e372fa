"""What enrollment contributes to the shared parts: the plans awaiting a person (policy L-7):
the school's authority sets a filed plan; the school's principal revises a returned one."""

from django.utils.translation import gettext as _

from groups.enrollment.exports import PLANS_EXPORT
from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.workflows import EnrollmentPlanStatus
from members.models import User
from qingdao_groups.core.exports import register_export
from qingdao_groups.core.inbox import InboxItem, day, register_inbox_provider, url_or_blank


def _inbox(user: User) -> list[InboxItem]:
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        return [
            InboxItem(
                _("招生计划待核定"),
                f"{plan.school.name} {plan.year}",
                day(plan.filed_at),
                url_or_blank("enrollment:plan-detail", plan.pk),
            )
            for plan in EnrollmentPlan.objects.filter(
                school__authority_id=user.authority_id,
                status=EnrollmentPlanStatus.FILED,
            ).select_related("school")
        ]
    if user.is_principal and user.school_id:
        return [
            InboxItem(
                _("招生计划被退回"),
                f"{plan.school.name} {plan.year}",
                day(plan.set_at or plan.filed_at),
                url_or_blank("enrollment:plan-detail", plan.pk),
                plan.remarks,
            )
            for plan in EnrollmentPlan.objects.filter(
                school_id=user.school_id,
                status=EnrollmentPlanStatus.RETURNED,
            ).select_related("school")
        ]
    return []


register_inbox_provider("enrollment", _inbox)

# The list's export (issue 8): the one export helper of qingdao_groups.core.exports.
register_export(PLANS_EXPORT)
