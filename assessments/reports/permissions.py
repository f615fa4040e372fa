"""Who may read and regenerate assessment reports (policy A-1; issue 10): person gates only.

A group's report is read by the group's principals (the core school's and the members' at the
period's end or today), the cycle's organising authority, the group's approving authority (its
district), and whoever sees the whole city (city staff, auditors, administrators and the other
read-only roles). A district's summary by that district's staff; the city's summary by every
education authority's staff. Staff of the organising authority and the city bureau regenerate
(a new version; nothing is overwritten)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from assessments.reports.models import Report
from groups.registry.models import Membership
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision


def principal_group_ids(user: User, days) -> set[int]:
    """The groups the user's school belongs to on any of `days` (one query)."""
    if user.role not in User.SCHOOL_ROLES or not user.school_id:
        return set()
    ids: set[int] = set()
    for day in dict.fromkeys(days):
        ids |= set(
            Membership.objects.active_on(day)
            .filter(school_id=user.school_id)
            .values_list("group_id", flat=True)
        )
    return ids


def can_view_report(user: User, report: Report) -> bool:
    if not user.is_authenticated:
        return False
    if user.sees_everything or user.acts_for_authority(report.cycle.authority_id):
        return True
    if report.scope == Report.Scope.CITY:
        return user.role in User.AUTHORITY_ROLES
    if report.scope == Report.Scope.DISTRICT:
        return user.acts_for_authority(report.authority_id)
    group = report.group
    if group is None:
        return False
    if user.acts_for_authority(group.authority_id):
        return True
    from django.utils import timezone

    return group.pk in principal_group_ids(user, (report.cycle.period_end, timezone.localdate()))


def can_regenerate_report(user: User, report: Report) -> Decision:
    """A new version is made by the cycle's organising authority or the city bureau."""
    if user.is_read_only:
        return Decision(False, _("只读角色不能重新生成报告。"))
    if user.is_city_staff or user.acts_for_authority(report.cycle.authority_id):
        return ALLOW
    return Decision(False, _("只有评估的组织单位或市教育局可以重新生成报告。"))
