"""Scoped reads of assessment reports (policy A-1; issue 10). Each page reads a constant number
of queries whatever the number of reports."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from assessments.cycles.models import Cycle
from assessments.reports.models import Report
from assessments.reports.permissions import can_view_report, principal_group_ids
from members.models import User
from qingdao_groups.core.queries import by_key
from qingdao_groups.models import OfficialDocument

DOCUMENT_FIELDS = ("id", "owner_type", "owner_id", "kind", "number", "code", "sha256", "size")


def _with_documents(rows: QuerySet[Report]) -> QuerySet[Report]:
    return rows.prefetch_related(
        Prefetch("documents", queryset=OfficialDocument.objects.only(*DOCUMENT_FIELDS))
    )


def reports_scope_q(user: User, cycle: Cycle) -> Q | None:
    """The reports of `cycle` the user may read (None: all of them)."""
    if user.sees_everything or user.acts_for_authority(cycle.authority_id):
        return None
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        return (
            Q(scope=Report.Scope.CITY)
            | Q(scope=Report.Scope.DISTRICT, authority_id=user.authority_id)
            | Q(scope=Report.Scope.GROUP, group__authority_id=user.authority_id)
        )
    groups = principal_group_ids(user, (cycle.period_end, timezone.localdate()))
    return Q(scope=Report.Scope.GROUP, group_id__in=sorted(groups))


def cycle_reports_for_user(user: User, cycle: Cycle) -> list[Report]:
    """Every version of every report of the cycle the user may read: the city's summary first,
    then the districts', then the groups' by code; newest version first."""
    rows = Report.objects.filter(cycle=cycle).select_related("group", "authority", "framework")
    scope = reports_scope_q(user, cycle)
    if scope is not None:
        rows = rows.filter(scope)
    order: dict[str, int] = {"city": 0, "district": 1, "group": 2}
    reports = list(_with_documents(rows))
    reports.sort(
        key=lambda r: (
            order[r.scope],
            r.authority.name if r.authority else "",
            r.group.code if r.group else "",
            -r.number,
        )
    )
    return reports


def cycle_get(cycle_id: int) -> Cycle:
    try:
        return by_key(Cycle.objects.select_related("authority", "framework"), cycle_id)
    except Cycle.DoesNotExist:
        raise Http404 from None


def report_get_for_user(user: User, report_id: int) -> Report:
    """The report with its cycle, subject and archived document; 404 when the user may not
    read it."""
    try:
        report = by_key(
            _with_documents(
                Report.objects.select_related(
                    "cycle__authority", "cycle__framework", "group", "authority", "framework"
                )
            ),
            report_id,
        )
    except Report.DoesNotExist:
        raise Http404 from None
    if not can_view_report(user, report):
        raise Http404
    return report


def report_document(report: Report) -> OfficialDocument | None:
    docs = list(report.documents.all())
    return docs[0] if docs else None


def report_versions(report: Report) -> list[Report]:
    """Every version of the same report (same cycle, scope, subject, framework), newest first."""
    same = Report.objects.filter(
        cycle_id=report.cycle_id, scope=report.scope, framework_id=report.framework_id
    )
    if report.group_id is not None:
        same = same.filter(group_id=report.group_id)
    if report.authority_id is not None:
        same = same.filter(authority_id=report.authority_id)
    return list(_with_documents(same.order_by("-number")))


def report_data_of(report: Report) -> dict:
    """The data the archived PDF was rendered from (the page shows exactly that)."""
    document = report_document(report)
    if document is None:
        return {}
    # `data` is loaded with the row (only the bytes are deferred).
    return document.data.get("report", {})
