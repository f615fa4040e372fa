"""Who may change the registry of groups. Each rule returns a Decision that explains a refusal."""

from django.utils.translation import gettext_lazy as _

from groups.models import EducationGroup
from members.models import School, User
from qingdao_groups.shared import ALLOW, Decision

USE_THE_WORKFLOW = _("成立集团、吸纳和退出成员校须通过申请办理（政策 L-1、L-3、L-5），淘汰须发出红牌"
                     "（政策 L-6）；直接登记只用于系统管理员补录上线前的历史数据。")


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
    if user.role == User.Role.AUDITOR:
        return Decision(False, _("审计人员只能查看，不能修改。"))
    return Decision(False, _("只有集团的审批部门可以登记合作单位（政策 G-1）。"))


# --- A group's life (issue: founding, admission, exit, cards, filings, enrollment) -----------
# Each rule says who may act and in which state, and explains a refusal in the user's language.

from groups.models import Application, Card, Consent, EnrollmentPlan, Filing, Membership  # noqa: E402
from groups.workflows import (  # noqa: E402
    EDITABLE_STATUSES,
    ApplicationStatus,
    CardStatus,
    ConsentStatus,
    EnrollmentPlanStatus,
    FilingStatus,
)

NOT_IN_STATE = _("该事项当前不在可办理的环节。")


def _principal_of(user: User, school_id: int | None) -> bool:
    return school_id is not None and user.is_principal and user.school_id == school_id


def can_draft_application(user: User, kind: str, *, group: EducationGroup | None = None,
                          membership: Membership | None = None) -> Decision:
    """Founding and admission are applied for by the core school (policy L-1, L-3); exit by the
    member school itself (policy L-5)."""
    if not user.is_principal:
        return Decision(False, _("只有学校校长可以发起申请。"))
    if kind == Application.Kind.FOUNDING:
        return ALLOW
    if kind == Application.Kind.ADMISSION:
        if group is not None and _principal_of(user, group.core_school_id):
            return ALLOW
        return Decision(False, _("只有核心校校长可以申请吸纳成员校（政策 L-3）。"))
    if kind == Application.Kind.EXIT:
        if membership is not None and membership.role == Membership.Role.MEMBER and \
                membership.left_on is None and _principal_of(user, membership.school_id):
            return ALLOW
        return Decision(False, _("只有成员校校长可以为本校申请退出（政策 L-5）。"))
    return Decision(False, _("未知的申请类别。"))


def can_edit_application(user: User, application: Application) -> Decision:
    """The applicant school's principal edits a draft or a returned application (policy L-1,
    L-3, L-5: the school applies; the authorities decide on what was submitted)."""
    if not _principal_of(user, application.applicant_school_id):
        return Decision(False, _("只有申请学校的校长可以修改申请。"))
    if application.status not in EDITABLE_STATUSES:
        return Decision(False, _("申请已提交，不能修改；如需修改请等待退回。"))
    return ALLOW


can_submit_application = can_edit_application
can_withdraw_application = can_edit_application


def can_record_consent(user: User, consent: Consent) -> Decision:
    """Each proposed member's authority consents for itself (policy L-1, L-3)."""
    if not user.acts_for_authority(consent.authority_id):
        return Decision(False, _("只有 %(authority)s 的工作人员可以表态。")
                        % {"authority": consent.authority.name})
    if consent.status != ConsentStatus.PENDING or \
            consent.application.status != ApplicationStatus.AWAITING_CONSENTS:
        return Decision(False, NOT_IN_STATE)
    return ALLOW


def can_give_exit_opinion(user: User, application: Application) -> Decision:
    """The core school gives its opinion on a member's exit (policy L-5)."""
    if application.kind != Application.Kind.EXIT or application.group is None or \
            not _principal_of(user, application.group.core_school_id):
        return Decision(False, _("只有核心校校长可以对退出申请提出意见（政策 L-5）。"))
    if application.status != ApplicationStatus.AWAITING_OPINION:
        return Decision(False, NOT_IN_STATE)
    return ALLOW


def can_decide_application(user: User, application: Application) -> Decision:
    """Only the core school's own authority decides (policy L-1, L-3, L-5)."""
    if not user.acts_for_authority(application.deciding_authority_id):
        return Decision(False, _("仅核心校所属教育行政部门可以审批（政策 L-1）。"))
    if application.status != ApplicationStatus.UNDER_DECISION:
        return Decision(False, _("该申请不在待审批状态。"))
    return ALLOW


def can_issue_card(user: User, membership: Membership) -> Decision:
    """Bureau staff of the core's authority warn or expel a member (policy L-6)."""
    if membership.role != Membership.Role.MEMBER or membership.left_on is not None:
        return Decision(False, _("只能对在册成员校发出黄牌或红牌。"))
    if not user.acts_for_authority(membership.group.authority_id):
        return Decision(False, _("只有核心校所属教育行政部门可以发出黄牌或红牌（政策 L-6）。"))
    return ALLOW


def can_respond_to_card(user: User, card: Card) -> Decision:
    """The warned member's principal submits rectification (policy L-6)."""
    if not _principal_of(user, card.membership.school_id):
        return Decision(False, _("只有被预警学校的校长可以提交整改材料。"))
    if card.status not in (CardStatus.YELLOW_ISSUED, CardStatus.OVERDUE):
        return Decision(False, NOT_IN_STATE)
    return ALLOW


