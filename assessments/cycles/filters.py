"""The cycle list's filters (status, organiser, year of the period's end): policy A-1."""

from django.db.models import QuerySet

from assessments.cycles.forms import CycleFilterForm
from assessments.cycles.models import Cycle
from members.models import Authority


def cycle_filter(qs: QuerySet[Cycle], data) -> tuple[QuerySet[Cycle], CycleFilterForm]:
    """The filtered cycles and the bound filter form (two small queries for its choices)."""
    years = sorted(
        {d.year for d in qs.values_list("period_end", flat=True).distinct()}, reverse=True
    )
    organisers = Authority.objects.filter(pk__in=qs.values("authority_id")).order_by("kind", "name")
    form = CycleFilterForm(data or None, organisers=organisers, years=years)
    if form.is_valid():
        d = form.cleaned_data
        if d.get("status"):
            qs = qs.filter(status=d["status"])
        if d.get("organiser"):
            qs = qs.filter(authority_id=d["organiser"])
        if d.get("year"):
            qs = qs.filter(period_end__year=d["year"])
    return qs, form
