"""What funding/staffing plugs into the shared parts: the staffing request list's export and
the open requests in the work list of the staffing office and the HR bureau (policy S-1)."""

from django.utils.translation import gettext as _

from funding.staffing.exports import STAFFING_EXPORT
from funding.staffing.models import StaffingRequest
from members.models import User
from qingdao_groups.core.exports import register_export
from qingdao_groups.core.inbox import (
    InboxItem,
    InboxSource,
    WorkFilter,
    day,
    register_inbox_provider,
)
from qingdao_groups.core.labels import choice_labels, url_maker

register_export(STAFFING_EXPORT)


def _narrow(rows, flt: WorkFilter):
    """The work list's filters in the database: the district of the core school; an open
    request has no deadline (the policy sets none)."""
    if flt.district:
        rows = rows.filter(school__district_id=flt.district)
    if flt.due in ("overdue", "week"):
        rows = rows.none()
    return rows


def _inbox(user: User) -> list[InboxItem] | InboxSource:
    """Policy S-1: open staffing requests wait for the staffing office and the HR bureau."""
    if not user.is_staffing_reader:
        return []
    detail = url_maker("funding:staffing-detail")
    kinds = choice_labels(StaffingRequest, "kind")
    return InboxSource(
        _("待处理的编制与岗位需求"),
        StaffingRequest.objects.filter(status=StaffingRequest.Status.OPEN)
        .select_related("group", "school")
        .order_by("created_at", "id"),
        lambda r: InboxItem(
            _("待处理的编制与岗位需求"),
            f"{r.group.name} · {kinds.get(r.kind, r.kind)} {r.count}",
            day(r.created_at),
            detail(r.pk),
            r.school.name,
            key="staffing",
            waits_for=_("机构编制、人力资源社会保障部门"),
            district=r.school.district_id or "",
            group=r.group.name,
        ),
        key="staffing",
        narrow=_narrow,
    )


register_inbox_provider("staffing", _inbox, models=(StaffingRequest,))
