"""A ledger line explained in words (issue 9: auditors ask "why this amount?"): the rule's
clause, the inputs the rules stored with the line (dates, rate table version, months, rates) in
the reader's language, the formula and, for an adjustment, the locked line it adjusts. Pure
presentation of what is stored: no database, no arithmetic (policy F-1, F-2, F-4)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding import rules
from funding.ledgers.models import LedgerLine
from members.models import School
from qingdao_groups.core.clauses import CLAUSE_TEXT

# What each rule says, beside its citation (CLAUSES.md F-1, F-2, F-4).
RULE_TEXT: dict[str, Promise] = {rule: CLAUSE_TEXT[rule] for rule in ("F-1", "F-2", "F-4")}

# Why a line pays nothing (applicable=False), by the reason code the rules stored.
REASON_TEXT: dict[str, Promise] = {
    "funding.f1.private": gettext_lazy(
        "民办成员校，不享受成员校专项奖补（F-1 仅适用于公办成员校）"
    ),
    "funding.f1.other_authority": gettext_lazy(
        "成员校隶属其他教育行政部门，不适用专项奖补；按“谁受益谁出资”由合作协议约定（F-2）"
    ),
    "funding.no_rates": gettext_lazy("付款部门尚未设定该年度费率，暂无法计算"),
}

# The stored inputs, in the order they are read out, with their labels.
LABELS: dict[str, Promise] = {
    "member": gettext_lazy("成员校"),
    "nature": gettext_lazy("办学性质"),
    "stage": gettext_lazy("学段"),
    "member_authority": gettext_lazy("成员校主管部门"),
    "core_authority": gettext_lazy("核心校主管部门"),
    "person": gettext_lazy("派驻人员姓名"),
    "role": gettext_lazy("岗位"),
    "joined_on": gettext_lazy("加入集团日期"),
    "left_on": gettext_lazy("离开集团日期"),
    "agreement_starts_on": gettext_lazy("协议起始日"),
    "agreement_ends_on": gettext_lazy("协议终止日"),
    "starts_on": gettext_lazy("派驻起始日"),
    "ends_on": gettext_lazy("派驻终止日"),
    "fee": gettext_lazy("协议约定费用"),
    "period": gettext_lazy("计费方式"),
    "term_starts": gettext_lazy("学期开学日"),
    "rate_table": gettext_lazy("费率表"),
    "rate": gettext_lazy("专项奖补标准"),
    "transport_per_month": gettext_lazy("交通补助标准"),
    "lodging_per_month": gettext_lazy("食宿补助标准"),
    "proration": gettext_lazy("折算方式"),
    "reference_date": gettext_lazy("基准日"),
    "months": gettext_lazy("计入月数"),
    "recomputed": gettext_lazy("重新计算金额"),
    "locked": gettext_lazy("已锁定金额"),
}
PERIOD_TEXT: dict[str, Promise] = {
    "yearly": gettext_lazy("按年计费（按协议与成员关系同时覆盖的月数折算）"),
    "per_term": gettext_lazy("按学期计费"),
    "one_off": gettext_lazy("一次性费用"),
}
PRORATION_TEXT: dict[str, Promise] = {
    "months": gettext_lazy("按在册月数折算"),
    "reference_date": gettext_lazy("按基准日在册与否计算"),
}
SKIPPED = {"rate_version", "locked_line"}  # read out with rate_table / as the adjusted line


@dataclass(frozen=True)
class Explanation:
    clause: str
    rule_text: str
    inputs: list[tuple[str, str]]
    formula: str
    reason: str  # why nothing is due (applicable=False), else ""


def _money(value) -> str:
    try:
        return rules.money_text(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _day(value) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return str(value)


def _value(key: str, value, inputs: dict) -> str:
    if key == "nature":
        return str(dict(School.Nature.choices).get(value, value))
    if key == "stage":
        return str(dict(School.Stage.choices).get(value, value))
    if key == "proration":
        return str(PRORATION_TEXT.get(value, value))
    if key == "period":
        return str(PERIOD_TEXT.get(value, value))
    if key == "role":  # stored as its Chinese label when computed
        return _(str(value)) if value else ""
    if key == "left_on" and not value:
        return _("未离开（仍在册）")
    if key == "ends_on" and not value:
        return _("仍在派驻")
    if key.endswith("_on") or key in ("term_starts", "reference_date"):
        return _day(value)
    if key == "rate_table":
        return _("第 %(table)s 号，第 %(version)s 版") % {
            "table": value,
            "version": inputs.get("rate_version", "?"),
        }
    if key == "rate":
        per_year = _("元/年")
        return f"{_money(value)} {per_year}"
    if key == "fee":
        unit = {"yearly": _("元/年"), "per_term": _("元/学期")}.get(
            str(inputs.get("period", "")), _("元")
        )
        return f"{_money(value)} {unit}"
    if key in ("transport_per_month", "lodging_per_month"):
        per_month = _("元/月")
        return f"{_money(value)} {per_month}"
    if key in ("recomputed", "locked"):
        yuan = _("元")
        return f"{_money(value)} {yuan}"
    if key == "months":
        return _("%(n)s 个月（当月 15 日在册或在岗计 1 个月）") % {"n": value}
    return str(value)


def readable_inputs(inputs: dict) -> list[tuple[str, str]]:
    """The stored inputs as (label, value) in words, known keys first in a fixed order."""
    out = [
        (str(label), _value(key, inputs[key], inputs))
        for key, label in LABELS.items()
        if key in inputs
    ]
    for key, value in inputs.items():  # anything the rules add later still shows
        if key not in LABELS and key not in SKIPPED and value not in (None, ""):
            out.append((key, str(value)))
    return out


def explain(line: LedgerLine) -> Explanation:
    """Everything the page shows when a line is opened (policy F-1, F-2, F-4)."""
    return Explanation(
        clause=line.rule,
        rule_text=str(RULE_TEXT.get(line.rule, "")),
        inputs=readable_inputs(line.inputs or {}),
        formula=line.formula,
        reason="" if line.applicable else str(REASON_TEXT.get(line.reason_code, line.formula)),
    )
