"""Who may change the registry of groups. Each rule returns a Decision that explains a refusal."""

from django.utils.translation import gettext_lazy as _

from groups.registry.models import (
    EducationGroup,  # noqa: E402
)
from members.models import School, User
from qingdao_groups.core.rules import ALLOW, Decision

USE_THE_WORKFLOW = _(
    "成立集团、吸纳和退出成员校须通过申请办理（政策 L-1、L-3、L-5），淘汰须发出红牌"
    "（政策 L-6）；直接登记只用于系统管理员补录上线前的历史数据。"
)


def _is_registry_admin(user: User) -> bool:
    return user.is_superuser or user.role == User.Role.SYSADMIN


def can_create_group(user: User, core_school: School | None = None) -> Decision:
    """Groups come into being through an approved founding application (policy L-1, L-2);
    registering one directly is for an administrator entering groups founded before the system."""
    if _is_registry_admin(user):
        return ALLOW
    return Decision(False, USE_THE_WORKFLOW)


def can_manage_group_registry(user: User, group: EducationGroup) -> Decision:
    """Members join, leave and are expelled only through the workflows (policy L-3, L-5, L-6);
    recording memberships directly is for an administrator entering the history from before the
    system."""
    if _is_registry_admin(user):
        return ALLOW
    return Decision(False, USE_THE_WORKFLOW)


def can_add_partnership(user: User, group: EducationGroup) -> Decision:
    """Partners (the X of 1+N+X, policy G-1) are recorded by the authority that approved the
    group, or by an administrator."""
    if _is_registry_admin(user) or user.acts_for_authority(group.authority_id):
        return ALLOW
    if user.is_read_only:
        return Decision(False, _("审计人员只能查看，不能修改。"))
    return Decision(False, _("只有集团的审批部门可以登记合作单位（政策 G-1）。"))


def _principal_of(user: User, school_id: int | None) -> bool:
    return school_id is not None and user.is_principal and user.school_id == school_id


def can_view_group_audit(user: User, group: EducationGroup) -> Decision:
    """The audit log (every field change, who and when) is for those who oversee the group: the
    city bureau, auditors, administrators and the authority that approved the group (policy L-1,
    A-1); schools read the group's story (集团历程) instead."""
    if user.is_authenticated and (
        user.sees_everything or user.acts_for_authority(group.authority_id)
    ):
        return ALLOW
    return Decision(False, _("审计日志仅供集团的审批部门、市教育局和审计人员查看。"))
