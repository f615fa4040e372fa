"""Builders for assessment tests: the default framework and a cycle over the world's groups."""

import datetime
from decimal import Decimal

from assessments.cycles.models import Cycle, CycleGroup, Score
from assessments.frameworks.defaults import default_framework_ensure
from assessments.frameworks.models import Indicator


def make_cycle(world, *, status=Cycle.Status.OPEN, groups=None, framework=None, **fields):
    framework = framework or default_framework_ensure()
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


def make_published_cycle(world, *, groups=None, framework=None, value=Decimal("8"), **fields):
    """A cycle scored and published (results stored), as the publication leaves it, without
    producing reports: for the reports' tests (issue 10)."""
    import datetime as dt

    from django.utils import timezone

    from assessments.cycles import results
    from assessments.cycles.models import FactualFlag

    cycle = make_cycle(
        world, status=Cycle.Status.INSPECTION, groups=groups, framework=framework, **fields
    )
    results.derive_scores(cycle)
    for entry in CycleGroup.objects.filter(cycle=cycle).select_related("group"):
        score_manual(cycle, entry.group, value)
    Score.objects.filter(entry__cycle=cycle, indicator__source=Indicator.Source.MANUAL).update(
        self_score=value,
        self_note="集团自评：按规划推进，成效明显。",
        inspector_note="督导意见：材料齐全。",
    )
    entry = CycleGroup.objects.filter(cycle=cycle).order_by("group__code").first()
    FactualFlag.objects.create(
        entry=entry,
        indicator=Indicator.objects.get(dimension__framework=cycle.framework, code="M2"),
        text="成员校数量统计有误",
        status=FactualFlag.Status.REJECTED,
        reply="经核对数据无误",
        resolved_at=timezone.now(),
    )
    results.store_results(cycle)
    Cycle.objects.filter(pk=cycle.pk).update(
        status=Cycle.Status.PUBLISHED,
        published_at=dt.datetime(2025, 11, 20, 10, 0, tzinfo=dt.UTC),
    )
    cycle.refresh_from_db()
    return cycle


def archive_fake_report(cycle, *, group=None, authority=None, scope=None, number=1):
    """A report row with its archived document as the producer leaves it, but with stand-in PDF
    bytes (no rendering): for pages, the permission matrix and query counts (issue 10)."""
    import hashlib

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from assessments.reports import data as report_data
    from assessments.reports.models import Report
    from assessments.reports.services import KIND, report_title
    from qingdao_groups.core.archive import new_code, number_allocate
    from qingdao_groups.models import OfficialDocument

    scope = scope or (
        Report.Scope.GROUP if group else Report.Scope.DISTRICT if authority else Report.Scope.CITY
    )
    if scope == Report.Scope.GROUP:
        data, name = report_data.group_report_data(cycle, group), group.name
    else:
        data = report_data.summary_data(cycle, authority)
        name = authority.name if authority else ""
    pdf = b"%PDF-1.4 stand-in " + str(number).encode()
    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.create(
            cycle=cycle,
            scope=scope,
            group=group,
            authority=authority,
            framework=cycle.framework,
            number=number,
            generated_at=now,
        )
        serial, doc_number = number_allocate(authority=cycle.authority, year=now.year)
        OfficialDocument.objects.create(
            owner_type=ContentType.objects.get_for_model(report),
            owner_id=report.pk,
            kind=KIND,
            authority=cycle.authority,
            year=now.year,
            serial=serial,
            number=doc_number,
            title=report_title(cycle, scope, name),
            issued_on=now.date(),
            issued_at=now,
            code=new_code(),
            pdf=pdf,
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            template="reports/pdf/group.html",
            data={"report": data, "version": number},
        )
    return report
