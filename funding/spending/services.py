"""Spending of the core school's subsidy and fee income (policy F-3: the core principal decides
how it is spent; the spending is recorded, with its receipts, and audited)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding import rules
from funding.rates.models import MAX_RATE
from funding.spending.models import Spending
from funding.spending.permissions import can_record_spending
from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import stamp
from qingdao_groups.models import Attachment

NOTE_MAX = 2000  # a person's explanation: a text column, bounded by the form


@transaction.atomic
def spending_record(
    *,
    group: EducationGroup,
    category: str,
    amount: Decimal,
    spent_on: datetime.date,
    note: str,
    actor: User,
    receipt=None,
    now: datetime.datetime | None = None,
) -> Spending:
    """The core principal records a spending of the group's income (policy F-3): a category, an
    amount above zero (rounded half-up to the fen), the day it was spent (its fiscal year is
    that day's year; not a day to come), what it was for, and the receipt if one is given —
    stored in the same transaction, so a refused file leaves no spending."""
    require(can_record_spending(actor, group))
    now = now or timezone.now()
    if category not in Spending.Category.values:
        raise RuleRefusal(_("请选择支出类别。"), field="category")
    if amount is None or rules.fen(amount) <= 0:
        raise RuleRefusal(_("支出金额须大于 0 元。"), field="amount")
    amount = rules.fen(amount)
    if amount > MAX_RATE:
        raise RuleRefusal(
            _("支出金额不能超过 %(max)s 元，请核对。") % {"max": rules.money_text(MAX_RATE)},
            field="amount",
        )
    if spent_on is None:
        raise RuleRefusal(_("请填写支出日期。"), field="spent_on")
    if spent_on > timezone.localdate(now):
        raise RuleRefusal(_("支出日期不能晚于今天。"), field="spent_on")
    note = (note or "").strip()
    if not note:
        raise RuleRefusal(_("请填写用途说明。"), field="note")
    if len(note) > NOTE_MAX:
        raise RuleRefusal(_("用途说明不能超过 %(n)s 个字。") % {"n": NOTE_MAX}, field="note")
    spending = Spending(
        group=group,
        fiscal_year=spent_on.year,
        category=category,
        amount=amount,
        spent_on=spent_on,
        note=note,
        recorded_by=actor,
        recorded_at=now,
    )
    stamp(spending, actor=actor, reason=gettext_lazy("登记支出"), now=now)
    spending.save()
    if receipt:
        attachment_add(
            owner=spending,
            kind=Attachment.Kind.RECEIPT,
            uploaded_file=receipt,
            actor=actor,
            now=now,
        )
    return spending
