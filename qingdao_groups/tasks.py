"""Housekeeping tasks scheduled by django-celery-beat (editable by staff in the admin)."""

from celery import shared_task
from django.core import management


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
