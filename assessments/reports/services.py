"""Producing assessment reports (policy A-1 … A-5; issue 10). Owned by the reports feature.

- `reports_request_for_cycle(cycle, now=…)` is what the cycle's publication calls inside its
  transaction: after the commit, one task (`assessments.reports_for_cycle`) fans out one
  `assessments.report_generate` per covered group; the last group report to land requests the
  district and city summaries (`assessments.summary_generate`). The enqueuing is in one place
  (`_enqueue`).
- `reports_produce_for_cycle(cycle, now=…)` does the same synchronously (demo seeding, the
  `export_report` command).
- `report_generate(cycle_id, group_id, …)` / `summary_generate(cycle_id, scope, authority_id,
  …)`: idempotent per (cycle, scope, framework version): the latest row is looked for first; a
  second worker racing the first meets the unique constraint on version 1 and returns the
  first's row. `regenerate=True` makes version n + 1; nothing is overwritten.

The PDF is rendered before any row is written or number taken (`archive.render_document`), then
the report row and its archived document (`archive.archive_rendered`: the organising
authority's next number, SHA-256, the data, the verification code) are written in one short
transaction. So 250 workers' worth of rendering never waits on the authority's number counter,
which is locked only for the insert."""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.cycles.models import Cycle, CycleGroup
from assessments.cycles.workflows import CycleStatus
from assessments.reports import data as report_data
from assessments.reports.models import Report
from groups.registry.models import EducationGroup
from members.models import Authority, User
from qingdao_groups.core.archive import archive_rendered, render_document
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.tasks import enqueue

logger = logging.getLogger(__name__)

KIND = "assessment_report"
GROUP_TEMPLATE = "reports/pdf/group.html"
SUMMARY_TEMPLATE = "reports/pdf/summary.html"


def _latest(cycle: Cycle, scope: str, *, group_id=None, authority_id=None) -> Report | None:
    rows = Report.objects.filter(cycle=cycle, scope=scope, framework_id=cycle.framework_id)
    if scope == Report.Scope.GROUP:
        rows = rows.filter(group_id=group_id)
    elif scope == Report.Scope.DISTRICT:
        rows = rows.filter(authority_id=authority_id)
    return rows.order_by("-number").first()


def report_title(cycle: Cycle, scope: str, name: str = "") -> str:
    if scope == Report.Scope.GROUP:
        return f"{name}{cycle.name}报告"
    if scope == Report.Scope.DISTRICT:
        return f"{name}{cycle.name}汇总报告"
    return f"全市{cycle.name}汇总报告"


def _produce(
    cycle: Cycle,
    scope: str,
    *,
    group: EducationGroup | None = None,
    authority: Authority | None = None,
    now: datetime.datetime | None,
    actor: User | None,
    regenerate: bool,
) -> Report:
    if cycle.status != CycleStatus.PUBLISHED:
        raise RuleRefusal(_("评估周期尚未发布，不能生成评估报告。"))
    now = now or timezone.now()
    keys = {
        "group_id": group.pk if group else None,
        "authority_id": authority.pk if authority else None,
    }
    latest = _latest(cycle, scope, **keys)
    if latest is not None and not regenerate:
        return latest
    number = latest.number + 1 if latest is not None else 1
    if scope == Report.Scope.GROUP:
        assert group is not None
        data = report_data.group_report_data(cycle, group)
        title, template = report_title(cycle, scope, group.name), GROUP_TEMPLATE
        identity = f"集团编号 {group.code}"
    else:
        data = report_data.summary_data(cycle, authority)
        name = authority.name if authority else ""
        title, template = report_title(cycle, scope, name), SUMMARY_TEMPLATE
        identity = authority.name if authority else "青岛市"
    context = {"report": data, "version": number, "identity_line": f"{identity} · 第 {number} 版"}
    # Rendered before anything is written: the number counter is locked only for the insert.
    rendered = render_document(
        kind=KIND,
        authority=cycle.authority,
        title=title,
        template=template,
        context=context,
        now=now,
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                cycle=cycle,
                scope=scope,
                framework_id=cycle.framework_id,
                number=number,
                generated_at=now,
                generated_by=actor,
                **keys,
            )
            archive_rendered(rendered, owner=report, actor=actor)
    except IntegrityError:
        # Another worker stored this version first (the unique constraint on version n).
        existing = _latest(cycle, scope, **keys)
        if existing is None or regenerate:
            raise RuleRefusal(_("该报告正在由他人同时生成，请稍后刷新。")) from None
        return existing
    return report


def report_generate(
    cycle_id: int,
    group_id: int,
    *,
    now: datetime.datetime | None = None,
    actor: User | None = None,
    regenerate: bool = False,
) -> Report:
    """The group's assessment report of the cycle (A-1, A-2): its latest version, produced if
    none exists; `regenerate` makes the next version."""
    cycle = Cycle.objects.select_related("framework", "authority").get(pk=cycle_id)
    entry = (
        CycleGroup.objects.select_related("group").filter(cycle=cycle, group_id=group_id).first()
    )
    if entry is None:
        raise RuleRefusal(_("该集团不在本评估周期内。"))
    return _produce(
        cycle, Report.Scope.GROUP, group=entry.group, now=now, actor=actor, regenerate=regenerate
    )


def summary_generate(
    cycle_id: int,
    scope: str,
    authority_id: int | None = None,
    *,
    now: datetime.datetime | None = None,
    actor: User | None = None,
    regenerate: bool = False,
) -> Report:
    """A district's (its groups) or the city's summary of the cycle (A-4, A-5)."""
    cycle = Cycle.objects.select_related("framework", "authority").get(pk=cycle_id)
    authority = None
    if scope == Report.Scope.DISTRICT:
        if authority_id is None:
            raise ValueError("a district summary names its authority")
        authority = Authority.objects.filter(pk=authority_id).first()
        if authority is None:
            raise ValueError(authority_id)
    elif scope != Report.Scope.CITY:
        raise ValueError(scope)
    return _produce(cycle, scope, authority=authority, now=now, actor=actor, regenerate=regenerate)


