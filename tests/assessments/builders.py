"""Builders for assessment tests: the default framework and a cycle over the world's groups."""

import datetime
from decimal import Decimal

from assessments.cycles.models import Cycle, CycleGroup, Score
from assessments.frameworks.defaults import build_framework
from assessments.frameworks.models import Indicator


def make_cycle(world, *, status=Cycle.Status.OPEN, groups=None, framework=None, **fields):
    framework = framework or build_framework()
    cycle = Cycle.objects.create(
        name=fields.pop("name", "2025学年集团化办学督导评估"),
        authority=fields.pop("authority", world.city),
        framework=framework,
        period_start=fields.pop("period_start", datetime.date(2024, 9, 1)),
        period_end=fields.pop("period_end", datetime.date(2025, 8, 31)),
        status=status,
        self_assessment_due=fields.pop("self_assessment_due", datetime.date(2025, 9, 30)),
        inspection_due=fields.pop("inspection_due", datetime.date(2025, 10, 31)),
        factual_check_due=fields.pop("factual_check_due", datetime.date(2025, 11, 15)),
        **fields,
    )
    for group in groups if groups is not None else [world.group, world.other_group]:
        CycleGroup.objects.create(cycle=cycle, group=group)
    return cycle


def score_manual(cycle, group, value: Decimal = Decimal("8"), passed: bool = True) -> None:
    """The inspector's scores: `value` out of 10 on every manual scored indicator (scaled for
    other scales), `passed` on the manual pass/fail ones."""
    entry = CycleGroup.objects.get(cycle=cycle, group=group)
    for ind in Indicator.objects.filter(
        dimension__framework=cycle.framework, source=Indicator.Source.MANUAL
    ):
        if ind.kind == Indicator.Kind.PASS_FAIL:
            Score.objects.update_or_create(entry=entry, indicator=ind, defaults={"passed": passed})
        else:
            Score.objects.update_or_create(
                entry=entry, indicator=ind, defaults={"score": value * ind.scale_max / 10}
            )
