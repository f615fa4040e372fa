"""Celery tasks of assessments (issue 10): take ids, call one service. Report generation is
idempotent per (cycle, group, framework version), so a redelivery after a lost worker
(`acks_late` + `reject_on_worker_lost`) produces nothing twice."""

from celery import shared_task

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="assessments.reports_for_cycle", **RELIABLE)
def reports_for_cycle_task(*, cycle_id: int) -> int:
    """After a cycle's publication: one report task per covered group (A-1)."""
    from assessments.reports.services import reports_fan_out

    return reports_fan_out(cycle_id)


@shared_task(name="assessments.report_generate", **RELIABLE)
def report_generate_task(*, cycle_id: int, group_id: int) -> int:
    """One group's assessment report; the last one requests the summaries."""
    from assessments.reports.services import report_generate_and_follow

    return report_generate_and_follow(cycle_id, group_id)


@shared_task(name="assessments.summary_generate", **RELIABLE)
def summary_generate_task(*, cycle_id: int, scope: str, authority_id: int | None = None) -> int:
    """A district's or the city's summary of a cycle (A-4, A-5)."""
    from assessments.reports.services import summary_generate

    return summary_generate(cycle_id, scope, authority_id).pk
