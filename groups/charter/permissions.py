"""Who may change the registry of groups. Each rule returns a Decision that explains a refusal."""

from django.utils.translation import gettext_lazy as _

from groups.registry.models import (
    EducationGroup,  # noqa: E402
)
from groups.registry.permissions import _principal_of
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision


def can_manage_group_documents(user: User, group: EducationGroup) -> Decision:
    """A group runs by its charter and management rules (policy G-4, L-8): new versions are
    recorded by the group's core principal or by staff of the authority that approves the group
    (policy L-1)."""
    if user.is_read_only:
        return Decision(False, _("审计人员只能查看，不能修改。"))
    if group.status == EducationGroup.Status.DISSOLVED:
        return Decision(False, _("集团已撤销，不能再登记文件。"))
    if _principal_of(user, group.core_school_id) or user.acts_for_authority(group.authority_id):
        return ALLOW
    return Decision(
        False, _("只有核心校校长或集团的审批教育行政部门可以登记章程与制度（政策 G-4、L-8）。")
    )
