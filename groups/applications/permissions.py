"""Who may act on applications: person-level gates only (role, authority, school relation).
Each returns a Decision that explains a refusal; `require` turns it into PermissionDenied (403)
before any state is read. Whether the application is in a state for the action is the
transition table's answer (qingdao_groups.core.workflow, RuleRefusal)."""

import datetime

from django.utils.translation import gettext_lazy as _

from groups.applications.models import Application, Consent  # noqa: E402
from groups.registry.membership import MembershipState
from groups.registry.membership import today as membership_today
from groups.registry.models import (
    EducationGroup,
    Membership,  # noqa: E402
)
from groups.registry.permissions import _principal_of
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision

# The documents each kind of application carries (policy L-1: plan, agreements, charter; L-3:
# the agreement; L-5: anything the school adds).
DOCUMENT_KINDS = {
    Application.Kind.FOUNDING: ["plan", "agreement", "charter", "other"],
    Application.Kind.ADMISSION: ["agreement", "other"],
    Application.Kind.EXIT: ["other"],
}


def can_draft_application(
    user: User,
    kind: str,
    *,
    group: EducationGroup | None = None,
    membership: Membership | None = None,
    today: datetime.date | None = None,
) -> Decision:
    """Founding and admission are applied for by the core school (policy L-1, L-3); exit by the
    member school itself (policy L-5), while it is a member with no exit already approved."""
    if not user.is_principal:
        return Decision(False, _("只有学校校长可以发起申请。"))
    if kind == Application.Kind.FOUNDING:
        return ALLOW
    if kind == Application.Kind.ADMISSION:
        if group is not None and _principal_of(user, group.core_school_id):
            return ALLOW
        return Decision(False, _("只有核心校校长可以申请吸纳成员校（政策 L-3）。"))
    if kind == Application.Kind.EXIT:
        if (
            membership is not None
            and membership.role == Membership.Role.MEMBER
            and membership.state_on(today or membership_today()) == MembershipState.ACTIVE
            and _principal_of(user, membership.school_id)
        ):
            return ALLOW
        return Decision(False, _("只有成员校校长可以为本校申请退出（政策 L-5）。"))
    return Decision(False, _("未知的申请类别。"))


def can_edit_application(user: User, application: Application) -> Decision:
    """The applicant school's principal edits, submits and withdraws its application (policy
    L-1, L-3, L-5: the school applies; the authorities decide on what was submitted). Whether
    the application is still with the applicant is the transition table's answer."""
    if not _principal_of(user, application.applicant_school_id):
        return Decision(False, _("只有申请学校的校长可以办理此事项。"))
    return ALLOW


can_submit_application = can_edit_application


can_withdraw_application = can_edit_application


def can_record_consent(user: User, consent: Consent) -> Decision:
    """Each proposed member's authority consents for itself (policy L-1, L-3)."""
    if not user.acts_for_authority(consent.authority_id):
        return Decision(
            False,
            _("只有 %(authority)s 的工作人员可以表态。") % {"authority": consent.authority.name},
        )
    return ALLOW


def can_give_exit_opinion(user: User, application: Application) -> Decision:
    """The core school gives its opinion on a member's exit (policy L-5)."""
    if application.group is None or not _principal_of(user, application.group.core_school_id):
        return Decision(False, _("只有核心校校长可以对退出申请提出意见（政策 L-5）。"))
    return ALLOW


def can_decide_application(user: User, application: Application) -> Decision:
    """Only the core school's own authority decides (policy L-1, L-3, L-5)."""
    if not user.acts_for_authority(application.deciding_authority_id):
        return Decision(False, _("仅核心校所属教育行政部门可以审批（政策 L-1）。"))
    return ALLOW
