"""The filing list's export (issue 8): the filings the user sees, under the page's filters and
in its order, read as plain values."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from groups.filings.filters import FilingFilter
from groups.filings.models import Filing
from groups.filings.selectors import filing_list_for_user, oldest_unhandled_first
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, spec_of
from qingdao_groups.core.labels import choice_labels

FILINGS_SPEC = spec_of(
    "报备",
    (_("报备部门"), 24),
    (_("类别"), 14),
    (_("标题"), 36),
    (_("集团"), 28),
    (_("报备日期"), 12),
    (_("首次报备日期"), 12),
    (_("项目开始日期"), 12),
    (_("状态"), 10),
)
_FIELDS = (
    "authority__name",
    "kind",
    "title",
    "group__name",
    "filed_on",
    "first_filed_on",
    "project_starts_on",
    "status",
)


def filings_query(user: User, params: QueryDict) -> ExportQuery:
    filterset = FilingFilter(
        params, queryset=filing_list_for_user(user=user), show_district=user.sees_everything
    )
    kinds, statuses = (choice_labels(Filing, f) for f in ("kind", "status"))

    def row(values: tuple) -> list:
        authority, kind, title, group, filed, first, starts, status = values
        return [
            authority,
            str(kinds.get(kind, kind)),
            title,
            group or "",
            filed,
            first,
            starts,
            str(statuses.get(status, status)),
        ]

    return ExportQuery(oldest_unhandled_first(filterset.qs), _FIELDS, row)


FILINGS_EXPORT = ListExport(
    key="filings",
    title=_("报备"),
    spec=FILINGS_SPEC,
    query=filings_query,
    stem="filings",
    list_url="filings:filing-list",
)
