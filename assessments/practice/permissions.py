"""Who may act on good-practice cases (policy A-6): person gates, each a Decision that explains a
refusal; `require` makes it a 403 before any state is read. Whether the case's state allows the
move is the transition table's answer (workflows.CASE_TRANSITIONS, the runner)."""

from django.utils.translation import gettext_lazy as _

from assessments.practice.models import PracticeCase
from assessments.practice.workflows import OPEN_STATES, CaseStatus
from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision
from qingdao_groups.models import Attachment

# What a case carries: pictures and other material, one kind (an image is shown as a picture).
CASE_UPLOAD_KINDS = (Attachment.Kind.OTHER,)

NOT_REVIEWER = _(
    "只有市教育局工作人员，或集团所在区（市）教育行政部门的工作人员，可以审核典型案例。"
)


def in_district_scope(user: User, group: EducationGroup) -> bool:
    """A district bureau's groups (policy A-6): those it approved and those whose core school
    lies in its district. `group` comes with its core school (selectors load it)."""
    if not (user.is_district_staff and user.authority_id):
        return False
    if group.authority_id == user.authority_id:
        return True
    district = user.authority.district_id if user.authority else None
    return bool(district) and group.core_school.district_id == district


def leads_group(user: User, group: EducationGroup) -> bool:
    """The group's core principal: the principal of its core school."""
    return (
        user.role == User.Role.CORE_PRINCIPAL
        and user.school_id is not None
        and user.school_id == group.core_school_id
    )


def can_create_case(user: User) -> Decision:
    """A group's core principal writes up its own practice; city and district staff collect
    cases of the groups in their scope (policy A-6)."""
    if user.is_city_staff or user.is_district_staff or user.role == User.Role.CORE_PRINCIPAL:
        return ALLOW
    return Decision(False, _("只有核心校校长或市、区（市）教育行政部门工作人员可以填写典型案例。"))


def can_write_for_group(user: User, group: EducationGroup) -> Decision:
    """Who may write (and submit) a case of this group (policy A-6): its core principal, city
    staff, the staff of its district."""
    if user.is_city_staff or leads_group(user, group) or in_district_scope(user, group):
        return ALLOW
    return Decision(
        False, _("只有本集团核心校校长或主管教育行政部门工作人员可以填写该集团的典型案例。")
    )


def can_edit_case(user: User, case: PracticeCase) -> Decision:
    """Change, submit or resubmit a case, add its pictures and attachments (policy A-6)."""
    return can_write_for_group(user, case.group)


def can_review_case(user: User, case: PracticeCase | None = None) -> Decision:
    """Publish a submitted case or return it with remarks; unpublish a published one (policy
    A-6): city staff for any case, district staff for cases of their district's groups."""
    if user.is_city_staff:
        return ALLOW
    if user.is_district_staff and (case is None or in_district_scope(user, case.group)):
        return ALLOW
    return Decision(False, NOT_REVIEWER)


def can_upload_to_case(user: User, case: PracticeCase) -> Decision:
    """Pictures and attachments are added by whoever writes the case, while it is a draft or
    returned (policy A-6); a submitted or published case is fixed."""
    decision = can_edit_case(user, case)
    if not decision:
        return decision
    if case.status not in OPEN_STATES:
        return Decision(
            False,
            _("该典型案例当前状态为“%(status)s”，不能再上传图片或附件。")
            % {"status": case.get_status_display()},
        )
    return ALLOW


def is_public(case: PracticeCase) -> bool:
    """Only a published case is shown to the public (policy A-6)."""
    return case.status == CaseStatus.PUBLISHED