def summary_scopes(cycle: Cycle) -> list[tuple[str, int | None]]:
    """The summaries a cycle gets: one per district bureau approving some of its groups, and the
    city's when the city bureau organised it."""
    districts = (
        CycleGroup.objects.filter(cycle=cycle, group__authority__kind=Authority.Kind.DISTRICT)
        .values_list("group__authority_id", flat=True)
        .distinct()
        .order_by("group__authority_id")
    )
    scopes: list[tuple[str, int | None]] = [(Report.Scope.DISTRICT, a) for a in districts]
    if cycle.authority.kind == Authority.Kind.CITY:
        scopes.append((Report.Scope.CITY, None))
    return scopes


def group_reports_complete(cycle: Cycle) -> bool:
    """Every covered group has a report of the cycle's framework (one query)."""
    return not (
        CycleGroup.objects.filter(cycle=cycle)
        .exclude(
            group_id__in=Report.objects.filter(
                cycle=cycle, scope=Report.Scope.GROUP, framework_id=cycle.framework_id
            ).values("group_id")
        )
        .exists()
    )


def reports_produce_for_cycle(
    cycle: Cycle, *, now: datetime.datetime | None = None, actor: User | None = None
) -> list[Report]:
    """Every report of a published cycle, here and now (demo seeding; the command): the group
    reports first, then the summaries. Idempotent."""
    reports = [
        report_generate(cycle.pk, group_id, now=now, actor=actor)
        for group_id in CycleGroup.objects.filter(cycle=cycle)
        .order_by("group__code")
        .values_list("group_id", flat=True)
    ]
    reports += [
        summary_generate(cycle.pk, scope, authority_id, now=now, actor=actor)
        for scope, authority_id in summary_scopes(cycle)
    ]
    return reports


# --- through the worker ------------------------------------------------------------------


def _enqueue(task_name: str, **kwargs) -> None:
    """The one place reports put work on the queue: the task outbox (core/tasks.enqueue), in
    the caller's transaction, published after the commit and relayed if the broker is down. The
    dedup key keeps one waiting row per report (a second request while one waits is the same
    work)."""
    key = ":".join([task_name, *(f"{k}={kwargs[k]}" for k in sorted(kwargs))])
    enqueue(task_name, dedup_key=key, **kwargs)


def reports_request_for_cycle(cycle: Cycle, *, now: datetime.datetime | None = None) -> None:
    """Called by the cycle's publication inside its transaction: after the commit, the worker
    produces every group's report and then the summaries (A-1)."""
    _enqueue("assessments.reports_for_cycle", cycle_id=cycle.pk)


def reports_fan_out(cycle_id: int) -> int:
    """In the worker: one report task per covered group (or the summaries at once when every
    group report exists already). Returns the tasks queued."""
    cycle = Cycle.objects.select_related("authority").get(pk=cycle_id)
    if group_reports_complete(cycle):
        return summaries_request(cycle)
    group_ids = list(
        CycleGroup.objects.filter(cycle=cycle)
        .order_by("group__code")
        .values_list("group_id", flat=True)
    )
    for group_id in group_ids:
        _enqueue("assessments.report_generate", cycle_id=cycle_id, group_id=group_id)
    return len(group_ids)


def summaries_request(cycle: Cycle) -> int:
    scopes = summary_scopes(cycle)
    for scope, authority_id in scopes:
        _enqueue(
            "assessments.summary_generate",
            cycle_id=cycle.pk,
            scope=scope,
            authority_id=authority_id,
        )
    return len(scopes)


def report_generate_and_follow(cycle_id: int, group_id: int) -> int:
    """The worker's group report: produced (idempotently), and when it is the last of the
    cycle's group reports, the summaries are requested (a second request is harmless: they are
    idempotent too). Returns the report's id."""
    report = report_generate(cycle_id, group_id)
    if group_reports_complete(report.cycle):
        summaries_request(report.cycle)
    return report.pk


def export_latest_report(group_code: str, *, now: datetime.datetime | None = None):
    """(report, document, PDF bytes) of the group's latest report in its latest published
    cycle; produced first when that cycle has none yet. Refuses, in words, an unknown group or
    one without a published cycle."""
    from qingdao_groups.models import OfficialDocument

    group = EducationGroup.objects.filter(code=group_code.strip()).first()
    if group is None:
        raise RuleRefusal(_("没有编号为 %(code)s 的集团。") % {"code": group_code})
    entry = (
        CycleGroup.objects.filter(group=group, cycle__status=CycleStatus.PUBLISHED)
        .select_related("cycle")
        .order_by("-cycle__period_end", "-cycle__published_at", "-cycle_id")
        .first()
    )
    if entry is None:
        raise RuleRefusal(
            _("集团 %(name)s（%(code)s）还没有已发布的评估周期，没有评估报告。")
            % {"name": group.name, "code": group.code}
        )
    report = _latest(entry.cycle, Report.Scope.GROUP, group_id=group.pk)
    if report is None:
        reports_produce_for_cycle(entry.cycle, now=now)
        report = _latest(entry.cycle, Report.Scope.GROUP, group_id=group.pk)
    assert report is not None
    document = report.documents.get()
    pdf = bytes(OfficialDocument.objects.filter(pk=document.pk).values_list("pdf", flat=True).get())
    return report, document, pdf
