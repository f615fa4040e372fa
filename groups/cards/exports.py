"""The card list's export (issue 8): the cards the user sees, under the page's filter, read as
plain values."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from groups.cards.models import Card
from groups.cards.selectors import card_list_filtered, card_list_visible
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, local_date, spec_of
from qingdao_groups.core.labels import choice_labels

CARDS_SPEC = spec_of(
    "黄牌红牌",
    (_("集团"), 28),
    (_("成员校"), 28),
    (_("级别"), 8),
    (_("事由"), 20),
    (_("状态"), 14),
    (_("发出日期"), 12),
    (_("整改期限"), 12),
    (_("结束日期"), 12),
)
_FIELDS = (
    "group__name",
    "membership__school__name",
    "level",
    "ground",
    "status",
    "issued_at",
    "deadline",
    "closed_at",
)


def cards_query(user: User, params: QueryDict) -> ExportQuery:
    qs, _state = card_list_filtered(card_list_visible(user=user), params)
    levels, grounds, statuses = (choice_labels(Card, f) for f in ("level", "ground", "status"))

    def row(values: tuple) -> list:
        group, school, level, ground, status, issued, deadline, closed = values
        return [
            group,
            school,
            str(levels.get(level, level)),
            str(grounds.get(ground, ground)),
            str(statuses.get(status, status)),
            local_date(issued),
            deadline,
            local_date(closed),
        ]

    return ExportQuery(qs, _FIELDS, row)


CARDS_EXPORT = ListExport(
    key="cards",
    title=_("黄牌红牌"),
    spec=CARDS_SPEC,
    query=cards_query,
    stem="cards",
    list_url="cards:list",
)
