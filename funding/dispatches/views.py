"""Dispatched staff pages (policy F-4): access -> form -> service -> message -> redirect."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funding import rules
from funding.dispatches.forms import DispatchCreateForm, DispatchEditForm, DispatchEndForm
from funding.dispatches.models import Dispatch
from funding.dispatches.permissions import can_manage_dispatches, can_view_dispatches
from funding.dispatches.selectors import (
    dispatch_get_for_user,
    dispatch_list_for_group,
    dispatch_state,
    overlapping_year,
    year_figure,
)
from funding.dispatches.services import dispatch_create, dispatch_edit, dispatch_end
from funding.ledgers.inputs import rates_for_year
from groups.registry.models import EducationGroup, Membership
from groups.registry.selectors import group_get_for_user
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once

PAGE_SIZE = 25
YEAR_MIN, YEARS_AHEAD = 2000, 1


def chosen_year(value, default: int) -> int:
    """The year a page was asked for (?year=), else `default`; out of range is `default`."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if YEAR_MIN <= year <= timezone.localdate().year + YEARS_AHEAD else default


def _school_choices(group: EducationGroup) -> list[tuple[int, str]]:
    """The group's member schools, from its memberships group_get_for_user loaded (no query),
    each once, with its state today (a former member stays: a past dispatch may be corrected)."""
    today = timezone.localdate()
    seen: dict[int, str] = {}
    for m in group.memberships.all():
        if m.role != Membership.Role.MEMBER or m.school_id in seen:
            continue
        seen[m.school_id] = f"{m.school.name}（{m.state_on(today).label}）"
    return sorted(seen.items(), key=lambda item: item[1])


def dispatch_list_view(request, group_id: int):
    """The group's dispatches and what each costs the member in the chosen year at its
    authority's rates: the figures the ledger uses (policy F-4)."""
    user = request.user
    group = group_get_for_user(user=user, group_id=group_id)
    require(can_view_dispatches(user, group))
    today = timezone.localdate()
    year = chosen_year(request.GET.get("year"), today.year)
    rates = rates_for_year(year)
    visible = dispatch_list_for_group(user=user, group=group)
    page = KeyFirstPaginator(visible.order_by("-starts_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for dispatch in page:
        dispatch.figure = year_figure(dispatch, year, rates)
        dispatch.state = dispatch_state(dispatch, today)
    in_year = [year_figure(d, year, rates) for d in overlapping_year(visible, year)]
    total = rules.total(f.amount for f in in_year)
    return render(
        request,
        "funding/dispatches/dispatch_list.html",
        {
            "group": group,
            "year": year,
            "previous_year": year - 1 if year > YEAR_MIN else None,
            "next_year": year + 1 if year < today.year + YEARS_AHEAD else None,
            "page_obj": page,
            "query_string": f"year={year}",
            "year_total": rules.money_text(total),
            "year_count": len(in_year),
            "months_total": sum(f.months for f in in_year),
            "unrated": any(not f.rated for f in in_year),
            "can_manage": can_manage_dispatches(user, group).allowed,
        },
    )


def dispatch_create_view(request, group_id: int):
    """Record a dispatch (policy F-4)."""
    group = group_get_for_user(user=request.user, group_id=group_id)
    require(can_manage_dispatches(request.user, group))
    schools = _school_choices(group)
    form = DispatchCreateForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispatch, created = once(
                data["submission"],
                request.user,
                lambda: dispatch_create(
                    group=group,
                    school_id=data["school"],
                    person_name=data["person_name"],
                    role=data["role"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("已登记派驻：%(person)s 到 %(school)s。")
                    % {"person": dispatch.person_name, "school": dispatch.membership.school.name},
                )
            else:
                messages.info(request, ALREADY_DONE)
            return redirect(_list_url(group.pk, dispatch.starts_on.year))
    return render(
        request,
        "funding/dispatches/dispatch_form.html",
        {"group": group, "form": form, "dispatch": None},
    )


def _list_url(group_id: int, year: int) -> str:
    return reverse("funding:dispatch-list", args=[group_id]) + f"?year={year}"


def _edit_context(dispatch: Dispatch, edit_form=None, end_form=None) -> dict:
    group = dispatch.group
    if edit_form is None:
        edit_form = DispatchEditForm(
            initial={
                "school": dispatch.membership.school_id,
                "person_name": dispatch.person_name,
                "role": dispatch.role,
                "starts_on": dispatch.starts_on,
                "ends_on": dispatch.ends_on,
                "note": dispatch.note,
                "version": dispatch.version,
            },
            schools=_school_choices(group),
        )
    if end_form is None:
        end_form = DispatchEndForm(
            prefix="end",
            initial={"version": dispatch.version, "ends_on": dispatch.ends_on},
        )
    return {"group": group, "dispatch": dispatch, "form": edit_form, "end_form": end_form}


def _dispatch_for_change(request, dispatch_id: int) -> Dispatch:
    dispatch = dispatch_get_for_user(user=request.user, dispatch_id=dispatch_id)
    require(can_manage_dispatches(request.user, dispatch.group))
    return dispatch


def dispatch_edit_view(request, dispatch_id: int):
    """Correct a dispatch (policy F-4); the form carries the version it showed."""
    dispatch = _dispatch_for_change(request, dispatch_id)
    form = None
    if request.method == "POST":
        form = DispatchEditForm(request.POST, schools=_school_choices(dispatch.group))
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispatch = dispatch_edit(
                    dispatch=dispatch,
                    school_id=data["school"],
                    person_name=data["person_name"],
                    role=data["role"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                    actor=request.user,
                    expected_version=data["version"],
                )
            except RuleRefusal as exc:
                add_form_error(form, exc)
            else:
                messages.success(
                    request, _("已修改派驻记录：%(person)s。") % {"person": dispatch.person_name}
                )
                return redirect(_list_url(dispatch.group_id, dispatch.starts_on.year))
    return render(
        request, "funding/dispatches/dispatch_form.html", _edit_context(dispatch, edit_form=form)
    )


@require_POST
def dispatch_end_view(request, dispatch_id: int):
    """Record the last day served (policy F-4)."""
    dispatch = _dispatch_for_change(request, dispatch_id)
    form = DispatchEndForm(request.POST, prefix="end")
    if form.is_valid():
        try:
            dispatch = dispatch_end(
                dispatch=dispatch,
                ends_on=form.cleaned_data["ends_on"],
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request,
                _("已结束派驻：%(person)s，最后在岗日 %(day)s。")
                % {"person": dispatch.person_name, "day": dispatch.ends_on.isoformat()},
            )
            return redirect(_list_url(dispatch.group_id, dispatch.ends_on.year))
    return render(
        request, "funding/dispatches/dispatch_form.html", _edit_context(dispatch, end_form=form)
    )
