"""Who organises, fills in, scores, flags and reads an assessment cycle (policy A-1 … A-4):
person gates returning `Decision`.

- The organising authority's staff (the city bureau for a city cycle, a district bureau for its
  own) create it, move it, score the manual indicators (they are the inspectors) and resolve
  factual-accuracy flags. City staff read district cycles whole but do not score them: the
  district organised the cycle and answers for its scores (A-1); the city supervises by reading
  and reminding.
- A covered group's core principal fills in the self-assessment, uploads evidence and flags
  factual errors in the draft result — their own group's part only.
- District staff read their groups' parts of a city cycle; auditors and administrators read
  everything; nobody else sees a cycle."""

from django.utils.translation import gettext_lazy as _

from assessments.cycles.models import Cycle, CycleGroup
from assessments.cycles.workflows import CycleStatus
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision
from qingdao_groups.models import Attachment

NOT_ORGANISER = _("只有组织本次评估的教育行政部门工作人员可以办理（政策 A-1）。")


def is_reader(user: User) -> bool:
    """Auditors, the other read-only roles and administrators read every cycle."""
    return bool(user.is_superuser or user.role == User.Role.SYSADMIN or user.is_read_only)


def is_organiser(user: User, cycle: Cycle) -> bool:
    return user.acts_for_authority(cycle.authority_id)


def is_core_principal_of(user: User, entry: CycleGroup) -> bool:
    return (
        user.role == User.Role.CORE_PRINCIPAL
        and user.school_id is not None
        and user.school_id == entry.group.core_school_id
    )


def can_open_cycles(user: User) -> Decision:
    """The cycles' list: staff, readers and core principals (policy A-1)."""
    if (
        user.role in User.AUTHORITY_ROLES
        or is_reader(user)
        or user.role == User.Role.CORE_PRINCIPAL
    ):
        return ALLOW
    return Decision(False, _("督导评估仅供教育行政部门、核心校校长和审计人员查看。"))


def can_create_cycle(user: User) -> Decision:
    """The city bureau organises a cycle for the whole city, a district bureau for the groups it
    approved (policy A-1)."""
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        return ALLOW
    return Decision(False, _("只有教育行政部门工作人员可以组织督导评估（政策 A-1）。"))


def can_manage_cycle(user: User, cycle: Cycle) -> Decision:
    """Moving the cycle, scoring and resolving flags: the organising authority's staff (A-1)."""
    if is_organiser(user, cycle):
        return ALLOW
    return Decision(False, NOT_ORGANISER)


def can_view_entry(user: User, entry: CycleGroup) -> bool:
    """A group's part: the organiser, the city (supervising), the group's approving district,
    the group's core principal once the cycle has started, and the readers."""
    cycle = entry.cycle
    if is_reader(user) or is_organiser(user, cycle) or user.is_city_staff:
        return True
    if user.is_district_staff:
        return user.authority_id == entry.group.authority_id
    if is_core_principal_of(user, entry):
        return cycle.status != CycleStatus.OPEN
    return False


def can_self_assess(user: User, entry: CycleGroup) -> Decision:
    """The group's core principal fills in its self-assessment (A-1)."""
    if is_core_principal_of(user, entry):
        return ALLOW
    return Decision(False, _("只有该集团的核心校校长可以填报自评（政策 A-1）。"))


def can_flag(user: User, entry: CycleGroup) -> Decision:
    """The group's core principal flags factual errors in its draft result (A-1)."""
    if is_core_principal_of(user, entry):
        return ALLOW
    return Decision(False, _("只有该集团的核心校校长可以提出事实核对意见（政策 A-1）。"))


def score_upload_kinds(user: User, score) -> tuple[str, ...]:
    """Evidence is uploaded by the group's core principal (A-1)."""
    if is_core_principal_of(user, score.entry):
        return (Attachment.Kind.EVIDENCE,)
    return ()
