"""Assessment report pages (policy A-1 … A-5; issue 10): a cycle's reports, one report as HTML
(from the data its archived PDF was rendered from), the PDF as archived, and a new version for
staff. Thin: access first (404 for a report the reader may not see, 403 for a person who may not
act), then a selector or one service."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from assessments.reports import selectors
from assessments.reports.models import Report
from assessments.reports.permissions import can_regenerate_report
from assessments.reports.services import report_generate, summary_generate
from members.models import User
from qingdao_groups.core.archive import document_response
from qingdao_groups.core.rules import RuleRefusal, require


@require_safe
def cycle_reports_view(request, cycle_id: int):
    user: User = request.user
    cycle = selectors.cycle_get(cycle_id)
    reports = selectors.cycle_reports_for_user(user, cycle)
    if not reports and not (user.sees_everything or user.role in User.AUTHORITY_ROLES):
        raise Http404
    latest: dict = {}
    for r in reports:  # newest version first within each subject
        latest.setdefault((r.scope, r.group_id, r.authority_id), r)
    rows = [
        {
            "report": r,
            "older": [
                o for o in reports if o is not r and (o.scope, o.group_id, o.authority_id) == key
            ],
        }
        for key, r in latest.items()
    ]
    return render(
        request,
        "reports/cycle_reports.html",
        {"cycle": cycle, "rows": rows, "published": cycle.status == cycle.Status.PUBLISHED},
    )


@require_safe
def report_detail_view(request, report_id: int):
    user: User = request.user
    report = selectors.report_get_for_user(user, report_id)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "document": selectors.report_document(report),
            "r": selectors.report_data_of(report),
            "versions": selectors.report_versions(report),
            "may_regenerate": can_regenerate_report(user, report).allowed,
        },
    )


@require_safe
def report_pdf_view(request, report_id: int):
    report = selectors.report_get_for_user(request.user, report_id)
    document = selectors.report_document(report)
    if document is None:
        raise Http404
    return document_response(request.user, document.pk)


@require_POST
def report_regenerate_view(request, report_id: int):
    user: User = request.user
    report = selectors.report_get_for_user(user, report_id)
    require(can_regenerate_report(user, report))
    now = timezone.now()
    try:
        if report.scope == Report.Scope.GROUP:
            new = report_generate(
                report.cycle_id, report.group_id, now=now, actor=user, regenerate=True
            )
        else:
            new = summary_generate(
                report.cycle_id,
                report.scope,
                report.authority_id,
                now=now,
                actor=user,
                regenerate=True,
            )
    except RuleRefusal as refusal:
        messages.error(request, refusal.message)
        return redirect("reports:detail", report.pk)
    messages.success(request, _("已生成新版本（第 %(n)s 版），原版本保留。") % {"n": new.number})
    return redirect("reports:detail", new.pk)
