"""The ledger's state machine (DESIGN.md "Money"; issue 9). Pure data, no database.

draft ──confirm (paying authority)──▶ confirmed ──lock (finance reviewer)──▶ locked
  ▲   compute (self-move)                │
  └────────── return / recompute ◀───────┘

A locked ledger is never rewritten: a later computation that finds other figures books the
difference as adjustment lines in a supplementary ledger of the same year."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CONFIRMED = "confirmed", _("已确认")
    LOCKED = "locked", _("已锁定")


class LedgerAction(models.TextChoices):
    COMPUTE = "compute", _("计算")
    CONFIRM = "confirm", _("确认")
    RETURN = "return", _("退回重核")
    RECOMPUTE = "recompute", _("数据变化，重新计算")
    LOCK = "lock", _("锁定")


S = LedgerStatus
A = LedgerAction

LEDGER_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, A.COMPUTE): S.DRAFT,
    (S.DRAFT, A.CONFIRM): S.CONFIRMED,
    (S.CONFIRMED, A.RETURN): S.DRAFT,
    # The computation finds other figures for a confirmed ledger: it goes back to draft and
    # must be confirmed again.
    (S.CONFIRMED, A.RECOMPUTE): S.DRAFT,
    (S.CONFIRMED, A.LOCK): S.LOCKED,
}
