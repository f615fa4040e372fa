"""Who records awards (policy F-5): person gates."""

from django.utils.translation import gettext_lazy as _

from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision

REFUSED = _("只有市教育局或集团的审批部门可以登记表彰奖励（政策 F-5）。")


def can_record_awards(user: User) -> Decision:
    """Commendations of groups, teams and people are recorded by the city bureau and the
    district authorities (policy F-5); which group, the rule below."""
    if user.is_city_staff or user.is_district_staff:
        return ALLOW
    return Decision(False, REFUSED)


def can_record_award(user: User, group: EducationGroup) -> Decision:
    """For one group: the city bureau, or the staff of the authority that approved it
    (policy F-5)."""
    if user.is_city_staff or user.acts_for_authority(group.authority_id):
        return ALLOW
    return Decision(False, REFUSED)
