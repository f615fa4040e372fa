"""Commendations and rewards to groups, teams and people (policy F-5)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding import rules
from funding.awards.models import Award
from funding.awards.permissions import can_record_award
from funding.rates.models import MAX_RATE
from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import stamp

TEXT_MAX = 100
YEAR_MIN = 2000


@transaction.atomic
def award_record(
    *,
    group: EducationGroup,
    recipient_kind: str,
    recipient_name: str,
    title: str,
    level: str,
    year: int,
    actor: User,
    amount: Decimal | None = None,
    now: datetime.datetime | None = None,
) -> Award:
    """Record a commendation or reward to a group, one of its teams or one of its people, with
    its level, year and any amount (policy F-5), by the city bureau or the authority that
    approved the group. A group's award is named after the group when no name is given."""
    require(can_record_award(actor, group))
    now = now or timezone.now()
    if recipient_kind not in Award.RecipientKind.values:
        raise RuleRefusal(_("请选择表彰对象。"), field="recipient_kind")
    recipient_name = (recipient_name or "").strip()
    if not recipient_name:
        if recipient_kind != Award.RecipientKind.GROUP:
            raise RuleRefusal(_("表彰团队或个人时须填写对象名称。"), field="recipient_name")
        recipient_name = group.name[:TEXT_MAX]
    title = (title or "").strip()
    if not title:
        raise RuleRefusal(_("请填写表彰奖励名称。"), field="title")
    if len(title) > TEXT_MAX or len(recipient_name) > TEXT_MAX:
        raise RuleRefusal(_("名称不能超过 %(n)s 个字。") % {"n": TEXT_MAX})
    if level not in Award.Level.values:
        raise RuleRefusal(_("请选择级别。"), field="level")
    this_year = timezone.localdate(now).year
    if year is None or not YEAR_MIN <= year <= this_year:
        raise RuleRefusal(
            _("年度须在 %(first)s 至 %(last)s 之间。") % {"first": YEAR_MIN, "last": this_year},
            field="year",
        )
    if amount is not None:
        amount = rules.fen(amount)
        if amount < 0:
            raise RuleRefusal(_("奖励金额不能为负数。"), field="amount")
        if amount > MAX_RATE:
            raise RuleRefusal(
                _("奖励金额不能超过 %(max)s 元，请核对。") % {"max": rules.money_text(MAX_RATE)},
                field="amount",
            )
    award = Award(
        group=group,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        title=title,
        level=level,
        year=year,
        amount=amount,
        recorded_by=actor,
        recorded_at=now,
    )
    stamp(award, actor=actor, reason=gettext_lazy("登记表彰奖励"), now=now)
    award.save()
    return award
