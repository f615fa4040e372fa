"""Enrollment plans, one per school per year, filed by the school and set by its authority
(一校一案, policy L-7): access -> form -> service -> message -> redirect (house style). The forms
only serve these pages, so they live here."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.enrollment.filters import PlanFilter
from groups.enrollment.forms import (
    PlanContentForm,
    PlanDecideForm,
    PlanFileForm,
    PlanRefileForm,
)
from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.permissions import can_file_enrollment_plan, can_set_enrollment_plan
from groups.enrollment.selectors import (
    enrollment_plan_list_for_user,
    plan_get_for_user,
)
from groups.enrollment.services import (
    enrollment_plan_file,
    enrollment_plan_refile,
    enrollment_plan_return,
    enrollment_plan_set,
)
from groups.enrollment.workflows import (
    ENROLLMENT_TRANSITIONS,
    EnrollmentAction,
    EnrollmentPlanStatus,
)
from members.models import School
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once
from qingdao_groups.core.views import refuse_if_moved_on
from qingdao_groups.core.workflow import can_move

PAGE_SIZE = 25


def _content(data: dict) -> dict:
    return {k: data[k] for k in PlanContentForm.base_fields}


def plan_list_view(request):
    user = request.user
    filterset = PlanFilter(request.GET or None, queryset=enrollment_plan_list_for_user(user=user))
    form = filterset.form
    qs = filterset.qs.order_by("-year", "school__name", "pk")
    page = KeyFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for plan in page:  # no queries: the school and its authority come with the plan
        plan.can_decide = can_set_enrollment_plan(user, plan).allowed and can_move(
            ENROLLMENT_TRANSITIONS, plan.status, EnrollmentAction.SET
        )
        plan.can_refile = (
            plan.status == EnrollmentPlanStatus.RETURNED
            and can_file_enrollment_plan(user, plan.school).allowed
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enrollment/plan_list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "can_file": user.is_principal and user.school_id is not None,
        },
    )


def plan_detail_view(request, plan_id: int):
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    history = list(
        history_rows(EnrollmentPlan, pk=plan.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return render(
        request,
        "enrollment/plan_detail.html",
        {
            "plan": plan,
            "history": history,
            "can_decide": (
                can_set_enrollment_plan(request.user, plan).allowed
                and can_move(ENROLLMENT_TRANSITIONS, plan.status, EnrollmentAction.SET)
            ),
            "can_refile": (
                plan.status == EnrollmentPlanStatus.RETURNED
                and can_file_enrollment_plan(request.user, plan.school).allowed
            ),
        },
    )


def plan_file_view(request):
    """A principal files their own school's plan for a year (policy L-7)."""
    user = request.user
    school = user.school if user.school_id else School()  # no school: the rule refuses
    require(can_file_enrollment_plan(user, school))
    form = PlanFileForm(
        request.POST or None, initial={"year": timezone.localdate().year, "method": "catchment"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan, created = once(
                data["submission"],
                user,
                lambda: enrollment_plan_file(
                    school=school, year=data["year"], actor=user, **_content(data)
                ),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if not created:
                messages.info(request, ALREADY_DONE)
            else:
                messages.success(
                    request,
                    _("已报送 %(year)s 年度招生计划，待主管部门核定。") % {"year": plan.year},
                )
            return redirect("enrollment:plan-detail", plan_id=plan.pk)
    return render(
        request, "enrollment/plan_form.html", {"form": form, "plan": None, "school": school}
    )


MOVED_ON = gettext_lazy("该招生计划当前状态为“%(status)s”，无需再办理。")


def plan_decide_view(request, plan_id: int):
    """The school's authority sets the plan or returns it with remarks (policy L-7)."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    require(can_set_enrollment_plan(request.user, plan))
    if refuse_if_moved_on(
        request,
        plan,
        ENROLLMENT_TRANSITIONS,
        (EnrollmentAction.SET, EnrollmentAction.RETURN),
        MOVED_ON,
    ):
        return redirect("enrollment:plan-detail", plan_id=plan.pk)
    form = PlanDecideForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = (
            enrollment_plan_set
            if data["decision"] == EnrollmentAction.SET
            else enrollment_plan_return
        )
        try:
            service(
                plan=plan,
                remarks=data["remarks"],
                actor=request.user,
                expected_version=data["version"],
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
            plan = plan_get_for_user(user=request.user, plan_id=plan_id)
        else:
            messages.success(
                request,
                _("已办理 %(school)s %(year)s 年度招生计划。")
                % {"school": plan.school.name, "year": plan.year},
            )
            return redirect("enrollment:plan-list")
    return render(request, "enrollment/plan_decide.html", {"form": form, "plan": plan})


def plan_refile_view(request, plan_id: int):
    """The school revises a returned plan and files it again (policy L-7)."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    require(can_file_enrollment_plan(request.user, plan.school))
    if refuse_if_moved_on(
        request, plan, ENROLLMENT_TRANSITIONS, (EnrollmentAction.REFILE,), MOVED_ON
    ):
        return redirect("enrollment:plan-detail", plan_id=plan.pk)
    initial = {f: getattr(plan, f) for f in PlanContentForm.base_fields}
    initial["version"] = plan.version
    form = PlanRefileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = enrollment_plan_refile(
                plan=plan, actor=request.user, expected_version=data["version"], **_content(data)
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
            plan = plan_get_for_user(user=request.user, plan_id=plan_id)
        else:
            messages.success(request, _("已重新报送 %(year)s 年度招生计划。") % {"year": plan.year})
            return redirect("enrollment:plan-detail", plan_id=plan.pk)
    return render(
        request, "enrollment/plan_form.html", {"form": form, "plan": plan, "school": plan.school}
    )
