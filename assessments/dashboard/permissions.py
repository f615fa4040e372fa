"""Who may open the statistics (issue 10; policy A-1: the authorities supervise and assess the
groups). A person gate only: what the figures cover is the selectors' scope."""

from django.utils.translation import gettext_lazy as _

from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision

# The bureau's staff and those who read everything for the bureau: the city bureau, the
# district bureaus, auditors, administrators and the city finance bureau's reviewer.
DASHBOARD_ROLES = (
    User.Role.CITY_STAFF,
    User.Role.DISTRICT_STAFF,
    User.Role.AUDITOR,
    User.Role.SYSADMIN,
    User.Role.FINANCE_REVIEWER,
)


def can_view_dashboard(user: User) -> Decision:
    """The statistics are for the supervising authorities (policy A-1): city and district staff,
    auditors, administrators and the finance reviewer; schools see their own group's pages."""
    if not user.is_authenticated:
        return Decision(False, _("请先登录。"))
    if user.is_superuser or user.role in DASHBOARD_ROLES:
        if user.role == User.Role.DISTRICT_STAFF and not user.authority_id:
            return Decision(False, _("您的账号未关联教育行政部门。"))
        return ALLOW
    return Decision(False, _("统计仅供教育行政部门、审计人员和市财政局审核人员查看。"))
