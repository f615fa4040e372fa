"""Who may change the registry of groups. Each rule returns a Decision that explains a refusal."""

from django.utils.translation import gettext_lazy as _

from groups.models import EducationGroup
from members.models import School, User
from qingdao_groups.shared import ALLOW, Decision


def can_create_group(user: User, core_school: School | None = None) -> Decision:
    """A group is approved by its core school's own authority (policy L-1): the city may register
    any group, a district only groups whose core school it runs."""
    if user.is_superuser or user.role in (User.Role.SYSADMIN, User.Role.CITY_STAFF):
        return ALLOW
    if user.is_district_staff:
        if core_school is None or core_school.authority_id == user.authority_id:
            return ALLOW
        return Decision(False, _("只能登记核心校由本部门主管的集团（政策 L-1）。"))
    return Decision(False, _("只有教育行政部门工作人员可以登记集团。"))


def can_manage_group_registry(user: User, group: EducationGroup) -> Decision:
    """Recording members and partners of a group is for the authority that approves its changes
    (the core school's authority, policy L-1, L-3, L-5), the city, and administrators."""
    if user.is_superuser or user.role in (User.Role.SYSADMIN, User.Role.CITY_STAFF):
        return ALLOW
    if user.acts_for_authority(group.authority_id):
        return ALLOW
    if user.role == User.Role.AUDITOR:
        return Decision(False, _("审计人员只能查看，不能修改。"))
    return Decision(False, _("只有核心校所属教育行政部门可以变更集团成员（政策 L-1）。"))
