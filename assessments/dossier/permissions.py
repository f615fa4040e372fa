"""Who may take a group's dossier (案卷) away (policy A-1; issue 10): auditors, city staff and
administrators (any group), district staff (the groups they see) and the group's core principal
(their own group). The group itself is found through the registry's selector (404 outside the
reader's scope); this module only answers "is this the kind of person"."""

from django.utils.translation import gettext_lazy as _

from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision

REFUSED = _("案卷只供审计人员、市教育局、区（市）教育行政部门、系统管理员和集团核心校校长导出。")


def can_export_dossier(user: User) -> Decision:
    """The kind of person who may export dossiers at all (policy A-1)."""
    if not user.is_authenticated:
        return Decision(False, REFUSED)
    if user.is_superuser or user.role in (
        User.Role.AUDITOR,
        User.Role.CITY_STAFF,
        User.Role.SYSADMIN,
        User.Role.DISTRICT_STAFF,
        User.Role.CORE_PRINCIPAL,
    ):
        return ALLOW
    return Decision(False, REFUSED)


def may_export_group_dossier(user: User, group: EducationGroup) -> bool:
    """On a group the reader sees: a core principal only their own school's group (a member
    school's principal who leads another group gets a 404 for this one)."""
    if not can_export_dossier(user):
        return False
    if user.role == User.Role.CORE_PRINCIPAL and not user.is_superuser:
        return user.school_id is not None and group.core_school_id == user.school_id
    return True
