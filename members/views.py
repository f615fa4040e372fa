"""School pages: thin views over selectors (reads) and permission rules (writes)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from members.extensions import school_panels
from members.filters import SchoolFilter
from members.forms import SchoolForm
from members.models import School
from members.permissions import can_create_school, can_edit_school, can_import_schools
from members.pickers import (
    choice_empty_label,
    choice_list_exists,
    picker_scope,
    school_options,
    search_choices,
    search_schools,
)
from members.selectors import (
    authorities_user_may_assign,
    school_get_for_user,
    school_list_for_user,
)
from members.services import school_save
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.submissions import ALREADY_DONE, first_result, once

PAGE_SIZE = 50


def school_list_view(request):
    filterset = SchoolFilter(request.GET or None, queryset=school_list_for_user(user=request.user))
    form = filterset.form
    qs = filterset.qs.order_by("name", "id")
    page = KeyFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/school_list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "can_create": can_create_school(request.user).allowed,
            "can_import": can_import_schools(request.user).allowed,
        },
    )


def school_detail_view(request, school_id: int):
    school = school_get_for_user(user=request.user, school_id=school_id)
    history = (
        history_rows(School, pk=school.pk)
        .select_related("history_user")
        .order_by("-history_date")[:20]
    )
    return render(
        request,
        "members/school_detail.html",
        {
            "school": school,
            "panels": school_panels(request.user, school),
            "history": history,
            "can_edit": can_edit_school(request.user, school).allowed,
        },
    )


def school_create_view(request):
    require(can_create_school(request.user))
    authorities = authorities_user_may_assign(user=request.user)
    repeated = first_result(request)
    if isinstance(repeated, School):  # the same form again: its code is taken by now
        messages.info(request, ALREADY_DONE)
        return redirect("members:school-detail", school_id=repeated.pk)
    form = SchoolForm(request.POST or None, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        try:
            school, created = once(
                form.cleaned_data["submission"],
                request.user,
                lambda: school_save(form=form, actor=request.user),
            )
        except RuleRefusal as exc:
            messages.error(request, exc.message)
            return redirect("members:school-create")
        if not created:
            messages.info(request, ALREADY_DONE)
        else:
            messages.success(request, _("已登记学校：%(name)s") % {"name": school.name})
        return redirect("members:school-detail", school_id=school.pk)
    return render(request, "members/school_form.html", {"form": form, "school": None})


def school_edit_view(request, school_id: int):
    school = school_get_for_user(user=request.user, school_id=school_id)
    decision = can_edit_school(request.user, school)
    if not decision:
        raise PermissionDenied(decision.reason)
    authorities = authorities_user_may_assign(user=request.user)
    form = SchoolForm(request.POST or None, instance=school, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        school_save(form=form, actor=request.user)
        messages.success(request, _("已保存学校信息。"))
        return redirect("members:school-detail", school_id=school.pk)
    return render(request, "members/school_form.html", {"form": form, "school": school})


@require_GET
@require_GET
def choice_pick_view(request, key: str):
    """The search behind a long filter list (members.pickers.ChoicePickerWidget: districts,
    authorities): at most PICKER_LIMIT matches as <option>s, then "all". Any signed-in user: the
    lists are the names of public bodies."""
    if not choice_list_exists(key):
        raise Http404
    return render(
        request,
        "members/_choice_options.html",
        {
            "options": search_choices(key, request.GET.get("q", "")),
            "empty_label": choice_empty_label(key),
        },
    )


def school_pick_view(request, key: str):
    """The search behind a school picker (members.pickers): at most PICKER_LIMIT schools of the
    picker's scope for this user, as <option>s for the picker's <select>."""
    schools = search_schools(picker_scope(key, request.user), request.GET.get("q", ""))
    options = school_options(schools)  # a school that cannot be chosen comes greyed (issue 8)
    busy = sum(1 for _pk, _label, note in options if note)
    return render(request, "members/_school_options.html", {"options": options, "busy": busy})
