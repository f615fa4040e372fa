"""Who may read the funding overview pages (issue 9): person gates only. What an object's reader
may see is the selectors' scope (404 outside it); moving a ledger is funding/ledgers/permissions.

The staffing office and the human-resources bureau read the staffing requests (policy S-1), not
the money: they are refused the ledger pages (DESIGN.md: "read what concerns them")."""

from django.utils.translation import gettext_lazy as _

from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision

NOT_MONEY = _("机构编制和人力资源社会保障部门查看编制申请，不查看经费台账。")


def can_read_ledgers(user: User) -> Decision:
    """Ledgers are read by the city bureau, auditors, the finance reviewer and administrators
    (every ledger), district staff (what their authority pays or approves) and principals (their
    group's, policy F-3)."""
    if not user.is_authenticated or user.is_staffing_reader:
        return Decision(False, NOT_MONEY)
    if user.sees_everything or user.role in User.AUTHORITY_ROLES or user.is_principal:
        return ALLOW
    return Decision(False, _("您的角色不能查看经费台账。"))


def can_view_city_totals(user: User) -> Decision:
    """The city's totals by district and year (policy F-1, F-2, F-4) are for those who see the
    whole city's money: the city bureau, auditors, the finance reviewer, administrators."""
    if user.is_authenticated and user.sees_everything and not user.is_staffing_reader:
        return ALLOW
    return Decision(False, _("全市经费汇总仅供市教育局、审计人员和市财政局审核人员查看。"))


def sees_authority_year(user: User, authority_id: int) -> bool:
    """An authority's year (what it pays) is seen by its own staff and by whoever sees the
    city's totals."""
    return can_view_city_totals(user).allowed or user.acts_for_authority(authority_id)
