"""Celery tasks of the groups app: take ids, call one service."""

from celery import shared_task


@shared_task(name="groups.cards_mark_overdue")
def cards_mark_overdue_task() -> int:
    """Daily (Celery beat): yellow cards past their rectification deadline become overdue
    (policy L-6). Returns how many were marked."""
    from django.utils import timezone

    from groups.cards.services import cards_mark_overdue

    return cards_mark_overdue(today=timezone.localdate())
