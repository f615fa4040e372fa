"""Staffing requests (policy S-1) and principals' ranks (policy S-2): access (person gate ->
403, outside scope -> 404) -> form -> service -> message -> redirect."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from funding.staffing.exports import open_first
from funding.staffing.filters import StaffingFilter
from funding.staffing.forms import PrincipalRankForm, StaffingHandleForm, StaffingRequestForm
from funding.staffing.models import StaffingRequest
from funding.staffing.permissions import (
    can_handle_staffing_request,
    can_set_principal_rank,
    can_submit_staffing_request,
)
from funding.staffing.selectors import (
    groups_led_by,
    principal_get,
    principal_of_school,
    rank_history,
    staffing_get_for_user,
    staffing_list_for_user,
)
from funding.staffing.services import (
    principal_rank_set,
    staffing_request_handle,
    staffing_request_submit,
)
from funding.staffing.workflows import STAFFING_TRANSITIONS, StaffingAction
from members.models import User
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once
from qingdao_groups.core.views import refuse_if_moved_on
from qingdao_groups.core.workflow import StaleVersion, can_move

PAGE_SIZE = 25
RANKS = dict(User.Rank.choices)


def staffing_list_view(request):
    user = request.user
    filterset = StaffingFilter(
        request.GET or None,
        queryset=staffing_list_for_user(user=user),
        show_district=user.sees_everything,
    )
    page = KeyFirstPaginator(open_first(filterset.qs), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding/staffing/staffing_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "can_submit": can_submit_staffing_request(user).allowed,
            "can_handle": can_handle_staffing_request(user).allowed,
        },
    )


def staffing_create_view(request):
    """The core principal asks for teacher quota, recruitment or senior posts (policy S-1)."""
    require(can_submit_staffing_request(request.user))
    groups = list(groups_led_by(request.user))
    form = StaffingRequestForm(request.POST or None, groups=groups_led_by(request.user))
    if request.method == "POST" and groups and form.is_valid():
        data = form.cleaned_data
        try:
            staffing, created = once(
                data["submission"],
                request.user,
                lambda: staffing_request_submit(
                    group=data["group"],
                    kind=data["kind"],
                    count=data["count"],
                    reason=data["reason"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("已提交%(kind)s需求，编制和人社部门将看到集团情况并办理。")
                    % {"kind": staffing.get_kind_display()},
                )
            else:
                messages.info(request, ALREADY_DONE)
            return redirect("funding:staffing-detail", request_id=staffing.pk)
    return render(
        request,
        "funding/staffing/staffing_form.html",
        {"form": form, "groups": groups},
    )


def _render_detail(request, staffing: StaffingRequest, form: StaffingHandleForm | None = None):
    user = request.user
    may_handle = can_handle_staffing_request(user).allowed and can_move(
        STAFFING_TRANSITIONS, staffing.status, StaffingAction.HANDLE
    )
    if may_handle and form is None:
        form = StaffingHandleForm(initial={"version": staffing.version})
    principal = principal_of_school(staffing.school_id)
    context = staffing.context or {}
    return render(
        request,
        "funding/staffing/staffing_detail.html",
        {
            "staffing": staffing,
            "ctx": context,
            "rank_then": RANKS.get(context.get("principal_rank") or "", ""),
            "principal": principal,
            "rank_now": principal.get_rank_display() if principal else "",
            "can_set_rank": bool(principal) and can_set_principal_rank(user).allowed,
            "form": form if may_handle else None,
            "history": list(
                history_rows(StaffingRequest, pk=staffing.pk)
                .select_related("history_user")
                .order_by("history_date", "history_id")
            ),
        },
    )


def staffing_detail_view(request, request_id: int):
    staffing = staffing_get_for_user(user=request.user, request_id=request_id)
    return _render_detail(request, staffing)


MOVED_ON = gettext_lazy("该需求当前状态为“%(status)s”，无需再办理。")


@require_POST
def staffing_handle_view(request, request_id: int):
    """The staffing office or the HR bureau marks a request as handled (policy S-1)."""
    staffing = staffing_get_for_user(user=request.user, request_id=request_id)
    require(can_handle_staffing_request(request.user))
    if refuse_if_moved_on(
        request, staffing, STAFFING_TRANSITIONS, (StaffingAction.HANDLE,), MOVED_ON
    ):
        return redirect("funding:staffing-detail", request_id=staffing.pk)
    form = StaffingHandleForm(request.POST)
    if form.is_valid():
        try:
            staffing_request_handle(
                request=staffing,
                note=form.cleaned_data["note"],
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as exc:
            messages.error(request, exc.message)
            return redirect("funding:staffing-detail", request_id=staffing.pk)
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request,
                _("已将%(group)s的%(kind)s需求标记为已处理。")
                % {"group": staffing.group.name, "kind": staffing.get_kind_display()},
            )
            return redirect("funding:staffing-detail", request_id=staffing.pk)
    return _render_detail(request, staffing, form)


def principal_rank_view(request, user_id: int):
    """City staff record a principal's rank (校长职级, policy S-2), with its history."""
    require(can_set_principal_rank(request.user))
    principal = principal_get(user_id=user_id)
    form = PrincipalRankForm(request.POST or None, initial={"rank": principal.rank})
    if request.method == "POST" and form.is_valid():
        try:
            principal = principal_rank_set(
                principal=principal,
                rank=form.cleaned_data["rank"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request,
                _("已登记%(name)s的校长职级：%(rank)s。")
                % {
                    "name": principal.get_full_name() or principal.username,
                    "rank": principal.get_rank_display() or _("未评定"),
                },
            )
            return redirect("funding:principal-rank", user_id=principal.pk)
    return render(
        request,
        "funding/staffing/principal_rank.html",
        {
            "principal": principal,
            "form": form,
            "history": rank_history(principal),
            "ranks": RANKS,
        },
    )
