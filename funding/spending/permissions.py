"""Who records and sees the core school's spending (policy F-3): person gates."""

from django.utils.translation import gettext_lazy as _

from funding.ledgers.permissions import can_view_group_funding
from groups.registry.models import EducationGroup
from groups.registry.permissions import _principal_of
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision
from qingdao_groups.models import Attachment


def can_view_spending(user: User, group: EducationGroup) -> Decision:
    """Income against spending is seen by the core principal, the group's approving authority,
    the city, auditors and the finance reviewer (policy F-3: spent by the principal, recorded
    and audited)."""
    if can_view_group_funding(user, group):
        return ALLOW
    return Decision(False, _("经费收支仅供核心校校长、集团的审批部门、市教育局和审计人员查看。"))


def can_record_spending(user: User, group: EducationGroup) -> Decision:
    """The core principal decides how subsidy and fee income is spent (policy F-3), and records
    it."""
    if _principal_of(user, group.core_school_id):
        return ALLOW
    return Decision(False, _("只有核心校校长可以登记经费支出（政策 F-3）。"))


def spending_upload_kinds(user: User, spending) -> tuple[str, ...]:
    """Receipts are added by the core principal who records the spending (policy F-3)."""
    if can_record_spending(user, spending.group).allowed:
        return (Attachment.Kind.RECEIPT,)
    return ()
