"""The one way a service hands work to the Celery worker: `enqueue(task_name, **kwargs)`.

`enqueue` writes a TaskOutbox row in the caller's transaction (a rolled-back action never runs
its task; a committed one never loses it) and, after the commit, publishes the row's message at
once when the broker answers within BROKER_TIMEOUT. Whatever the broker does, the request never
waits longer nor fails: a row whose publish failed stays due and the relay
(`relay_task_outbox`, beat every 30 seconds) publishes it once the broker is back. A row is
marked dispatched only after a successful publish, under a row lock (PostgreSQL: SELECT … FOR
UPDATE SKIP LOCKED), so the after-commit publish and the relay never publish the same row side
by side. A crash between the publish and the COMMIT leaves the row due and it is published
again: tasks are idempotent and keyed by the row (task id `task-outbox-<pk>`), so a repeat finds
its work done.

The worker's side (`TrackedTask`, the base of every task of the app): each delivery of an
acks-late task is counted before its body runs — in the TaskOutbox row for enqueued tasks, in a
Redis counter keyed by the task id for the others (when the broker is Redis) — and a task
delivered more than TASK_MAX_DELIVERIES times (killed each time: out of memory, a crash in a C
library) is given up, logged and recorded (`gave_up_at`), never looped forever. Celery has no
such cap of its own for a message the broker redelivers after a lost worker.

`publish_now` is the best-effort publish for messages that need no row of their own because
their work is already recorded (the e-mail Outbox's nudge): bounded by BROKER_TIMEOUT, and
after a failure this process stops trying for a while, so later requests pay nothing.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from typing import TYPE_CHECKING, Any

from celery import Task, current_app
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

if TYPE_CHECKING:  # imported where used: the Celery app loads this module before the models
    from qingdao_groups.models import TaskOutbox

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "task-outbox-"
_TASK_ID = re.compile(rf"^{TASK_ID_PREFIX}(\d+)$")
#: After a publish fails (broker down or hung), this process publishes nothing for a while: the
#: relay publishes the rows anyway, and no further request pays the broker timeout meanwhile.
PUBLISH_PAUSE_SECONDS = 30.0
#: Backoff of the relay after the n-th failed publish of a row: 10, 20, 40 … s, at most 5 min.
BACKOFF_BASE = datetime.timedelta(seconds=10)
BACKOFF_MAX = datetime.timedelta(minutes=5)
_paused_until = 0.0


def task_id_of(row_id: int) -> str:
    return f"{TASK_ID_PREFIX}{row_id}"


def row_id_of(task_id: str | None) -> int | None:
    match = _TASK_ID.match(task_id or "")
    return int(match.group(1)) if match else None


def _is_eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _send(task: str, kwargs: dict[str, Any], task_id: str | None = None, **options) -> None:
    """Publish one message (no retry: the settings bound the broker's connect and socket
    waits). Under CELERY_TASK_ALWAYS_EAGER (tests) the task runs here and now."""
    app = current_app
    if app.conf.task_always_eager:
        if task not in app.tasks:  # the tasks modules are imported by the worker, not here
            from django.apps import apps

            app.autodiscover_tasks([c.name for c in apps.get_app_configs()], force=True)
        app.tasks[task].apply_async(kwargs=kwargs, task_id=task_id, **options)
        return
    app.send_task(task, kwargs=kwargs, task_id=task_id, retry=False, **options)


def publishing_paused() -> bool:
    return time.monotonic() < _paused_until


def _pause(exc: BaseException, what: str) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
    logger.warning("%s not published, the relay will: %s", what, exc)


def resume_publishing() -> None:
    """Forget a failed publish (tests; and a process that knows the broker is back)."""
    global _paused_until
    _paused_until = 0.0


def publish_now(task: str, *, expires: float | None = 600, **kwargs: Any) -> bool:
    """Best effort, for work already recorded elsewhere: publish `task` now, or log and return
    False (the broker is down, hung, or was a moment ago). Never raises outside eager mode."""
    if publishing_paused():
        return False
    try:
        _send(task, kwargs, expires=expires)
    except Exception as exc:  # noqa: BLE001 - whatever the broker does, the request succeeds
        if _is_eager():
            raise  # no broker involved (tests): a failure here is a bug in the task
        _pause(exc, f"task {task}")
        return False
    return True


def enqueue(
    task_name: str,
    *,
    dedup_key: str = "",
    now: datetime.datetime | None = None,
    **kwargs: Any,
) -> TaskOutbox:
    """Record that `task_name` is to run with `kwargs` (ids and plain values, JSON), in the
    caller's transaction, and publish it after the commit (best effort). With a `dedup_key`, a
    row of that key still waiting to be dispatched is returned instead of a second one."""
    from qingdao_groups.models import TaskOutbox

    now = now or timezone.now()
    if dedup_key:
        pending = TaskOutbox.objects.filter(dedup_key=dedup_key, dispatched_at__isnull=True)
        existing = pending.first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            row = TaskOutbox.objects.create(
                task=task_name,
                kwargs=kwargs,
                dedup_key=dedup_key,
                created_at=now,
                next_attempt_at=now,
            )
    except IntegrityError:
        # Another transaction queued the same key meanwhile: theirs will run.
        return TaskOutbox.objects.get(dedup_key=dedup_key, dispatched_at__isnull=True)
    row_id = row.pk
    transaction.on_commit(lambda: dispatch(row_id))
    return row


def _claim(moment: datetime.datetime, ids: list[int] | None) -> TaskOutbox | None:
    from qingdao_groups.models import TaskOutbox

    due = TaskOutbox.objects.filter(dispatched_at__isnull=True, next_attempt_at__lte=moment)
    if ids is not None:
        due = due.filter(pk__in=ids)
    due = due.order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        # A row another publisher holds is skipped, never waited for nor published twice.
        due = due.select_for_update(skip_locked=True)
    return due.first()


def backoff(attempts: int) -> datetime.timedelta:
    return min(BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 16), BACKOFF_MAX)


def _publish_claimed(row: TaskOutbox, moment: datetime.datetime, *, by_relay: bool) -> bool:
    row.attempts += 1
    try:
        _send(row.task, row.kwargs, task_id=task_id_of(row.pk))
    except Exception as exc:  # noqa: BLE001 - every failure is kept and retried
        if _is_eager():
            raise
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        fields = ["attempts", "last_error"]
        if by_relay:  # the after-commit try leaves the row due for the next relay
            row.next_attempt_at = moment + backoff(row.attempts)
            fields.append("next_attempt_at")
        row.save(update_fields=fields)
        _pause(exc, f"task {row.task} (row {row.pk})")
        return False
    row.dispatched_at = moment
    row.save(update_fields=["attempts", "dispatched_at"])
    return True


def dispatch(row_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Publish one row right after its commit, unless publishing is paused or another
    publisher holds it. Never raises outside eager mode; True when published."""
    from qingdao_groups.models import TaskOutbox

    if publishing_paused():
        return False
    moment = now or timezone.now()
    if _is_eager():
        # The task runs inside the publish: claim and mark first, so its own writes and the
        # row's lock never meet (there is no broker to fail).
        claimed = TaskOutbox.objects.filter(pk=row_id, dispatched_at__isnull=True).update(
            dispatched_at=moment, attempts=F("attempts") + 1
        )
        if claimed:
            eager = TaskOutbox.objects.get(pk=row_id)
            _send(eager.task, eager.kwargs, task_id=task_id_of(eager.pk))
        return bool(claimed)
    try:
        with transaction.atomic():
            claimed_row = _claim(moment, [row_id])
            return claimed_row is not None and _publish_claimed(claimed_row, moment, by_relay=False)
    except Exception as exc:  # noqa: BLE001 - the database failing here must not fail the page
        logger.warning("task outbox row %s not published after commit: %s", row_id, exc)
        return False


