"""The city's whole fiscal year computed in the background (policy F-1, F-2, F-4; issue 9)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from funding.ledgers.permissions import can_compute_all_ledgers
from funding.ledgers.services import ComputeResult, ledgers_compute
from members.models import User
from qingdao_groups.core.notifications import notify
from qingdao_groups.core.rules import require
from qingdao_groups.core.tasks import enqueue


def city_year_compute_start(*, year: int, actor: User) -> None:
    """Hand the computation of the city's year to the worker (the city bureau, policy F-1, F-2,
    F-4), through the task outbox: the task runs once the transaction commits and the broker
    takes it (at once, or from the relay when the broker was down). Asked again by the same
    officer before it was handed over, it is queued once."""
    require(can_compute_all_ledgers(actor))
    enqueue(
        "funding.ledgers_compute_year",
        dedup_key=f"funding.ledgers_compute_year:{year}:{actor.pk}",
        year=year,
        user_id=actor.pk,
    )


@transaction.atomic
def city_year_compute(
    *, year: int, actor: User | None, now: datetime.datetime | None = None
) -> ComputeResult:
    """Compute every group's ledgers of the fiscal year (`ledgers_compute`: idempotent, a locked
    year gets adjustment lines, policy F-1, F-2, F-4) and tell the one who asked, in their
    language, with a link to the city's totals of that year."""
    now = now or timezone.now()
    if actor is not None:
        require(can_compute_all_ledgers(actor))
    result = ledgers_compute(year=year, actor=actor, now=now)
    if actor is not None:
        with translation.override(getattr(actor, "language", None) or None):
            text = _(
                "%(year)s 年度全市台账已计算：新建 %(created)s 本，重新计算 %(rewritten)s 本，"
                "未变化 %(unchanged)s 本。"
            ) % {
                "year": year,
                "created": result.created,
                "rewritten": result.rewritten,
                "unchanged": result.unchanged,
            }
        notify([actor], text, f"{reverse('funding:city')}?year={year}", now=now)
    return result
