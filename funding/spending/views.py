"""Income against spending per year (policy F-3): access -> form -> service -> message ->
redirect."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from funding import rules
from funding.dispatches.views import YEAR_MIN, YEARS_AHEAD
from funding.spending.forms import SpendingForm
from funding.spending.models import Spending
from funding.spending.permissions import can_record_spending, can_view_spending
from funding.spending.selectors import (
    INCOME_LABELS,
    INCOME_RULES,
    income_for_year,
    spending_by_category,
    spending_list_for_group,
)
from funding.spending.services import spending_record
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_get_for_user
from qingdao_groups.core.forms import keep_file_hint
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once

PAGE_SIZE = 25


def _default_day(year: int) -> datetime.date:
    today = timezone.localdate()
    return today if year >= today.year else datetime.date(year, 12, 31)


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= timezone.localdate().year + YEARS_AHEAD:
        raise Http404


def spending_list_view(request, group_id: int, year: int):
    """The core school's income of the year (F-1 subsidies and F-2 fees from the year's
    ledgers) against what it spent, by category, with the receipts (policy F-3)."""
    _check_year(year)
    user = request.user
    group = group_get_for_user(user=user, group_id=group_id)
    require(can_view_spending(user, group))
    may_record = can_record_spending(user, group).allowed
    form = None
    if may_record:
        form = SpendingForm(initial={"spent_on": _default_day(year)})
    return _render_list(request, group, year, form=form)


def _render_list(request, group: EducationGroup, year: int, *, form):
    today = timezone.localdate()
    income = income_for_year(group=group, year=year)
    spent = spending_by_category(group=group, year=year)
    spent_total = rules.total(spent.values())
    page = KeyFirstPaginator(spending_list_for_group(group=group, year=year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for spending in page:
        spending.amount_text = rules.money_text(spending.amount)
    category_labels = dict(Spending.Category.choices)
    return render(
        request,
        "funding/spending/spending_list.html",
        {
            "group": group,
            "year": year,
            "previous_year": year - 1 if year > YEAR_MIN else None,
            "next_year": year + 1 if year < today.year + YEARS_AHEAD else None,
            "income_rows": [
                {
                    "rule": rule,
                    "label": INCOME_LABELS[rule],
                    "amount": rules.money_text(income.by_rule.get(rule, rules.ZERO)),
                    "locked": rules.money_text(income.locked_by_rule.get(rule, rules.ZERO)),
                }
                for rule in INCOME_RULES
            ],
            "income_total": rules.money_text(income.total),
            "income_locked": rules.money_text(income.locked),
            "income_lines": income.lines,
            "spending_rows": [
                {"label": category_labels[c], "amount": rules.money_text(a)}
                for c, a in sorted(spent.items(), key=lambda item: -item[1])
            ],
            "spending_total": rules.money_text(spent_total),
            "balance": rules.money_text(income.total - spent_total),
            "overspent": income.total - spent_total < 0,
            "page_obj": page,
            "form": form,
        },
    )


def spending_create_view(request, group_id: int):
    """The core principal records a spending with its receipt (policy F-3)."""
    group = group_get_for_user(user=request.user, group_id=group_id)
    require(can_record_spending(request.user, group))
    if request.method == "POST":
        form = SpendingForm(request.POST, request.FILES)
    else:
        form = SpendingForm(initial={"spent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            spending, created = once(
                data["submission"],
                request.user,
                lambda: spending_record(
                    group=group,
                    category=data["category"],
                    amount=data["amount"],
                    spent_on=data["spent_on"],
                    note=data["note"],
                    receipt=data["receipt"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("已登记支出：%(category)s %(amount)s 元。")
                    % {
                        "category": spending.get_category_display(),
                        "amount": rules.money_text(spending.amount),
                    },
                )
            else:
                messages.info(request, ALREADY_DONE)
            return redirect("funding:spending-list", group_id=group.pk, year=spending.fiscal_year)
    if request.method == "POST":
        keep_file_hint(form)
    return render(
        request,
        "funding/spending/spending_form.html",
        {"group": group, "form": form, "year": timezone.localdate().year},
    )
