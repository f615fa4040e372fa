"""From stored scores to results (policy A-1 … A-4; issue 10): the one place that turns a
cycle's `Score` rows into `scoring.GroupResult`s, and derived indicators' data into scores.

- `framework_specs(framework)`: the framework's tree as the pure specs of `scoring` (two
  queries).
- `derive_scores(cycle, now=…, actor=…)`: computes every derived indicator of the cycle's
  framework for every covered group from the system's data over the cycle's period
  (`frameworks.derived`), and writes value, inputs and the score or verdict they earn on the
  Score rows (created where missing), with one history row each. Run when the cycle enters
  inspection, and again when a factual-accuracy flag on a derived indicator is accepted.
- `compute_results(cycle, entries=None)`: the result of each covered group from its stored
  scores (the inspector's `score`/`passed`; derived rows carry theirs), with the trend against
  the group's latest earlier published cycle. A constant number of queries whatever the number
  of groups.
- `store_results(cycle, now=…)`: writes total, grade, bonus and the result JSON on each
  `CycleGroup` (at publication; history rows in bulk)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessments import scoring
from assessments.cycles.models import Cycle, CycleGroup, Score
from assessments.cycles.workflows import CycleStatus
from assessments.frameworks import derived
from assessments.frameworks.models import Framework, Indicator


def framework_specs(
    framework: Framework,
) -> tuple[list[scoring.DimensionSpec], list[scoring.IndicatorSpec]]:
    dims = list(framework.dimensions.order_by("order", "id"))
    inds = list(
        Indicator.objects.filter(dimension__framework=framework)
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
    )
    return (
        [scoring.DimensionSpec(d.code, d.name, d.weight, d.clause) for d in dims],
        [
            scoring.IndicatorSpec(
                code=i.code,
                dimension=i.dimension.code,
                name=i.name,
                kind=i.kind,
                weight=i.weight,
                scale_max=i.scale_max,
                cap_grade=i.cap_grade,
                clause=i.clause,
            )
            for i in inds
        ],
    )


def derive_scores(
    cycle: Cycle, *, now: datetime.datetime | None = None, actor=None, reason: str = ""
) -> int:
    """Compute and store every derived indicator of the cycle; returns the rows written."""
    now = now or timezone.now()
    indicators = list(
        Indicator.objects.filter(
            dimension__framework_id=cycle.framework_id, source=Indicator.Source.DERIVED
        )
    )
    if not indicators:
        return 0
    entries = dict(CycleGroup.objects.filter(cycle=cycle).values_list("group_id", "id"))
    values = derived.compute(
        (i.derived_key for i in indicators), list(entries), cycle.period_start, cycle.period_end
    )
    existing = {
        (s.entry_id, s.indicator_id): s
        for s in Score.objects.filter(entry__cycle=cycle, indicator__in=indicators)
    }
    new, changed = [], []
    for ind in indicators:
        per_group = values[ind.derived_key]
        for group_id, entry_id in entries.items():
            value, inputs = per_group.get(group_id, (None, {}))
            row = existing.get((entry_id, ind.pk)) or Score(entry_id=entry_id, indicator=ind)
            row.derived_value = value
            row.derived_inputs = inputs
            if ind.kind == Indicator.Kind.PASS_FAIL:
                row.passed = scoring.derived_passed(value, ind.params)
                row.score = None
            else:
                row.score = scoring.derived_score(value, ind.params, ind.scale_max)
                row.passed = None
            row.scored_at = now
            row.scored_by = actor
            if row.pk:
                row.version += 1
                changed.append(row)
            else:
                new.append(row)
    change_reason = reason or "系统数据指标计算"
    if new:
        bulk_create_with_history(
            new, Score, default_user=actor, default_date=now, default_change_reason=change_reason
        )
    if changed:
        bulk_update_with_history(
            changed,
            Score,
            [
                "derived_value",
                "derived_inputs",
                "score",
                "passed",
                "scored_at",
                "scored_by",
                "version",
            ],
            default_user=actor,
            default_date=now,
            default_change_reason=change_reason,
        )
    # Saved with their history rows, not `.update()`d (issue 12: every write is in the history).
    stamped = list(CycleGroup.objects.filter(cycle=cycle))
    for entry in stamped:
        entry.derived_at = now
    bulk_update_with_history(
        stamped,
        CycleGroup,
        ["derived_at"],
        default_user=actor,
        default_date=now,
        default_change_reason=change_reason,
    )
    return len(new) + len(changed)


def previous_totals(cycle: Cycle, group_ids: list[int]) -> dict[int, Decimal]:
    """Each group's total in its latest published cycle that ended before this one (one
    query)."""
    earlier = (
        CycleGroup.objects.filter(
            group_id=OuterRef("group_id"),
            cycle__status=CycleStatus.PUBLISHED,
            cycle__period_end__lt=cycle.period_end,
            total__isnull=False,
        )
        .exclude(cycle=cycle)
        .order_by("-cycle__period_end", "-cycle_id")
    )
    rows = (
        CycleGroup.objects.filter(cycle=cycle, group_id__in=group_ids)
        .annotate(previous=Subquery(earlier.values("total")[:1]))
        .values_list("group_id", "previous")
    )
    return {gid: prev for gid, prev in rows if prev is not None}


def compute_results(
    cycle: Cycle, entries: list[CycleGroup] | None = None
) -> dict[int, scoring.GroupResult]:
    """{entry id: result} for the given entries of the cycle (default: all)."""
    framework = cycle.framework
    dims, inds = framework_specs(framework)
    if entries is None:
        entries = list(CycleGroup.objects.filter(cycle=cycle))
    entry_ids = [e.pk for e in entries]
    scores: dict[int, list[scoring.IndicatorScore]] = {pk: [] for pk in entry_ids}
    for entry_id, code, score, passed in Score.objects.filter(entry_id__in=entry_ids).values_list(
        "entry_id", "indicator__code", "score", "passed"
    ):
        scores[entry_id].append(scoring.IndicatorScore(code, score, passed))
    previous = previous_totals(cycle, [e.group_id for e in entries])
    return {
        e.pk: scoring.score_group(
            dims,
            inds,
            scores[e.pk],
            grade_bands=framework.grade_bands,
            bonus_points=framework.bonus_points,
            previous_total=previous.get(e.group_id),
        )
        for e in entries
    }


def store_results(
    cycle: Cycle, *, now: datetime.datetime | None = None, actor=None, reason: str = ""
) -> dict[int, scoring.GroupResult]:
    """Write each entry's result on its row (at publication); returns them by entry id."""
    now = now or timezone.now()
    entries = list(CycleGroup.objects.filter(cycle=cycle))
    results = compute_results(cycle, entries)
    for e in entries:
        r = results[e.pk]
        e.total, e.grade, e.bonus, e.result = r.total, r.grade, r.bonus, r.as_json()
        e.version += 1
    bulk_update_with_history(
        entries,
        CycleGroup,
        ["total", "grade", "bonus", "result", "version"],
        default_user=actor,
        default_date=now,
        default_change_reason=reason or "评估结果计算",
    )
    return results
