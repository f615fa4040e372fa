"""The award list's export (policy F-5): the awards the user sees, under the page's filters and
in its order, read as plain values."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from funding.awards.filters import AwardFilter
from funding.awards.models import Award
from funding.awards.selectors import award_list_for_user
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, spec_of
from qingdao_groups.core.labels import choice_labels

AWARDS_SPEC = spec_of(
    "表彰奖励",
    (_("年度"), 8),
    (_("级别"), 12),
    (_("表彰奖励名称"), 36),
    (_("表彰对象"), 8),
    (_("对象名称"), 28),
    (_("集团"), 28),
    (_("集团编号"), 14),
    (_("奖励金额（元）"), 14),
)
_FIELDS = (
    "year",
    "level",
    "title",
    "recipient_kind",
    "recipient_name",
    "group__name",
    "group__code",
    "amount",
)


def awards_query(user: User, params: QueryDict) -> ExportQuery:
    filterset = AwardFilter(params, queryset=award_list_for_user(user=user))
    levels, kinds = (choice_labels(Award, f) for f in ("level", "recipient_kind"))

    def row(values: tuple) -> list:
        year, level, title, kind, name, group, code, amount = values
        return [
            year,
            str(levels.get(level, level)),
            title,
            str(kinds.get(kind, kind)),
            name,
            group,
            code,
            amount if amount is not None else "",
        ]

    return ExportQuery(filterset.qs, _FIELDS, row)


AWARDS_EXPORT = ListExport(
    key="awards",
    title=_("表彰奖励"),
    spec=AWARDS_SPEC,
    query=awards_query,
    stem="awards",
    list_url="funding:award-list",
)
