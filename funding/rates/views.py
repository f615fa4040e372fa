"""Rate tables (policy F-1, F-4): the list of versions in force, a new version (a new row; a
saved version never changes) and a version with all its siblings side by side, what changed
between them and which ledgers used each. Access -> form -> service -> message -> redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.rates.filters import RateTableFilter
from funding.rates.forms import RateTableForm, other_bound_fields, stage_bound_fields
from funding.rates.permissions import can_create_rates, can_create_rates_for, can_view_rates
from funding.rates.selectors import (
    ledgers_using,
    rate_table_get,
    rate_tables_in_force,
    rate_versions,
    stage_amounts,
    version_changes,
)
from funding.rates.services import rate_table_create_version
from members.models import Authority, School
from members.selectors import authority_choices
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once

PAGE_SIZE = 25
YEARS = range(2000, 2101)


def _gate(request) -> None:
    if not can_view_rates(request.user):
        raise PermissionDenied


def rate_list_view(request):
    """Per authority and year, the version in force and how many versions there are."""
    _gate(request)
    user = request.user
    new_authority, new_year = request.GET.get("new_authority"), request.GET.get("new_year")
    if new_authority and new_year and new_authority.isdigit() and new_year.isdigit():
        return redirect("funding:rate-create", authority_id=int(new_authority), year=int(new_year))
    filterset = RateTableFilter(request.GET or None, queryset=rate_tables_in_force())
    page = KeyFirstPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    may_create = can_create_rates(user).allowed
    own = user.authority_id if user.is_district_staff else None
    for table in page:
        table.may_add = may_create and (user.is_city_staff or table.authority_id == own)
    return render(
        request,
        "funding/rates/rate_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "may_create": may_create,
            "own_authority": user.authority if own else None,
            "this_year": timezone.localdate().year,
            "authority_options": authority_choices() if may_create and not own else [],
        },
    )


def rate_create_view(request, authority_id: int, year: int):
    """A new version of an authority's rates for a year, starting from the latest version's
    values (policy F-1, F-4)."""
    require(can_create_rates(request.user))
    authority = Authority.objects.education().filter(pk=authority_id).first()
    if authority is None or year not in YEARS:
        raise Http404
    require(can_create_rates_for(request.user, authority.pk))
    versions = rate_versions(authority_id=authority.pk, fiscal_year=year)
    latest = versions[-1] if versions else None
    latest_no = latest.version if latest else 0
    form = RateTableForm(
        request.POST or None, initial=RateTableForm.initial_from(latest, latest_no)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            return rate_table_create_version(
                authority=authority,
                fiscal_year=year,
                actor=request.user,
                subsidy_per_member=data["subsidy_per_member"],
                stage_rates=form.stage_rates(),
                proration=data["proration"],
                reference_date=data["reference_date"],
                transport_per_month=data["transport_per_month"],
                lodging_per_month=data["lodging_per_month"],
                spring_term_starts=data["spring_term_starts"],
                autumn_term_starts=data["autumn_term_starts"],
                note=data["note"],
                based_on=data["based_on"],
            )

        try:
            table, created = once(data["submission"], request.user, create)
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("已保存%(authority)s %(year)d 年度费率表第 %(v)d 版，此后计算台账按此版本。")
                    % {"authority": authority.name, "year": year, "v": table.version},
                )
            else:
                messages.info(request, ALREADY_DONE)
            return redirect("funding:rate-detail", table_id=table.pk)
    return render(
        request,
        "funding/rates/rate_form.html",
        {
            "form": form,
            "stage_fields": stage_bound_fields(form),
            "other_fields": other_bound_fields(form),
            "authority": authority,
            "year": year,
            "latest": latest,
            "next_version": latest_no + 1,
        },
    )


def rate_detail_view(request, table_id: int):
    """One version, its stage rates, every version of the authority-year side by side with what
    changed between consecutive versions, who made each and when, and the ledgers that used
    each (their lines name the version in their inputs)."""
    _gate(request)
    table = rate_table_get(table_id=table_id)
    versions = rate_versions(authority_id=table.authority_id, fiscal_year=table.fiscal_year)
    used = ledgers_using(
        authority_id=table.authority_id,
        fiscal_year=table.fiscal_year,
        table_ids=[v.pk for v in versions],
    )
    in_force = versions[-1]
    stages = list(School.Stage.choices)
    columns = []
    previous = None
    for version in versions:
        amounts = stage_amounts(version)
        columns.append(
            {
                "table": version,
                "is_current": version.pk == table.pk,
                "in_force": version.pk == in_force.pk,
                "stages": [amounts.get(stage) for stage, _label in stages],
                "changes": version_changes(previous, version) if previous else None,
                "ledgers": used.get(version.pk, []),
            }
        )
        previous = version
    current = next(c for c in columns if c["is_current"])
    user = request.user
    return render(
        request,
        "funding/rates/rate_detail.html",
        {
            "table": table,
            "current": current,
            "columns": columns,
            "stage_labels": [label for _stage, label in stages],
            "stage_rows": [
                (label, [c["stages"][i] for c in columns]) for i, (_s, label) in enumerate(stages)
            ],
            "current_stage_rows": [
                (label, current["stages"][i]) for i, (_s, label) in enumerate(stages)
            ],
            "in_force": in_force,
            "may_add": can_create_rates_for(user, table.authority_id).allowed,
        },
    )
