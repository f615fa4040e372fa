"""Who may read and change assessment frameworks (policy A-1; issue 10): person gates only,
each explaining a refusal.

- City staff create, copy, edit and publish frameworks (the city bureau assesses the groups,
  A-1).
- Everyone signed in reads published frameworks: district staff run cycles on them, auditors
  and administrators check them, principals read the framework their group is assessed on.
- Drafts are read by city staff, administrators and the read-only roles (auditors) only."""

from django.utils.translation import gettext_lazy as _

from assessments.frameworks.models import Framework
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision


def can_edit_frameworks(user: User) -> Decision:
    """Person gate of every framework change: city staff only (A-1)."""
    if user.is_authenticated and user.is_city_staff:
        return ALLOW
    return Decision(False, _("只有市教育局工作人员可以编制、复制和发布评估指标体系。"))


def can_read_drafts(user: User) -> bool:
    """Drafts are work in progress of the city bureau: its staff, administrators and the
    read-only roles (auditors) read them."""
    return user.is_authenticated and (
        user.is_city_staff
        or user.is_superuser
        or user.role == User.Role.SYSADMIN
        or user.is_read_only
    )


def can_view_framework(user: User, framework: Framework) -> bool:
    """A published framework is read by everyone signed in (A-1); a draft by those who read
    drafts."""
    if not user.is_authenticated:
        return False
    return framework.is_published or can_read_drafts(user)
