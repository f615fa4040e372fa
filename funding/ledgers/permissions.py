"""Who may see and move a ledger (issue 9): person gates only, each a Decision that explains a
refusal. The ledger's state is the transition table's answer (workflows.py)."""

from django.utils.translation import gettext_lazy as _

from funding.ledgers.models import Ledger
from groups.registry.models import EducationGroup
from groups.registry.permissions import _principal_of
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision


def can_view_group_funding(user: User, group: EducationGroup) -> bool:
    """The group's money is seen by whoever sees everything (city, auditors, the finance
    reviewer), the group's approving authority and the core principal (policy F-3: the
    principal decides how the income is spent)."""
    if user.is_staffing_reader:
        # The staffing office and the HR bureau read staffing requests, not money (DESIGN.md
        # "read what concerns them"; funding.overview.permissions.can_read_ledgers).
        return False
    return (
        user.sees_everything
        or user.acts_for_authority(group.authority_id)
        or _principal_of(user, group.core_school_id)
    )


def can_view_ledger(user: User, ledger: Ledger) -> bool:
    """A ledger is also seen by the authority that pays it."""
    return can_view_group_funding(user, ledger.group) or user.acts_for_authority(
        ledger.authority_id
    )


def can_compute_group_ledgers(user: User, group: EducationGroup) -> Decision:
    """The group's year is computed by the core principal (to see the income due, policy F-3),
    the group's approving authority or the city bureau. Computing changes drafts only; a locked
    year gets adjustment lines, never a rewrite."""
    if user.is_read_only:
        return Decision(False, _("只读角色不能计算台账。"))
    if (
        user.is_city_staff
        or user.acts_for_authority(group.authority_id)
        or _principal_of(user, group.core_school_id)
    ):
        return ALLOW
    return Decision(False, _("只有核心校校长、集团的审批部门或市教育局可以计算台账。"))


def can_compute_all_ledgers(user: User) -> Decision:
    """The whole city's year at once: the city bureau."""
    if user.is_city_staff:
        return ALLOW
    return Decision(False, _("只有市教育局可以计算全市台账。"))


def can_confirm_ledger(user: User, ledger: Ledger) -> Decision:
    """What an authority pays is confirmed by its own staff (policy F-1, F-2, F-4)."""
    if user.acts_for_authority(ledger.authority_id):
        return ALLOW
    return Decision(False, _("只有付款的教育行政部门可以确认该台账。"))


def can_return_ledger(user: User, ledger: Ledger) -> Decision:
    """A confirmed ledger is sent back by the finance reviewer or the paying authority."""
    if user.is_finance_reviewer or user.acts_for_authority(ledger.authority_id):
        return ALLOW
    return Decision(False, _("只有财政审核人员或付款的教育行政部门可以退回台账。"))


def can_lock_ledger(user: User, ledger: Ledger) -> Decision:
    """Locking is the city finance bureau reviewer's (issue 9); separation of duties (not the one
    who computed or confirmed it) is checked by the service on the locked row."""
    if user.is_finance_reviewer:
        return ALLOW
    return Decision(False, _("只有市财政局审核人员可以锁定台账。"))
