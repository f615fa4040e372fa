"""The funding overview pages (policy F-1, F-2, F-4; issue 9): each role's landing page, an
authority's year, the city's totals, every ledger, and the city's computation of a year.

Access first (a person who does not read money: 403; an authority's year the reader may not see:
404), then the scoped selectors; the one POST hands the year to the worker through a service."""

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from funding.ledgers.models import Ledger
from funding.ledgers.permissions import can_compute_all_ledgers
from funding.ledgers.workflows import LedgerStatus
from funding.overview.charts import year_chart
from funding.overview.exports import ledger_filterset
from funding.overview.filters import YEAR_MAX, YEAR_MIN, AuthorityYearFilter
from funding.overview.forms import ComputeYearForm
from funding.overview.permissions import (
    can_read_ledgers,
    can_view_city_totals,
    sees_authority_year,
)
from funding.overview.selectors import (
    LEDGER_ORDER,
    RULES,
    authority_year_ledgers,
    authority_year_totals,
    city_figures,
    fiscal_year_today,
    group_led_by,
    status_counts,
    with_rule_sums,
)
from funding.overview.services import city_year_compute_start
from members.models import Authority, User
from qingdao_groups.core.labels import url_maker
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.queries import by_key
from qingdao_groups.core.rules import require

PAGE_SIZE = 25
AUTHORITY_ROWS = 50
DRAFTS_FIRST = Case(
    When(status=LedgerStatus.DRAFT, then=Value(0)),
    When(status=LedgerStatus.CONFIRMED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _ledger_url_maker():
    """ledger id -> its page, or None while the ledger page is not installed (another part of
    issue 9 builds it): links are left out rather than the page failing."""
    try:
        return url_maker("funding:ledger-detail")
    except NoReverseMatch:
        return None


def _with_urls(ledgers: list[Ledger]) -> list[Ledger]:
    make = _ledger_url_maker()
    for ledger in ledgers:
        ledger.url = make(ledger.pk) if make else ""
    return ledgers


def _query_string(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _year_param(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if YEAR_MIN <= year <= YEAR_MAX else None


@require_safe
def overview_view(request):
    """Where each role starts from the menu, with what to do next (policy F-1 … F-4, S-1)."""
    user: User = request.user
    year = fiscal_year_today()
    context: dict = {"year": year, "previous_year": year - 1}
    recent = Ledger.objects.filter(fiscal_year__in=[year - 1, year])
    if user.is_staffing_reader:
        context["kind"] = "staffing"
    elif user.is_principal:
        group = group_led_by(user.school_id) if user.role == User.Role.CORE_PRINCIPAL else None
        context["kind"] = "principal" if group else "member"
        if group:
            context["group"] = group
            context["counts"] = status_counts(recent.filter(group=group, fiscal_year=year))
    elif user.role == User.Role.DISTRICT_STAFF and user.authority_id:
        context["kind"] = "district"
        context["authority"] = user.authority
        context["counts"] = status_counts(Ledger.objects.filter(authority_id=user.authority_id))
    elif user.sees_everything:
        context["kind"] = "city" if user.is_city_staff else "reader"
        context["counts"] = status_counts(recent)
        context["is_finance"] = user.is_finance_reviewer
    else:
        context["kind"] = "none"
    return render(request, "funding/overview/overview.html", context)


@require_safe
def authority_year_view(request, authority_id: int, year: int):
    """What an authority owes for a fiscal year across groups: one row per ledger it pays, the
    ledgers waiting for its confirmation first (policy F-1, F-2, F-4)."""
    user: User = request.user
    require(can_read_ledgers(user))
    if not sees_authority_year(user, authority_id) or _year_param(year) is None:
        raise Http404
    try:
        authority = by_key(Authority.objects.all(), authority_id)
    except Authority.DoesNotExist as exc:
        raise Http404 from exc
    filterset = AuthorityYearFilter(
        request.GET or None, queryset=authority_year_ledgers(authority_id=authority.pk, year=year)
    )
    qs = filterset.qs.annotate(step=DRAFTS_FIRST).order_by("step", "group__name", "sequence", "pk")
    page = KeyFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_urls(with_rule_sums(page.object_list))
    return render(
        request,
        "funding/overview/authority_year.html",
        {
            "authority": authority,
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "totals": authority_year_totals(authority_id=authority.pk, year=year),
            "form": filterset.form,
            "page_obj": page,
            "query_string": _query_string(request),
            "confirms": user.acts_for_authority(authority.pk),
            "rules": RULES,
        },
    )


@require_safe
def city_view(request):
    """The city's totals by year and by paying authority, by rule, locked or not, and the chart
    of subsidy, fees and allowances over the years (policy F-1, F-2, F-4)."""
    user: User = request.user
    require(can_view_city_totals(user))
    figures = city_figures(year=_year_param(request.GET.get("year")))
    page = KeyFirstPaginator(figures.by_authority, AUTHORITY_ROWS).get_page(request.GET.get("page"))
    may_compute = can_compute_all_ledgers(user).allowed
    return render(
        request,
        "funding/overview/city.html",
        {
            "figures": figures,
            "year_rows": [(y, figures.by_year[y]) for y in reversed(figures.years)],
            "chart": year_chart(figures.years, figures.by_year),
            "page_obj": page,
            "query_string": _query_string(request),
            "compute_form": (
                ComputeYearForm(initial={"year": figures.year or fiscal_year_today()})
                if may_compute
                else None
            ),
            "rules": RULES,
        },
    )


@require_POST
def compute_year_view(request):
    """The city bureau computes the whole city's fiscal year in the worker, notified when done
    (policy F-1, F-2, F-4)."""
    require(can_compute_all_ledgers(request.user))
    form = ComputeYearForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("请填写 %(min)s 至 %(max)s 之间的财政年度。") % {"min": YEAR_MIN, "max": YEAR_MAX},
        )
        return redirect("funding:city")
    year = form.cleaned_data["year"]
    city_year_compute_start(year=year, actor=request.user)
    messages.info(request, _("已开始计算 %(year)s 年度全市台账，完成后会通知您。") % {"year": year})
    return redirect(f"{reverse('funding:city')}?year={year}")


@require_safe
def ledger_list_view(request):
    """Every ledger the reader may see, read-only, filtered and exportable (issue 9: the
    auditor's list; district staff see what their authority pays or approves, principals their
    group's)."""
    user: User = request.user
    require(can_read_ledgers(user))
    filterset = ledger_filterset(user, request.GET)
    page = KeyFirstPaginator(filterset.qs.order_by(*LEDGER_ORDER), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _with_urls(with_rule_sums(page.object_list))
    return render(
        request,
        "funding/overview/ledger_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "query_string": _query_string(request),
            "rules": RULES,
        },
    )
