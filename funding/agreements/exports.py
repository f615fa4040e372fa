"""The receivable list's export (policy F-2): the receivables the user sees, under the page's
filters and in its order, read as plain values."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from funding.agreements.filters import ReceivableFilter
from funding.agreements.models import Agreement
from funding.agreements.selectors import receivable_list_for_user
from funding.rules import fen
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, spec_of

RECEIVABLES_SPEC = spec_of(
    "应收款",
    (_("财政年度"), 10),
    (_("集团"), 28),
    (_("成员校"), 28),
    (_("付款方"), 16),
    (_("收款方"), 24),
    (_("协议名称"), 28),
    (_("应收金额（元）"), 14),
    (_("已到账（元）"), 14),
    (_("未收余额（元）"), 14),
    (_("付款截止日"), 12),
    (_("已逾期"), 8),
)
_FIELDS = (
    "fiscal_year",
    "agreement__group__name",
    "agreement__membership__school__name",
    "agreement__payer",
    "agreement__membership__school__authority__name",
    "agreement__group__core_school__name",
    "agreement__title",
    "amount",
    "paid",
    "balance",
    "due_on",
    "overdue",
)


def receivables_query(user: User, params: QueryDict) -> ExportQuery:
    filterset = ReceivableFilter(params, queryset=receivable_list_for_user(user=user))

    def row(values: tuple) -> list:
        year, group, school, payer, authority, core, title, amount, paid, balance, due, overdue = (
            values
        )
        return [
            year,
            group,
            school,
            authority if payer == Agreement.Payer.AUTHORITY else school,
            core,
            title,
            fen(amount),
            fen(paid),
            fen(balance),
            due,
            str(_("是")) if overdue else "",
        ]

    return ExportQuery(filterset.qs, _FIELDS, row)


RECEIVABLES_EXPORT = ListExport(
    key="receivables",
    title=_("应收款"),
    spec=RECEIVABLES_SPEC,
    query=receivables_query,
    stem="receivables",
    list_url="funding:receivable-list",
)
