"""The dashboard pages (issue 10; policy A-1, A-4, A-5): the figures as of a chosen day, the
schools in no group, and the figures as an XLSX workbook. Person gate first (403), then the
scoped selectors; nothing is written."""

from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from assessments.dashboard.charts import charts, district_name
from assessments.dashboard.exports import dashboard_workbook
from assessments.dashboard.forms import DayForm
from assessments.dashboard.permissions import can_view_dashboard
from assessments.dashboard.selectors import (
    dashboard_figures,
    dashboard_scope,
    schools_outside_groups,
)
from groups.registry.models import RelationSubtype, RelationType
from members.models import School
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import require

OUTSIDE_PAGE_SIZE = 50
WEAK_PAGE_SIZE = 25


def _type_rows(types: dict) -> list[dict]:
    """One row per cooperation type (its total) followed by its subtypes (policy T-1 … T-3)."""
    names = dict(RelationType.choices)
    subnames = dict(RelationSubtype.choices)
    rows = []
    for t in types["types"]:
        label = f"{t['type']} {names[t['type']]}"
        rows.append({"type": label, "subtype": "", "count": t["count"], "is_type": True})
        rows += [
            {"type": "", "subtype": f"{s['subtype']} {subnames[s['subtype']]}", "count": s["count"]}
            for s in t["subtypes"]
        ]
    return rows


def _day(request):
    """The chosen day's form (showing today when none was asked) and the day."""
    today = timezone.localdate()
    form = DayForm(request.GET or None, initial={"on": today})
    return form, form.day(today)


@require_safe
def dashboard_view(request):
    """Every figure for the reader's scope as of the chosen day, each chart with its table."""
    require(can_view_dashboard(request.user))
    form, day = _day(request)
    figures = dashboard_figures(user=request.user, day=day)
    for row in figures["coverage"]["by_district"]:
        row["label"] = district_name(row["name"])
    stages = dict(School.Stage.choices)
    for row in figures["coverage"]["by_stage"]:
        row["label"] = stages.get(row["stage"], row["stage"])
    weak_page = KeyFirstPaginator(figures["weak"]["rows"], WEAK_PAGE_SIZE).get_page(
        request.GET.get("wpage")
    )
    query = request.GET.copy()
    query.pop("wpage", None)
    weak = figures["weak"]
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "type_rows": _type_rows(figures["types"]),
            "weak_met": weak["groups"] - weak["below"],
            "weak_below": weak["below"] - weak["no_members"],
            "form": form,
            "day": day,
            "figures": figures,
            "charts": charts(figures),
            "weak_page": weak_page,
            "query_string": query.urlencode(),
            "on": day.isoformat(),
        },
    )


@require_safe
def schools_outside_view(request):
    """The schools of the reader's scope in no group on the chosen day, by name, paginated."""
    require(can_view_dashboard(request.user))
    form, day = _day(request)
    scope = dashboard_scope(user=request.user, day=day)
    page = KeyFirstPaginator(schools_outside_groups(scope), OUTSIDE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/schools_outside.html",
        {
            "form": form,
            "day": day,
            "page_obj": page,
            "query_string": query.urlencode(),
            "whole_city": scope.whole_city,
        },
    )


@require_safe
def export_view(request):
    """The dashboard's figures for the chosen day and the reader's scope, one sheet each."""
    require(can_view_dashboard(request.user))
    _form, day = _day(request)
    figures = dashboard_figures(user=request.user, day=day)
    workbook = dashboard_workbook(figures, day=day)
    return FileResponse(
        workbook.file,
        as_attachment=True,
        filename=workbook.filename,
        content_type=workbook.content_type,
    )
