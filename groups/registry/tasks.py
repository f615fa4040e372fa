"""Celery tasks of the registry: take ids or dates, call one service."""

from celery import shared_task


@shared_task(name="groups.memberships_end_due")
def memberships_end_due_task() -> int:
    """Daily (Celery beat), just after midnight: memberships whose exit or expulsion takes
    effect today close their open cards and end their council seats (policy L-5, L-6, G-3).
    Idempotent. Returns how many rows changed."""
    from django.utils import timezone

    from groups.registry.services import memberships_end_due

    return memberships_end_due(today=timezone.localdate())
