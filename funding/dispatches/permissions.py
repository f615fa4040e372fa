"""Who may record and see dispatched staff (policy F-4): person gates, each a Decision that
explains a refusal."""

from django.utils.translation import gettext_lazy as _

from funding.ledgers.permissions import can_view_group_funding
from groups.registry.models import EducationGroup
from groups.registry.permissions import _principal_of
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision


def can_manage_dispatches(user: User, group: EducationGroup) -> Decision:
    """The core school sends its staff (policy F-4): the core principal records, changes and
    ends a dispatch, and so may the staff of the authority that approved the group."""
    if user.is_read_only:
        return Decision(False, _("只读角色不能登记派驻人员。"))
    if _principal_of(user, group.core_school_id) or user.acts_for_authority(group.authority_id):
        return ALLOW
    return Decision(False, _("只有核心校校长或集团的审批部门可以登记派驻人员（政策 F-4）。"))


def sees_all_dispatches(user: User, group: EducationGroup) -> bool:
    """Whoever sees the group's money sees all its dispatches (policy F-4)."""
    return can_view_group_funding(user, group)


def can_view_dispatches(user: User, group: EducationGroup) -> Decision:
    """All of the group's dispatches for those who see its money; a member principal sees the
    dispatches to their school, a district's staff those to the schools under their authority
    (the member school pays the allowances, policy F-4)."""
    if sees_all_dispatches(user, group):
        return ALLOW
    if (user.is_principal and user.school_id) or (user.is_district_staff and user.authority_id):
        return ALLOW
    return Decision(False, _("无权查看该集团的派驻人员。"))