def relay_task_outbox(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Publish the due rows, oldest first, each in its own transaction (claimed under a row lock,
    marked dispatched only once the broker took it). Stops at the first failure: the broker is
    down, the next run tries again. Returns how many were published."""
    resume_publishing()  # the relay's own judgement: try the broker now
    published = 0
    for _i in range(limit):
        moment = now or timezone.now()
        with transaction.atomic():
            row = _claim(moment, None)
            if row is None:
                break
            if not _publish_claimed(row, moment, by_relay=True):
                break
        published += 1
    return published


# --- The worker's side: deliveries counted, a task redelivered too often given up ---------------


def _redis_deliveries(task_id: str) -> int | None:
    """Count one delivery of a task that has no TaskOutbox row, in the broker's Redis (None on
    another broker, or when Redis does not answer: no cap then rather than no task)."""
    url = current_app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    key = f"qingdao_groups:deliveries:{task_id}"
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=settings.BROKER_TIMEOUT, socket_timeout=2
        )
        with client.pipeline() as pipe:
            pipe.incr(key)
            # Kept as long as the broker may redeliver the message, and then some.
            pipe.expire(key, int(settings.CELERY_VISIBILITY_TIMEOUT) * 4 + 3600)
            count, _ok = pipe.execute()
        return int(count)
    except redis.RedisError as exc:
        logger.warning("delivery of task %s not counted: %s", task_id, exc)
        return None


def record_delivery(task_id: str, *, now: datetime.datetime) -> int | None:
    """Count this delivery (committed before the task's body runs, so a kill still counts);
    returns the number of deliveries so far, or None when it cannot be known."""
    from qingdao_groups.models import TaskOutbox

    row_id = row_id_of(task_id)
    if row_id is None:
        return _redis_deliveries(task_id)
    updated = TaskOutbox.objects.filter(pk=row_id).update(
        deliveries=F("deliveries") + 1, started_at=now
    )
    if not updated:
        return None
    return TaskOutbox.objects.filter(pk=row_id).values_list("deliveries", flat=True).first()


def record_give_up(task_name: str, task_id: str, deliveries: int, *, now) -> None:
    from qingdao_groups.models import TaskOutbox

    message = (
        f"gave up after {deliveries - 1} deliveries (cap TASK_MAX_DELIVERIES="
        f"{settings.TASK_MAX_DELIVERIES}): the worker was lost each time"
    )
    logger.error("task %s [%s] %s", task_name, task_id, message)
    row_id = row_id_of(task_id)
    if row_id is not None:
        TaskOutbox.objects.filter(pk=row_id).update(gave_up_at=now, last_error=message)


class TrackedTask(Task):
    """The base of every task of the app (`Celery(task_cls=…)`): deliveries of an acks-late task
    are counted and capped; an enqueued task's row records its start, end and last error."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from qingdao_groups.models import TaskOutbox

        request = self.request
        task_id = request.id or ""
        row_id = row_id_of(task_id)
        counted = self.acks_late and not request.is_eager and not request.called_directly
        if counted or row_id is not None:
            deliveries = record_delivery(task_id, now=timezone.now())
            if deliveries is not None and deliveries > settings.TASK_MAX_DELIVERIES:
                record_give_up(self.name, task_id, deliveries, now=timezone.now())
                return None
        try:
            result = super().__call__(*args, **kwargs)
        except Exception as exc:
            if row_id is not None:
                TaskOutbox.objects.filter(pk=row_id).update(
                    last_error=f"{type(exc).__name__}: {exc}"[:2000]
                )
            raise
        if row_id is not None:
            TaskOutbox.objects.filter(pk=row_id).update(finished_at=timezone.now())
        return result
