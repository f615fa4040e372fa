"""Reminders (催办) about items that wait for someone, by hand and on a schedule, each logged.

A feature registers, from its hooks module, a `RemindSource` per model whose rows wait for
people (an application's step, a card, a filing, an enrollment plan): how a reader finds one
(404 when they may not see it), whom a row waits for now (`waiting`: the people, their unit in
words, the step's deadline; None when it waits for nobody), and every row waiting today (the
daily run). Staff remind whoever an item waits for (`reminder_send`: one per item per day per
sender); the daily beat task `qingdao_groups.reminders_send_due` reminds before a deadline and
escalates once it has passed (the overdue notice is copied to the city bureau, which supervises
the districts' work, policy A-1), at most once per item per day. Each reminder is a notice with
its e-mail copy (core.notifications) and a `Reminder` row shown on the item's page."""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import User
from qingdao_groups.core.notifications import city_staff, notify
from qingdao_groups.core.rules import ALLOW, Decision, RuleRefusal, require
from qingdao_groups.models import Reminder

logger = logging.getLogger(__name__)

#: The daily run reminds this many days before a deadline (and every day once it has passed).
REMIND_BEFORE_DAYS = 3


@dataclass(frozen=True)
class Waiting:
    """Whom a row waits for now: the people who get the reminder, their unit in words, the item
    in words, its page, and the step's deadline (None: none)."""

    users: list[User]
    who: str
    what: str
    url: str
    deadline: datetime.date | None = None
    # When overdue, the notice is also copied to these (the supervising authority).
    escalate_to: list[User] = field(default_factory=list)


@dataclass(frozen=True)
class RemindSource:
    key: str
    model: Any
    get_for_user: Callable[[Any, int], Any]  # raises Http404 when the reader may not see it
    waiting: Callable[[Any], Waiting | None]
    open_rows: Callable[[], Iterable[Any]]  # every row that may wait for someone (daily run)
    is_open: Callable[[Any], bool] = lambda obj: True  # cheap: may it wait for someone now?
    # The items a reader may see that wait for someone else (the work list's 督办 view, with a
    # reminder button on each row): at most WATCH_PER_SOURCE, oldest first, one query or two.
    watched: Callable[[Any], list] | None = None


WATCH_PER_SOURCE = 50


_SOURCES: dict[str, RemindSource] = {}


def register_remind_source(source: RemindSource) -> None:
    """Called from a feature's hooks module; idempotent by key."""
    _SOURCES[source.key] = source


def unregister_remind_source(key: str) -> None:
    _SOURCES.pop(key, None)


def watched_items(user) -> list:
    """What waits for others among the items `user` may see (core.inbox.InboxItem rows, each
    with its reminder target), from every source; empty for whoever may not remind."""
    if not can_send_reminder(user):
        return []
    items: list = []
    for source in _SOURCES.values():
        if source.watched is not None:
            items.extend(source.watched(user))
    return items


def source_for_model(model) -> RemindSource | None:
    for source in _SOURCES.values():
        if source.model is model or isinstance(model, source.model):
            return source
    return None


def target_key(obj) -> str:
    """The key a page posts to remind about `obj` ("<source>:<pk>"); empty when none."""
    source = source_for_model(type(obj))
    return f"{source.key}:{obj.pk}" if source else ""


def resolve_target(user, target: str):
    """(source, object) of a posted target, or 404 (unknown, malformed or not visible)."""
    key, _sep, pk = (target or "").partition(":")
    source = _SOURCES.get(key)
    if source is None or not pk.isdigit():
        raise Http404
    return source, source.get_for_user(user, int(pk))


def can_send_reminder(user) -> Decision:
    """Staff of an education authority remind whoever an item waits for (issue 8: 催办); the
    auditor and principals do not."""
    if getattr(user, "role", None) in User.AUTHORITY_ROLES and user.authority_id:
        return ALLOW
    return Decision(False, gettext_lazy("只有教育行政部门工作人员可以催办。"))


ALREADY_REMINDED = gettext_lazy(
    "您今天已催办过该事项（%(time)s），每个事项每天只能催办一次，请明天再试。"
)


