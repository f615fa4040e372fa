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
    """Forget failed-login records older than the 15-minute cool-off (django-axes)."""
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.reset_logs(age_days=1) or 0
