"""Who may see and act on members' cooperation agreements, their receivables and payments
(policy F-2, 谁受益谁出资): person gates only, each a Decision that explains a refusal."""

from django.utils.translation import gettext_lazy as _

from funding.agreements.models import Agreement
from groups.registry.models import EducationGroup
from groups.registry.permissions import _principal_of
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision

READ_ONLY = _("只读角色只能查看，不能修改。")


def can_manage_agreements(user: User, group: EducationGroup) -> Decision:
    """A member's agreement is recorded and edited by the group's core principal (the payee) or
    the staff of the group's approving authority (policy F-2)."""
    if user.is_read_only:
        return Decision(False, READ_ONLY)
    if _principal_of(user, group.core_school_id) or user.acts_for_authority(group.authority_id):
        return ALLOW
    return Decision(False, _("只有核心校校长或集团的审批部门可以登记、修改合作协议。"))


def paying_authority_id(agreement: Agreement) -> int | None:
    """The authority of the member school: it pays, or oversees the school that pays (F-2)."""
    return agreement.membership.school.authority_id


def can_record_payment(user: User, agreement: Agreement) -> Decision:
    """A payment is recorded by the payee, the group's core principal, or by the staff of the
    paying authority (the member school's); the member's principal only sees them (policy F-2)."""
    if user.is_read_only:
        return Decision(False, READ_ONLY)
    if _principal_of(user, agreement.group.core_school_id) or user.acts_for_authority(
        paying_authority_id(agreement)
    ):
        return ALLOW
    return Decision(
        False, _("只有核心校校长（收款方）或付款的教育行政部门可以登记到账（政策 F-2）。")
    )
