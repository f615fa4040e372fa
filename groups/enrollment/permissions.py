"""Who may act on enrollment plans: person-level gates (school relation, authority), each a
Decision that explains a refusal; `require` makes it a 403 before any state is read. The plan's
state is the transition table's answer (qingdao_groups.core.workflow, RuleRefusal)."""

from django.utils.translation import gettext_lazy as _

from groups.enrollment.models import EnrollmentPlan  # noqa: E402
from groups.registry.permissions import _principal_of
from members.models import School, User
from qingdao_groups.core.rules import ALLOW, Decision


def can_file_enrollment_plan(user: User, school: School) -> Decision:
    """Each school files its own plan (一校一案, policy L-7)."""
    if not _principal_of(user, school.pk):
        return Decision(False, _("只有本校校长可以报送招生计划。"))
    return ALLOW


def can_set_enrollment_plan(user: User, plan: EnrollmentPlan) -> Decision:
    """The school's authority sets the plan or returns it (policy L-7). Whether the plan awaits
    it is the transition table's answer."""
    if not user.acts_for_authority(plan.school.authority_id):
        return Decision(False, _("只有学校的主管教育行政部门可以核定招生计划（政策 L-7）。"))
    return ALLOW
