"""Who may read and add rate-table versions (policy F-1, F-4): person gates only, each a Decision
that explains a refusal."""

from django.utils.translation import gettext_lazy as _

from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision


def can_view_rates(user: User) -> bool:
    """Rates are read by every signed-in role: staff and the read-only roles to check the
    ledgers, principals to know what their group is owed (policy F-1, F-4)."""
    return user.is_authenticated


def can_create_rates(user: User) -> Decision:
    """Person gate of the rate-table pages: the city bureau and the district bureaus keep rate
    tables; the read-only roles, principals and administrators do not (policy F-1, F-4)."""
    if user.is_city_staff or user.is_district_staff:
        return ALLOW
    return Decision(False, _("只有市、区（市）教育行政部门可以维护费率表。"))


def can_create_rates_for(user: User, authority_id: int) -> Decision:
    """An authority's staff keep its own rate tables; the city bureau may keep any authority's
    (policy F-1, F-4)."""
    gate = can_create_rates(user)
    if not gate:
        return gate
    if user.is_city_staff or user.acts_for_authority(authority_id):
        return ALLOW
    return Decision(False, _("区（市）教育行政部门只能维护本部门的费率表。"))