def can_review_card(user: User, card: Card) -> Decision:
    """The issuing authority lifts a yellow card, rejects a rectification or escalates (policy
    L-6)."""
    if not user.acts_for_authority(card.group.authority_id):
        return Decision(False, _("只有核心校所属教育行政部门可以处理黄牌（政策 L-6）。"))
    if card.level != Card.Level.YELLOW or card.status in (CardStatus.LIFTED,
                                                          CardStatus.RED_ISSUED):
        return Decision(False, NOT_IN_STATE)
    return ALLOW


def can_create_filing(user: User) -> Decision:
    """District offices file with the city (policy L-2, D-1, D-2)."""
    if user.is_district_staff:
        return ALLOW
    return Decision(False, _("只有区（市）教育行政部门可以向市教育局报备。"))


def can_handle_filing(user: User, filing: Filing) -> Decision:
    """City staff acknowledge a filing or return it with remarks (policy L-2, D-1, D-2)."""
    if not user.is_city_staff:
        return Decision(False, _("只有市教育局工作人员可以确认或退回报备。"))
    if filing.status != FilingStatus.FILED:
        return Decision(False, NOT_IN_STATE)
    return ALLOW


def can_refile(user: User, filing: Filing) -> Decision:
    """The filing district refiles what the city returned (policy L-2, D-1, D-2)."""
    if not user.acts_for_authority(filing.authority_id):
        return Decision(False, _("只有报备部门可以重新报备。"))
    if filing.status != FilingStatus.RETURNED:
        return Decision(False, NOT_IN_STATE)
    return ALLOW


def can_file_enrollment_plan(user: User, school: School) -> Decision:
    """Each school files its own plan (一校一案, policy L-7)."""
    if not _principal_of(user, school.pk):
        return Decision(False, _("只有本校校长可以报送招生计划。"))
    return ALLOW


def can_set_enrollment_plan(user: User, plan: EnrollmentPlan) -> Decision:
    """The school's authority sets the plan (policy L-7)."""
    if not user.acts_for_authority(plan.school.authority_id):
        return Decision(False, _("只有学校的主管教育行政部门可以核定招生计划（政策 L-7）。"))
    if plan.status != EnrollmentPlanStatus.FILED:
        return Decision(False, NOT_IN_STATE)
    return ALLOW


# --- Documents (issue 3 "Documents"): new versions of a group's charter and rules ------------


def can_manage_group_documents(user: User, group: EducationGroup) -> Decision:
    """A group runs by its charter and management rules (policy G-4, L-8): new versions are
    recorded by the group's core principal or by staff of the authority that approves the group
    (policy L-1)."""
    if user.role == User.Role.AUDITOR:
        return Decision(False, _("审计人员只能查看，不能修改。"))
    if group.status == EducationGroup.Status.DISSOLVED:
        return Decision(False, _("集团已撤销，不能再登记文件。"))
    if _principal_of(user, group.core_school_id) or user.acts_for_authority(group.authority_id):
        return ALLOW
    return Decision(False, _("只有核心校校长或集团的审批教育行政部门可以登记章程与制度"
                             "（政策 G-4、L-8）。"))


# --- end of documents block ------------------------------------------------------------------


# --- Card and filing uploads (issue 3 "Documents"; policy L-6, D-1, D-2, L-2) -----------------
# Who may attach files to a card or a filing, and when. The kind of a card document is fixed by
# role; views split "not yours" (403) from "not now" (a message) with these rules.

from groups.models import Attachment  # noqa: E402


def card_upload_kind(user: User, card: Card) -> str | None:
    """The document a user adds to a card, fixed by role (policy L-6): evidence for the staff of
    the issuing authority (the group's authority), rectification material for the warned
    member's principal; None for everyone else."""
    if user.acts_for_authority(card.group.authority_id):
        return Attachment.Kind.EVIDENCE
    if _principal_of(user, card.membership.school_id):
        return Attachment.Kind.RECTIFICATION
    return None


def can_upload_to_card(user: User, card: Card) -> Decision:
    """Policy L-6: the issuing authority's staff add evidence while the card is open; the warned
    member's principal adds rectification material while the warning awaits its response
    (yellow card issued or overdue)."""
    kind = card_upload_kind(user, card)
    if kind is None:
        return Decision(False, _("只有发出黄牌的教育行政部门或被预警学校的校长可以上传材料"
                                 "（政策 L-6）。"))
    if kind == Attachment.Kind.EVIDENCE and card.closed_at is not None:
        return Decision(False, _("该黄牌/红牌已结束，不能再补充证明材料（政策 L-6）。"))
    if kind == Attachment.Kind.RECTIFICATION and \
            card.status not in (CardStatus.YELLOW_ISSUED, CardStatus.OVERDUE):
        return Decision(False, _("整改材料只能在提交整改情况之前或同时上传；该黄牌当前状态为"
                                 "“%(status)s”（政策 L-6）。")
                        % {"status": card.get_status_display()})
    return ALLOW


FILING_UPLOAD_KINDS = (Attachment.Kind.POLICY, Attachment.Kind.OTHER)


def can_upload_to_filing(user: User, filing: Filing) -> Decision:
    """The filing authority's staff attach the policy text or other documents while the filing
    is with the city or returned to them (policy D-1, D-2, L-2); an acknowledged filing is
    closed."""
    if not user.acts_for_authority(filing.authority_id):
        return Decision(False, _("只有报备部门的工作人员可以上传报备材料。"))
    if filing.status not in (FilingStatus.FILED, FilingStatus.RETURNED):
        return Decision(False, _("该报备当前状态为“%(status)s”，不能再上传材料。")
                        % {"status": filing.get_status_display()})
    return ALLOW


# --- end of card and filing uploads block -----------------------------------------------------
