"""Producing assessment reports (policy A-1; issue 10). Owned by the reports feature.

`reports_request_for_cycle(cycle, now=…)` is what the cycle's publication calls (inside its
transaction): it arranges, after the commit, for every covered group's report and the district
and city summaries to be produced by the worker."""

from __future__ import annotations

import datetime

from assessments.cycles.models import Cycle


def reports_request_for_cycle(cycle: Cycle, *, now: datetime.datetime | None = None) -> None:
    """Placeholder until the reports feature lands: the cycle's publication calls this."""
    return None
