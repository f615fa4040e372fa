"""Who may manage API clients: the city's administrators (sysadmin role, superusers) and the city
bureau's staff see and register them; nobody else learns they exist (issue 11)."""

from django.utils.translation import gettext_lazy as _

from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision


def can_manage_api_clients(user: User) -> Decision:
    if (
        user.is_authenticated
        and (user.is_superuser or user.role in (User.Role.SYSADMIN, User.Role.CITY_STAFF))
        and not user.is_system_account
    ):
        return ALLOW
    return Decision(False, _("只有市教育局的系统管理员和工作人员可以管理接口客户端。"))
