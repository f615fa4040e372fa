"""Who may submit, read and handle staffing requests and set a principal's rank (policy S-1,
S-2): person gates only, each a Decision that explains a refusal. Whether a request is still
open is the transition table's answer (workflows.py)."""

from django.utils.translation import gettext_lazy as _

from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision


def can_submit_staffing_request(user: User) -> Decision:
    """The core principal asks for teacher quota, recruitment or senior posts (policy S-1)."""
    if user.role == User.Role.CORE_PRINCIPAL and user.school_id:
        return ALLOW
    return Decision(False, _("只有核心校校长可以提出编制与岗位需求。"))


def can_handle_staffing_request(user: User) -> Decision:
    """The staffing office and the human-resources bureau mark requests as handled (policy
    S-1); everyone else only reads."""
    if user.is_staffing_reader:
        return ALLOW
    return Decision(False, _("只有机构编制部门或人力资源社会保障部门可以办理编制与岗位需求。"))


def can_set_principal_rank(user: User) -> Decision:
    """City staff record a principal's rank (校长职级, policy S-2); administrators also can in
    the admin."""
    if user.is_city_staff:
        return ALLOW
    return Decision(False, _("只有市教育局工作人员可以登记校长职级。"))
