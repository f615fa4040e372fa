"""Who may change schools. Each rule returns a Decision that explains a refusal."""

from django.utils.translation import gettext_lazy as _

from members.models import School, User
from qingdao_groups.core.rules import ALLOW, Decision

READ_ONLY = Decision(False, _("您的角色只能查看，不能修改。"))


def _is_registry_admin(user: User) -> bool:
    return user.is_superuser or user.role == User.Role.SYSADMIN


def can_create_school(user: User) -> Decision:
    """City and district bureaus keep the register of their schools."""
    if _is_registry_admin(user) or user.role in User.AUTHORITY_ROLES:
        return ALLOW
    return Decision(False, _("只有教育行政部门工作人员可以登记学校。"))


def can_edit_school(user: User, school: School) -> Decision:
    """The city edits any school; a district only the schools under its own authority."""
    if _is_registry_admin(user) or user.is_city_staff:
        return ALLOW
    if user.is_district_staff:
        if user.authority_id == school.authority_id:
            return ALLOW
        return Decision(False, _("只能修改本部门主管的学校。"))
    return READ_ONLY


def can_import_schools(user: User) -> Decision:
    """Bulk import from the bureaus' spreadsheets: same people as creating a school."""
    return can_create_school(user)
