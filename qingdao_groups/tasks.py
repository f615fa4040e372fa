"""Housekeeping tasks scheduled by django-celery-beat (editable by staff in the admin)."""

from celery import shared_task
from django.conf import settings
from django.core import management
from django.core.mail import send_mail
from django.utils.translation import gettext as _


@shared_task(name="qingdao_groups.clear_expired_sessions")
def clear_expired_sessions_task() -> str:
    """Remove expired sessions so the 30-minute idle limit also frees storage."""
    management.call_command("clearsessions")
    return "ok"


@shared_task(name="qingdao_groups.reset_expired_login_lockouts")
def reset_expired_login_lockouts_task() -> int:
    """Forget failed-login attempts older than the 15-minute cool-off (django-axes), so an
    expired lockout leaves no row behind; returns how many were removed."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted


@shared_task(name="groups.send_notification_emails")
def send_notification_emails_task(*, notification_ids: list[int]) -> int:
    """E-mail each notice to its user (those with an address); returns how many were sent."""
    from qingdao_groups.models import Notification

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