def _message(waiting: Waiting, *, today: datetime.date, automatic: bool) -> tuple[str, bool]:
    overdue = waiting.deadline is not None and waiting.deadline < today
    if overdue:
        assert waiting.deadline is not None
        text = _(
            "【逾期催办】%(what)s 已超过办理期限 %(deadline)s（逾期 %(days)d 天），请尽快办理。"
        ) % {
            "what": waiting.what,
            "deadline": waiting.deadline.isoformat(),
            "days": (today - waiting.deadline).days,
        }
    elif waiting.deadline is not None:
        text = _("【催办】%(what)s 请于 %(deadline)s 前办理。") % {
            "what": waiting.what,
            "deadline": waiting.deadline.isoformat(),
        }
    else:
        text = _("【催办】%(what)s 正等待贵方办理。") % {"what": waiting.what}
    return text, overdue


def _record(
    obj, waiting: Waiting, *, actor, now: datetime.datetime, automatic: bool
) -> Reminder | None:
    """Notify and log one reminder in a savepoint: None when the log's unique index says this
    reminder was sent already today (nothing is notified then)."""
    today = timezone.localdate(now)
    text, overdue = _message(waiting, today=today, automatic=automatic)
    recipients = list(waiting.users)
    if overdue:
        recipients += [u for u in waiting.escalate_to if u.pk not in {r.pk for r in recipients}]
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                owner_type=ContentType.objects.get_for_model(type(obj)),
                owner_id=obj.pk,
                recipient=waiting.who[:300],
                recipient_count=len(recipients),
                sent_by=actor,
                sent_at=now,
                day=today,
                automatic=automatic,
                overdue=overdue,
                deadline=waiting.deadline,
            )
            notify(recipients, text, waiting.url, now=now)
    except IntegrityError:
        return None
    return reminder


@transaction.atomic
def reminder_send(*, target: str, actor, now: datetime.datetime | None = None) -> Reminder:
    """Staff remind whoever an item waits for (催办): a notice with its e-mail copy and a log
    row. Refused when the item waits for nobody, when it waits for the sender's own unit, and
    after the sender's first reminder of the item that day."""
    require(can_send_reminder(actor))
    source, obj = resolve_target(actor, target)
    now = now or timezone.now()
    waiting = source.waiting(obj)
    if waiting is None or not waiting.users:
        raise RuleRefusal(_("该事项目前没有等待办理的单位或人员，无需催办。"))
    if any(u.pk == actor.pk for u in waiting.users):
        raise RuleRefusal(_("该事项正等待您所在单位办理，无需催办。"))
    earlier = (
        Reminder.objects.filter(
            owner_type=ContentType.objects.get_for_model(type(obj)),
            owner_id=obj.pk,
            sent_by=actor,
            day=timezone.localdate(now),
            automatic=False,
        )
        .values_list("sent_at", flat=True)
        .first()
    )
    if earlier is not None:
        raise RuleRefusal(
            ALREADY_REMINDED % {"time": timezone.localtime(earlier).strftime("%H:%M")}
        )
    reminder = _record(obj, waiting, actor=actor, now=now, automatic=False)
    if reminder is None:  # a second click raced the first
        raise RuleRefusal(ALREADY_REMINDED % {"time": timezone.localtime(now).strftime("%H:%M")})
    return reminder


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Daily (Celery beat): remind whoever an item waits for when its deadline is at most
    REMIND_BEFORE_DAYS away, and every day once it has passed (an escalation, copied to the
    city bureau, policy A-1). At most one automatic reminder per item per day, however often it
    runs (the log's unique index). Returns how many were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=REMIND_BEFORE_DAYS)
    supervisors: list[User] | None = None
    sent = 0
    for source in list(_SOURCES.values()):
        owner_type = ContentType.objects.get_for_model(source.model)
        done = set(
            Reminder.objects.filter(owner_type=owner_type, day=today, automatic=True).values_list(
                "owner_id", flat=True
            )
        )
        for obj in source.open_rows():
            if obj.pk in done:
                continue
            waiting = source.waiting(obj)
            if waiting is None or not waiting.users or waiting.deadline is None:
                continue
            if waiting.deadline > horizon:
                continue
            if waiting.deadline < today:  # an escalation: the city bureau supervises
                if supervisors is None:
                    supervisors = city_staff()
                waiting = replace(waiting, escalate_to=[*waiting.escalate_to, *supervisors])
            with transaction.atomic():
                if _record(obj, waiting, actor=None, now=now, automatic=True) is not None:
                    sent += 1
    logger.info("reminders sent: %s", sent)
    return sent


def reminders_for(obj, *, limit: int = 20) -> list[Reminder]:
    """The reminders about `obj`, newest first (its page's log)."""
    return list(
        Reminder.objects.filter(
            owner_type=ContentType.objects.get_for_model(type(obj)), owner_id=obj.pk
        )
        .select_related("sent_by")
        .order_by("-sent_at", "-id")[:limit]
    )
