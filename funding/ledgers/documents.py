"""The PDF statement of a locked ledger (经费台账结算单; issue 9): archived with the official
documents (qingdao_groups.core.archive) in the lock's transaction, numbered by the paying
authority, with its verification code. Written in Chinese whatever the reader's language."""

import datetime

from django.utils import translation

from funding import rules
from funding.ledgers.models import Ledger
from members.models import User
from qingdao_groups.core.archive import issue_document
from qingdao_groups.core.clauses import CLAUSE_TEXT
from qingdao_groups.core.pdf import chinese_date
from qingdao_groups.models import OfficialDocument

STATEMENT = "ledger_statement"
STATEMENT_TEMPLATE = "funding/pdf/ledger_statement.html"


def statement_title(ledger: Ledger) -> str:
    suffix = f"（补充第{ledger.sequence - 1}号）" if ledger.sequence > 1 else ""
    return f"{ledger.group.name}{ledger.fiscal_year}年度经费台账结算单{suffix}"


def statement_data(ledger: Ledger) -> dict:
    """The data the statement is rendered from and archived with: plain values, in Chinese."""
    with translation.override("zh-hans"):
        lines = list(ledger.lines.select_related("member_school").order_by("position"))
        by_rule: dict[str, str] = {}
        for rule in ("F-1", "F-2", "F-4"):
            amounts = [line.amount for line in lines if line.rule == rule]
            if amounts:
                by_rule[rule] = rules.money_text(rules.total(amounts))
        return {
            "ledger_id": ledger.pk,
            "group": ledger.group.name,
            "group_code": ledger.group.code,
            "authority": ledger.authority.name,
            "fiscal_year": ledger.fiscal_year,
            "sequence": ledger.sequence,
            "total": rules.money_text(ledger.total),
            "by_rule": [
                {"rule": r, "label": str(dict(ledger.lines.model.Rule.choices)[r]), "amount": a}
                for r, a in by_rule.items()
            ],
            "confirmed_by": ledger.confirmed_by.get_full_name() if ledger.confirmed_by else "",
            "confirmed_on": chinese_date(ledger.confirmed_at.date()) if ledger.confirmed_at else "",
            "locked_by": ledger.locked_by.get_full_name() if ledger.locked_by else "",
            "lines": [
                {
                    "position": line.position,
                    "rule": line.rule,
                    "member": line.member_school.name,
                    "payer": line.payer_name,
                    "payee": line.payee_name,
                    "period": f"{line.period_start.isoformat()} 至 {line.period_end.isoformat()}",
                    "formula": line.formula,
                    "amount": rules.money_text(line.amount),
                    "adjustment": line.is_adjustment,
                    "applicable": line.applicable,
                }
                for line in lines
            ],
            "clauses": [
                {"id": c, "text": str(CLAUSE_TEXT.get(c, ""))}
                for c in ("F-1", "F-2", "F-4")
                if c in by_rule
            ],
        }


def ledger_statement_issue(
    *, ledger: Ledger, actor: User, now: datetime.datetime
) -> OfficialDocument:
    """Archive the statement of a ledger as it was locked, issued under the paying authority's
    number sequence."""
    return issue_document(
        owner=ledger,
        kind=STATEMENT,
        authority=ledger.authority,
        title=statement_title(ledger),
        addressee=ledger.group.core_school.name,
        template=STATEMENT_TEMPLATE,
        context=statement_data(ledger),
        actor=actor,
        now=now,
    )
