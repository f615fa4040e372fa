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


# The relays run every 30 seconds and redo whatever a lost run left: acknowledged on receipt, so
# a killed worker never gets a pile of redelivered relays on top of the next beat.
@shared_task(name="qingdao_groups.relay_outbox", ignore_result=True, acks_late=False)
def relay_outbox_task(*, ids: list[int] | None = None) -> int:
    """Send the due Outbox rows (e-mail copies of notices): run by beat every 30 seconds, and
    nudged with the new rows' ids right after a notifying commit. Returns how many were sent."""
    from qingdao_groups.core.notifications import relay_outbox

    return relay_outbox(ids=ids)


@shared_task(name="groups.send_notification_emails", ignore_result=True)
def send_notification_emails_task(*, notification_ids: list[int]) -> int:
    """Kept for messages queued before the outbox existed: their notices get Outbox rows (unless
    they already have them), which are then relayed. Returns how many were sent."""
    from qingdao_groups.core.notifications import email_rows, relay_outbox
    from qingdao_groups.models import Notification, Outbox

    queued = set(
        Outbox.objects.filter(payload__notification_id__in=notification_ids).values_list(
            "payload__notification_id", flat=True
        )
    )
    notices = (
        Notification.objects.filter(pk__in=notification_ids)
        .exclude(pk__in=queued)
        .select_related("user")
    )
    rows = Outbox.objects.bulk_create(email_rows(notices))
    return relay_outbox(ids=[row.pk for row in rows])


@shared_task(name="qingdao_groups.relay_task_outbox", ignore_result=True, acks_late=False)
def relay_task_outbox_task() -> int:
    """Publish the TaskOutbox rows not yet dispatched (the broker was down at their commit):
    run by beat every 30 seconds. Returns how many were published."""
    from qingdao_groups.core.tasks import relay_task_outbox

    return relay_task_outbox()


@shared_task(name="qingdao_groups.export_job_run", ignore_result=True)
def export_job_run_task(*, job_id: int) -> None:
    """Write a large export's file and notify its owner (issue 8)."""
    from qingdao_groups.core.exports.jobs import export_job_run

    export_job_run(job_id=job_id)


@shared_task(name="qingdao_groups.exports_purge_expired")
def exports_purge_expired_task() -> int:
    """Remove expired export files (hourly, `setup_schedules`)."""
    from qingdao_groups.core.exports.jobs import exports_purge_expired

    return exports_purge_expired()


@shared_task(name="qingdao_groups.reminders_send_due", ignore_result=True)
def reminders_send_due_task() -> int:
    """Daily (Celery beat, setup_schedules): remind whoever an item waits for before its
    deadline, and escalate once it has passed; at most once per item per day
    (core.reminders.reminders_send_due). Returns how many were sent."""
    from qingdao_groups.core.reminders import reminders_send_due

    return reminders_send_due()


@shared_task(name="qingdao_groups.audit_logs_archive_and_prune")
def audit_logs_archive_and_prune_task() -> dict[str, int]:
    """Nightly (Celery beat, setup_schedules): archive the access and login records older than
    AUDIT_LOG_RETENTION_DAYS to gzip'd JSON lines, then remove them from the live tables
    (Cybersecurity Law art. 21: at least six months; issue 12). Returns the rows per table."""
    from qingdao_groups.core.retention import audit_logs_archive_and_prune

    return audit_logs_archive_and_prune()
