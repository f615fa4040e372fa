"""The application list's export (issue 8): the applications the user sees, under the page's
filters, read as plain values."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from groups.applications.models import Application, application_title
from groups.applications.selectors import application_list_filtered, application_list_for_user
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, local_date, spec_of
from qingdao_groups.core.labels import choice_labels

APPLICATIONS_SPEC = spec_of(
    "申请",
    (_("编号"), 8),
    (_("类别"), 10),
    (_("名称"), 32),
    (_("申请学校"), 28),
    (_("集团"), 28),
    (_("状态"), 14),
    (_("审批部门"), 24),
    (_("创建日期"), 12),
    (_("提交日期"), 12),
    (_("审批日期"), 12),
)
_FIELDS = (
    "pk",
    "kind",
    "proposed_name",
    "applicant_school__name",
    "group__name",
    "status",
    "deciding_authority__name",
    "created_at",
    "submitted_at",
    "decided_at",
)


def applications_query(user: User, params: QueryDict) -> ExportQuery:
    qs, _status, _kind = application_list_filtered(application_list_for_user(user=user), params)
    kinds, statuses = (choice_labels(Application, f) for f in ("kind", "status"))

    def row(values: tuple) -> list:
        pk, kind, proposed, applicant, group, status, authority, created, submitted, decided = (
            values
        )
        return [
            pk,
            str(kinds.get(kind, kind)),
            application_title(kind, proposed, applicant, group),
            applicant,
            group or "",
            str(statuses.get(status, status)),
            authority or "",
            local_date(created),
            local_date(submitted),
            local_date(decided),
        ]

    return ExportQuery(qs.order_by("-created_at", "-id"), _FIELDS, row)


APPLICATIONS_EXPORT = ListExport(
    key="applications",
    title=_("申请"),
    spec=APPLICATIONS_SPEC,
    query=applications_query,
    stem="applications",
    list_url="applications:list",
)
