"""Walking a cycle through its services for tests (policy A-1)."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments.cycles import services
from assessments.cycles.models import Cycle, CycleGroup
from assessments.frameworks.defaults import build_framework
from assessments.frameworks.models import Indicator

MOMENT = timezone.make_aware(datetime.datetime(2025, 9, 10, 10, 0))

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
)


def pdf(name="佐证.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def default_framework():
    from assessments.frameworks.defaults import DEFAULT_CODE
    from assessments.frameworks.models import Framework

    return Framework.objects.filter(code=DEFAULT_CODE).first() or build_framework()


def open_cycle(world, *, actor=None, framework=None, now=MOMENT, **fields) -> Cycle:
    actor = actor or world.users["city"]
    framework = framework or default_framework()
    return services.cycle_create(
        actor=actor,
        name=fields.pop("name", "2024—2025学年集团化办学督导评估"),
        framework=framework,
        period_start=fields.pop("period_start", datetime.date(2024, 9, 1)),
        period_end=fields.pop("period_end", datetime.date(2025, 8, 31)),
        self_assessment_due=fields.pop("self_assessment_due", datetime.date(2025, 9, 30)),
        inspection_due=fields.pop("inspection_due", datetime.date(2025, 10, 31)),
        factual_check_due=fields.pop("factual_check_due", datetime.date(2025, 11, 15)),
        group_ids=fields.pop("group_ids", None),
        now=now,
    )


def manual(cycle):
    return list(
        Indicator.objects.filter(
            dimension__framework=cycle.framework, source=Indicator.Source.MANUAL
        ).select_related("dimension")
    )


def fill_self(entry, actor, now=MOMENT):
    items = [
        services.ScoreInput(
            ind,
            score=Decimal("8") if ind.kind == Indicator.Kind.SCORED else None,
            passed=True if ind.kind == Indicator.Kind.PASS_FAIL else None,
            note="自评说明",
        )
        for ind in manual(entry.cycle)
    ]
    entry = services.self_assessment_save(
        entry=entry, actor=actor, expected_version=entry.version, items=items, now=now
    )
    for ind in manual(entry.cycle):
        if ind.evidence_required:
            services.evidence_add(
                entry=entry, indicator=ind, uploaded_file=pdf(), actor=actor, now=now
            )
    return CycleGroup.objects.get(pk=entry.pk)


def score_all(entry, actor, value=Decimal("8"), now=MOMENT):
    items = [
        services.ScoreInput(
            ind,
            score=value * ind.scale_max / 10 if ind.kind == Indicator.Kind.SCORED else None,
            passed=True if ind.kind == Indicator.Kind.PASS_FAIL else None,
            note="督导意见",
        )
        for ind in manual(entry.cycle)
    ]
    return services.scores_save(
        entry=entry, actor=actor, expected_version=entry.version, items=items, now=now
    )


def walk_to(world, status, *, cycle=None):
    """A city cycle over the world's groups moved to `status` through the services."""
    city = world.users["city"]
    cycle = cycle or open_cycle(world, group_ids=[world.group.pk, world.other_group.pk])
    if status == Cycle.Status.OPEN:
        return cycle
    cycle = services.cycle_start(
        cycle=cycle, actor=city, expected_version=cycle.version, now=MOMENT
    )
    if status == Cycle.Status.SELF_ASSESSMENT:
        return cycle
    cycle = services.cycle_to_inspection(
        cycle=cycle, actor=city, expected_version=cycle.version, now=MOMENT
    )
    if status == Cycle.Status.INSPECTION:
        return cycle
    for entry in CycleGroup.objects.filter(cycle=cycle):
        score_all(entry, city)
    cycle = services.cycle_to_factual_check(
        cycle=cycle, actor=city, expected_version=cycle.version, now=MOMENT
    )
    if status == Cycle.Status.FACTUAL_CHECK:
        return cycle
    return services.cycle_publish(
        cycle=cycle, actor=city, expected_version=cycle.version, now=MOMENT
    )
