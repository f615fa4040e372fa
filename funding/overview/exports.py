"""Exports of any ledger view (issue 9: XLSX and CSV, Chinese headers): the lines ("ledger-lines")
and the ledgers ("ledgers"), each within what the reader may see and narrowed by the parameters
of the page it was asked from — one ledger (`ledger`), a group's year (`group` + `year`), an
authority's year (`authority` + `year`) or the ledger list's filters. Read as plain values by the
one export helper; a large export goes through its background job."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from funding.ledgers.models import Ledger, LedgerLine
from funding.overview.filters import LedgerFilter
from funding.overview.permissions import can_read_ledgers
from funding.overview.selectors import LEDGER_ORDER, RULES, ledger_list_for_user
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, local_date, spec_of
from qingdao_groups.core.labels import choice_labels
from qingdao_groups.core.rules import require


def ledger_filterset(user: User, params: QueryDict) -> LedgerFilter:
    """The ledger list's filter over the ledgers the user sees (403 for who reads no money)."""
    require(can_read_ledgers(user))
    return LedgerFilter(params or None, queryset=ledger_list_for_user(user=user))


def ledgers_filtered(user: User, params: QueryDict) -> QuerySet[Ledger]:
    """The ledgers the user sees under the list's filters, in the list's order (the page and its
    exports)."""
    return ledger_filterset(user, params).qs.order_by(*LEDGER_ORDER)


def _sequence_text(sequence: int) -> str:
    return str(_("本年度")) if sequence == 1 else str(_("补充%(n)s") % {"n": sequence - 1})


LINES_SPEC = spec_of(
    "台账明细",
    (_("台账编号"), 10),
    (_("集团"), 28),
    (_("财政年度"), 10),
    (_("付款教育行政部门"), 24),
    (_("台账"), 10),
    (_("台账状态"), 10),
    (_("行号"), 6),
    (_("规则"), 24),
    (_("政策条款"), 8),
    (_("成员校"), 28),
    (_("付款方"), 24),
    (_("收款方"), 24),
    (_("期间起"), 12),
    (_("期间止"), 12),
    (_("计算过程"), 60),
    (_("金额（元）"), 14),
    (_("调整行"), 8),
    (_("调整的已锁定行"), 12),
    (_("适用"), 6),
)
_LINE_FIELDS = (
    "ledger_id",
    "ledger__group__name",
    "ledger__fiscal_year",
    "ledger__authority__name",
    "ledger__sequence",
    "ledger__status",
    "position",
    "rule",
    "member_school__name",
    "payer_name",
    "payee_name",
    "period_start",
    "period_end",
    "formula",
    "amount",
    "is_adjustment",
    "adjusts_id",
    "applicable",
)


def lines_query(user: User, params: QueryDict) -> ExportQuery:
    """Every line of the ledgers the view shows (policy F-1, F-2, F-4): rule, clause, member
    school, payer, payee, period, formula and amount to the fen."""
    ledgers = ledgers_filtered(user, params)
    qs = LedgerLine.objects.filter(ledger__in=ledgers.order_by().values("pk")).order_by(
        *(f"-ledger__{f[1:]}" if f.startswith("-") else f"ledger__{f}" for f in LEDGER_ORDER),
        "position",
    )
    rules = choice_labels(LedgerLine, "rule")
    statuses = choice_labels(Ledger, "status")

    def row(values: tuple) -> list:
        (
            ledger_id,
            group,
            year,
            authority,
            sequence,
            status,
            position,
            rule,
            school,
            payer,
            payee,
            start,
            end,
            formula,
            amount,
            is_adjustment,
            adjusts,
            applicable,
        ) = values
        return [
            ledger_id,
            group,
            year,
            authority,
            _sequence_text(sequence),
            str(statuses.get(status, status)),
            position,
            str(rules.get(rule, rule)),
            rule,
            school,
            payer,
            payee,
            start,
            end,
            formula,
            amount,
            is_adjustment,
            adjusts,
            applicable,
        ]

    return ExportQuery(qs, _LINE_FIELDS, row)


LEDGERS_SPEC = spec_of(
    "经费台账",
    (_("台账编号"), 10),
    (_("集团"), 28),
    (_("集团编号"), 14),
    (_("财政年度"), 10),
    (_("付款教育行政部门"), 24),
    (_("台账"), 10),
    (_("状态"), 10),
    (_("明细行数"), 10),
    (_("F-1 成员校专项奖补（元）"), 16),
    (_("F-2 合作协议费用（元）"), 16),
    (_("F-4 派驻人员补助（元）"), 16),
    (_("合计（元）"), 16),
    (_("计算时间"), 12),
    (_("确认时间"), 12),
    (_("锁定时间"), 12),
)
_MONEY_SUM = DecimalField(max_digits=16, decimal_places=2)


def _rule_sum(rule: str):
    return Coalesce(
        Sum("lines__amount", filter=Q(lines__rule=rule)),
        Value(Decimal("0.00")),
        output_field=_MONEY_SUM,
    )


def ledgers_query(user: User, params: QueryDict) -> ExportQuery:
    """One row per ledger as the list shows it, with its sums by rule (policy F-1, F-2, F-4)."""
    qs = ledgers_filtered(user, params).annotate(
        **{f"sum_{i}": _rule_sum(rule) for i, rule in enumerate(RULES)}
    )
    statuses = choice_labels(Ledger, "status")
    fields = (
        "pk",
        "group__name",
        "group__code",
        "fiscal_year",
        "authority__name",
        "sequence",
        "status",
        "line_count",
        "sum_0",
        "sum_1",
        "sum_2",
        "total",
        "computed_at",
        "confirmed_at",
        "locked_at",
    )

    def row(values: tuple) -> list:
        (pk, group, code, year, authority, sequence, status, lines, *rest) = values
        f1, f2, f4, total, computed, confirmed, locked = rest
        return [
            pk,
            group,
            code,
            year,
            authority,
            _sequence_text(sequence),
            str(statuses.get(status, status)),
            lines,
            f1,
            f2,
            f4,
            total,
            local_date(computed),
            local_date(confirmed),
            local_date(locked),
        ]

    return ExportQuery(qs, fields, row)


LINES_EXPORT = ListExport(
    key="ledger-lines",
    title=_("经费台账明细"),
    spec=LINES_SPEC,
    query=lines_query,
    stem="ledger-lines",
    list_url="funding:ledger-list",
)
LEDGERS_EXPORT = ListExport(
    key="ledgers",
    title=_("经费台账"),
    spec=LEDGERS_SPEC,
    query=ledgers_query,
    stem="ledgers",
    list_url="funding:ledger-list",
)
