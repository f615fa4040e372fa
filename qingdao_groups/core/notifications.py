"""In-app notices and their e-mail copies, through an outbox.

`notify()` writes the notices and, for each recipient with an address, one Outbox row, in the
caller's transaction: a rolled-back action never announces itself, and a committed one is never
forgotten, whatever the broker or the mail server are doing. The worker relays the rows
(`relay_outbox`, run by Celery beat and nudged right after the commit); no request ever waits
for the broker or for SMTP.

Delivery is exactly once as far as the database can make it: the relay claims a row under a row
lock (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so two relays never hold the same row; SQLite
opens every transaction IMMEDIATE, so relays run one after another), sends it, and marks it sent
in that same transaction. The one gap no database closes is a crash (or a lost connection)
after the mail server accepted the message and before the COMMIT: the row then stays unsent and
is sent again on the next run. We choose that at-least-once side over losing a message; the
repeat carries the same Message-ID (derived from the row), so mail clients and servers that
de-duplicate by Message-ID show it once.
"""

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import Authority, School, User
from qingdao_groups.core.messages import Message, encode, render
from qingdao_groups.core.tasks import publish_now, publishing_paused, resume_publishing
from qingdao_groups.models import Notification, Outbox

logger = logging.getLogger(__name__)

#: Backoff after the n-th failed attempt: 1, 2, 4, 8 … minutes, at most one hour apart.
BACKOFF_BASE = datetime.timedelta(minutes=1)
BACKOFF_MAX = datetime.timedelta(hours=1)


def staff_of(authority: Authority | int) -> list[User]:
    authority_id = authority if isinstance(authority, int) else authority.pk
    return list(
        User.objects.filter(
            authority_id=authority_id,
            is_active=True,
            role__in=User.AUTHORITY_ROLES,
            is_system_account=False,
        )
    )


def principals_of(school: School | int) -> list[User]:
    school_id = school if isinstance(school, int) else school.pk
    return list(
        User.objects.filter(
            school_id=school_id,
            is_active=True,
            role__in=User.SCHOOL_ROLES,
            is_system_account=False,
        )
    )


def city_staff() -> list[User]:
    return list(
        User.objects.filter(role=User.Role.CITY_STAFF, is_active=True, is_system_account=False)
    )


def notify(
    users: Iterable[User],
    message: "Message | str",
    url: str = "",
    *,
    now: datetime.datetime | None = None,
) -> list[Notification]:
    """Create one in-app notice per user, dated `now` (the acting service's moment; default:
    the clock), and queue its e-mail copy in the Outbox, both in the caller's transaction; after
    the commit, nudge the relay (never blocking, never failing). A Message is kept as its code
    and shown (and mailed) in each reader's language (issue 8)."""
    unique = {u.pk: u for u in users}
    created_at = now or timezone.now()
    stored = encode(message)
    notices = Notification.objects.bulk_create(
        [
            Notification(user=u, message=stored, url=url, created_at=created_at)
            for u in unique.values()
        ]
    )
    rows = Outbox.objects.bulk_create(email_rows(notices))
    if rows:
        ids = [row.pk for row in rows]
        # Without ids (a backend that does not return them; none in use) relay whatever is due.
        transaction.on_commit(lambda: nudge_relay(ids if all(ids) else None))
    return notices


def recipient_language(user) -> str:
    """The language a person reads their mail in: their choice on the account when there is
    one, else the site's (Chinese)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def email_rows(notices: Iterable[Notification]) -> list[Outbox]:
    """One unsaved Outbox row per notice whose user has an e-mail address, written in the
    recipient's language (not the acting user's)."""
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    rows = []
    for notice in notices:
        if not notice.user.email:
            continue
        with translation.override(recipient_language(notice.user)):
            text = render(notice.message)
            body = text + ("\n\n" + site + notice.url if notice.url else "")
            subject = _("【集团化办学】%(message)s") % {"message": text[:60]}
            rows.append(
                Outbox(
                    kind=Outbox.Kind.EMAIL,
                    payload={
                        "to": [notice.user.email],
                        "subject": subject,
                        "body": body,
                        "notification_id": notice.pk,
                    },
                )
            )
    return rows


def nudge_relay(ids: list[int] | None) -> None:
    """Ask the worker to relay these rows now. Called after the commit, through the task layer's
    best-effort publish (qingdao_groups.core.tasks.publish_now: bounded by BROKER_TIMEOUT, any
    failure logged and swallowed, publishing paused for a while afterwards): the rows are the
    record, and the beat relays them within a minute anyway."""
    if publishing_paused():
        return
    if not publish_now("qingdao_groups.relay_outbox", ids=ids):
        logger.warning("outbox relay nudge failed, the beat will relay instead")


def resume_nudges() -> None:
    """Forget a failed nudge (tests; and a worker that knows the broker is back)."""
    resume_publishing()


# --- The relay ----------------------------------------------------------------------------------


def _send_email(row: Outbox) -> None:
    payload = row.payload
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    message = EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        to=payload["to"],
        # The same row always yields the same Message-ID, so a repeat after a crash between
        # the send and the commit can be recognised as the same message.
        headers={"Message-ID": f"<outbox-{row.pk}-{row.created_at:%Y%m%d%H%M%S}@{domain}>"},
    )
    message.send(fail_silently=False)


SENDERS: dict[str, Callable[[Outbox], None]] = {Outbox.Kind.EMAIL: _send_email}


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4 … minutes, capped at an hour."""
    return min(BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 16), BACKOFF_MAX)


def _claim(now: datetime.datetime, ids: list[int] | None) -> Outbox | None:
    due = Outbox.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    due = due.order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        # A row another relay is sending is skipped, never waited for nor sent twice.
        due = due.select_for_update(skip_locked=True)
    return due.first()


def relay_outbox(
    *, now: datetime.datetime | None = None, ids: list[int] | None = None, limit: int = 200
) -> int:
    """Send the due Outbox rows (only `ids` when given), each in its own transaction: claim
    under a row lock, send, mark sent — or, on failure, count the attempt, keep the error and
    move the next attempt on with an exponential backoff. Returns how many were sent."""
    sent = 0
    for _i in range(limit):
        moment = now or timezone.now()
        with transaction.atomic():
            row = _claim(moment, ids)
            if row is None:
                break
            row.attempts += 1
            try:
                sender = SENDERS[row.kind]
                sender(row)
            except Exception as exc:  # noqa: BLE001 - every failure is kept and retried
                row.next_attempt_at = moment + backoff(row.attempts)
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                row.save(update_fields=["attempts", "next_attempt_at", "last_error"])
                logger.warning(
                    "outbox row %s not sent (attempt %s), next at %s: %s",
                    row.pk,
                    row.attempts,
                    row.next_attempt_at,
                    row.last_error,
                )
                continue
            row.sent_at = moment
            row.last_error = ""
            row.save(update_fields=["attempts", "sent_at", "last_error"])
            sent += 1
    return sent


def notifications_mark_read(*, user, now=None) -> int:
    """Mark every unread notice of `user` as read (the inbox's "mark all read"); how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
