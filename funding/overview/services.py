"""The city's whole fiscal year computed in the background (policy F-1, F-2, F-4; issue 9)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from funding.ledgers.permissions import can_compute_all_ledgers
from funding.ledgers.services import ComputeResult, ledgers_compute
from members.models import User
from qingdao_groups.core.notifications import notify
from qingdao_groups.core.rules import require

logger = logging.getLogger(__name__)


def city_year_compute_start(*, year: int, actor: User) -> bool:
    """Hand the computation of the city's year to the worker (the city bureau, policy F-1, F-2,
    F-4). Nothing is written here; a broker that is down is reported (False), not an error page.
    Under CELERY_TASK_ALWAYS_EAGER (tests) the task runs at once."""
    require(can_compute_all_ledgers(actor))
    from funding.overview.tasks import ledgers_compute_year_task

    try:
        ledgers_compute_year_task.apply_async(
            kwargs={"year": year, "user_id": actor.pk}, retry=False
        )
    except Exception as exc:  # noqa: BLE001 - whatever the broker does, the request succeeds
        if ledgers_compute_year_task.app.conf.task_always_eager:
            raise  # no broker involved (tests): a failure here is a bug in the computation
        logger.warning("computing the year %s could not be queued: %s", year, exc)
        return False
    return True


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
