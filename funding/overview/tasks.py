"""Celery tasks of the funding overview: take ids and plain values, call one service."""

from celery import shared_task


@shared_task(name="funding.ledgers_compute_year")
def ledgers_compute_year_task(*, year: int, user_id: int | None = None) -> dict:
    """The whole city's fiscal year (policy F-1, F-2, F-4), asked by a city officer who is
    notified when it is done. Returns the counts of ledgers created, rewritten, unchanged."""
    from funding.overview.services import city_year_compute
    from members.models import User

    actor = User.objects.filter(pk=user_id).first() if user_id else None
    result = city_year_compute(year=year, actor=actor)
    return {
        "year": year,
        "created": result.created,
        "rewritten": result.rewritten,
        "unchanged": result.unchanged,
        "lines": result.lines_written,
    }
