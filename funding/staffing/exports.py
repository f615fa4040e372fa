"""The staffing request list's export (policy S-1, S-2): the requests the user sees, under the
page's filters and in its order, read as plain values."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from funding.staffing.filters import StaffingFilter
from funding.staffing.models import StaffingRequest
from funding.staffing.selectors import staffing_list_for_user
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, local_date, spec_of
from qingdao_groups.core.labels import choice_labels


def open_first(qs: QuerySet[StaffingRequest]) -> QuerySet[StaffingRequest]:
    """Open requests first, the oldest at the top; then the handled ones (policy S-1)."""
    pending = Case(
        When(status=StaffingRequest.Status.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.annotate(pending=pending).order_by("pending", "created_at", "id")


STAFFING_SPEC = spec_of(
    "编制与岗位需求",
    (_("集团"), 28),
    (_("核心校"), 24),
    (_("事项"), 12),
    (_("数量"), 8),
    (_("理由"), 40),
    (_("在册成员校"), 10),
    (_("薄弱学校占比"), 10),
    (_("在岗派驻人员"), 10),
    (_("校长职级"), 10),
    (_("提交时间"), 12),
    (_("状态"), 10),
    (_("处理时间"), 12),
    (_("处理意见"), 30),
)
_FIELDS = (
    "group__name",
    "school__name",
    "kind",
    "count",
    "reason",
    "context",
    "created_at",
    "status",
    "handled_at",
    "handled_note",
)


def staffing_query(user: User, params: QueryDict) -> ExportQuery:
    filterset = StaffingFilter(
        params,
        queryset=staffing_list_for_user(user=user),
        show_district=user.sees_everything,
    )
    kinds, statuses = (choice_labels(StaffingRequest, f) for f in ("kind", "status"))
    ranks = choice_labels(User, "rank")

    def row(values: tuple) -> list:
        group, school, kind, count, reason, ctx, at, status, handled_at, note = values
        ctx = ctx or {}
        share = ctx.get("weak_share_percent")
        return [
            group,
            school,
            str(kinds.get(kind, kind)),
            count,
            reason,
            ctx.get("members"),
            f"{share}%" if share is not None else "",
            ctx.get("dispatches_current"),
            str(ranks.get(ctx.get("principal_rank") or "", "")),
            local_date(at),
            str(statuses.get(status, status)),
            local_date(handled_at),
            note,
        ]

    return ExportQuery(open_first(filterset.qs), _FIELDS, row)


STAFFING_EXPORT = ListExport(
    key="staffing",
    title=_("编制与岗位需求"),
    spec=STAFFING_SPEC,
    query=staffing_query,
    stem="staffing",
    list_url="funding:staffing-list",
)
