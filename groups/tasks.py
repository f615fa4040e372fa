"""Celery tasks of the groups app: take ids, call one service."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _


@shared_task(name="groups.send_notification_emails")
def send_notification_emails_task(*, notification_ids: list[int]) -> int:
    """E-mail each notice to its user (those with an address); returns how many were sent."""
    from groups.models import Notification

    sent = 0
    for notice in Notification.objects.filter(pk__in=notification_ids).select_related("user"):
        if not notice.user.email:
            continue
        body = notice.message
        if notice.url:
            body += "\n\n" + getattr(settings, "SITE_URL", "").rstrip("/") + notice.url
        subject = _("【集团化办学】%(message)s") % {"message": notice.message[:60]}
        send_mail(subject, body, None, [notice.user.email])
        sent += 1
    return sent


@shared_task(name="groups.cards_mark_overdue")
def cards_mark_overdue_task() -> int:
    """Daily (Celery beat): yellow cards past their rectification deadline become overdue
    (policy L-6). Returns how many were marked."""
    from django.utils import timezone

    from groups.services.cards import cards_mark_overdue

    return cards_mark_overdue(today=timezone.localdate())
