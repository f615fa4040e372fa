"""Enrollment plans, one per school per year, filed by the school and set by its authority
(一校一案, policy L-7): access -> form -> service -> message -> redirect (house style). The forms
only serve these pages, so they live here."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import EnrollmentPlan
from groups.permissions import can_file_enrollment_plan, can_set_enrollment_plan
from groups.selectors import enrollment_plan_list_for_user
from groups.services.enrollment import (
    CLASSES_MAX,
    PLACES_MAX,
    YEAR_MAX,
    YEAR_MIN,
    enrollment_plan_file,
    enrollment_plan_refile,
    enrollment_plan_return,
    enrollment_plan_revision,
    enrollment_plan_set,
)
from groups.views_common import refuse_if_moved_on
from groups.workflows import ENROLLMENT_TRANSITIONS, EnrollmentPlanStatus
from members.models import School
from qingdao_groups.forms import BootstrapFormMixin
from qingdao_groups.shared import ApplicationError, add_form_error, require

PAGE_SIZE = 25




def plan_get_for_user(*, user, plan_id: int) -> EnrollmentPlan:
    """Through the scoped selector: a plan the user may not see is a 404, revealing nothing."""
    try:
        return enrollment_plan_list_for_user(user=user).get(pk=plan_id)
    except EnrollmentPlan.DoesNotExist as exc:
        raise Http404 from exc


# --- forms -------------------------------------------------------------------------------------


class PlanFilterForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("招生年度"), required=False,
                              min_value=YEAR_MIN, max_value=YEAR_MAX,
                              widget=forms.NumberInput(attrs={"placeholder": gettext_lazy("年度")}))
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False,
                               choices=[("", gettext_lazy("全部状态"))]
                               + EnrollmentPlanStatus.choices)
    q = forms.CharField(label=gettext_lazy("学校"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("学校名称")}))


class PlanContentForm(BootstrapFormMixin, forms.Form):
    places = forms.IntegerField(label=gettext_lazy("计划招生人数"), min_value=1,
                                max_value=PLACES_MAX)
    classes = forms.IntegerField(label=gettext_lazy("计划班数"), min_value=1,
                                 max_value=CLASSES_MAX)
    catchment = forms.CharField(label=gettext_lazy("招生范围"),
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=gettext_lazy("划片范围或招生区域（政策 L-7）"))
    method = forms.ChoiceField(label=gettext_lazy("招生方式"),
                               choices=EnrollmentPlan.Method.choices)
    through_training = forms.BooleanField(
        label=gettext_lazy("贯通培养（跨学段贯通式培养仅限经批准的试点，政策 T-2a）"),
        required=False)
    gifted_programme = forms.BooleanField(label=gettext_lazy("拔尖创新人才培养"), required=False)
    visiting_study = forms.BooleanField(label=gettext_lazy("访学"), required=False)
    notes = forms.CharField(label=gettext_lazy("说明"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))


class PlanFileForm(PlanContentForm):
    year = forms.IntegerField(label=gettext_lazy("招生年度"), min_value=YEAR_MIN,
                              max_value=YEAR_MAX,
                              help_text=gettext_lazy("一校一案：每校每年一份招生计划（政策 L-7）"))
    field_order = ["year"]


class PlanRefileForm(PlanContentForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class PlanDecideForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("办理结果"),
        choices=[("set", gettext_lazy("核定")), ("return", gettext_lazy("退回学校修改"))],
        help_text=gettext_lazy("招生计划、范围和方式由教育行政部门核定（政策 L-7）。"),
    )
    remarks = forms.CharField(label=gettext_lazy("意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=gettext_lazy("退回时必须填写；核定时可附意见。"))
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("remarks") or "").strip():
            self.add_error("remarks", _("退回招生计划须填写意见，告诉学校需要修改什么。"))
        return data


def _content(data: dict) -> dict:
    return {k: data[k] for k in PlanContentForm.base_fields}


# --- pages -------------------------------------------------------------------------------------


def filter_plans(qs, form: PlanFilterForm):
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data["year"]:
        qs = qs.filter(year=data["year"])
    if data["status"]:
        qs = qs.filter(status=data["status"])
    if data["q"]:
        qs = qs.filter(school__name__icontains=data["q"])
    return qs


def plan_list_view(request):
    user = request.user
    form = PlanFilterForm(request.GET or None)
    qs = filter_plans(enrollment_plan_list_for_user(user=user), form).order_by(
        "-year", "school__name", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for plan in page:  # no queries: the school and its authority come with the plan
        plan.can_decide = can_set_enrollment_plan(user, plan).allowed
        plan.can_refile = (plan.status == EnrollmentPlanStatus.RETURNED
                           and can_file_enrollment_plan(user, plan.school).allowed)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enrollment/plan_list.html", {
        "form": form, "page_obj": page, "query_string": query.urlencode(),
        "can_file": user.is_principal and user.school_id is not None,
    })


def plan_detail_view(request, plan_id: int):
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    history = list(plan.history.select_related("history_user").order_by("history_date",
                                                                         "history_id"))
    return render(request, "enrollment/plan_detail.html", {
        "plan": plan, "history": history,
        "can_decide": can_set_enrollment_plan(request.user, plan).allowed,
        "can_refile": (plan.status == EnrollmentPlanStatus.RETURNED
                       and can_file_enrollment_plan(request.user, plan.school).allowed),
    })


def plan_file_view(request):
    """A principal files their own school's plan for a year (policy L-7)."""
    user = request.user
    school = user.school if user.school_id else School()  # no school: the rule refuses
    require(can_file_enrollment_plan(user, school))
    form = PlanFileForm(request.POST or None,
                        initial={"year": timezone.localdate().year, "method": "catchment"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = enrollment_plan_file(school=school, year=data["year"], actor=user,
                                        **_content(data))
        except ApplicationError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已报送 %(year)s 年度招生计划，待主管部门核定。")
                             % {"year": plan.year})
            return redirect("enrollment:plan-detail", plan_id=plan.pk)
    return render(request, "enrollment/plan_form.html", {"form": form, "plan": None,
                                                         "school": school})


MOVED_ON = gettext_lazy("该招生计划当前状态为“%(status)s”，无需再办理。")


def plan_decide_view(request, plan_id: int):
    """The school's authority sets the plan or returns it with remarks (policy L-7)."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    if refuse_if_moved_on(request, plan, ENROLLMENT_TRANSITIONS, ("set", "return"), MOVED_ON):
        return redirect("enrollment:plan-detail", plan_id=plan.pk)
    require(can_set_enrollment_plan(request.user, plan))
    form = PlanDecideForm(request.POST or None,
                          initial={"revision": enrollment_plan_revision(plan)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = enrollment_plan_set if data["decision"] == "set" else enrollment_plan_return
        try:
            service(plan=plan, remarks=data["remarks"], actor=request.user,
                    revision=data["revision"])
        except ApplicationError as exc:
            add_form_error(form, exc)
            plan = plan_get_for_user(user=request.user, plan_id=plan_id)
        else:
            messages.success(request, _("已办理 %(school)s %(year)s 年度招生计划。")
                             % {"school": plan.school.name, "year": plan.year})
            return redirect("enrollment:plan-list")
    return render(request, "enrollment/plan_decide.html", {"form": form, "plan": plan})


def plan_refile_view(request, plan_id: int):
    """The school revises a returned plan and files it again (policy L-7)."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    if refuse_if_moved_on(request, plan, ENROLLMENT_TRANSITIONS, ("refile",), MOVED_ON):
        return redirect("enrollment:plan-detail", plan_id=plan.pk)
    require(can_file_enrollment_plan(request.user, plan.school))
    initial = {f: getattr(plan, f) for f in PlanContentForm.base_fields}
    initial["revision"] = enrollment_plan_revision(plan)
    form = PlanRefileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = enrollment_plan_refile(plan=plan, actor=request.user,
                                          revision=data["revision"], **_content(data))
        except ApplicationError as exc:
            add_form_error(form, exc)
            plan = plan_get_for_user(user=request.user, plan_id=plan_id)
        else:
            messages.success(request, _("已重新报送 %(year)s 年度招生计划。") % {"year": plan.year})
            return redirect("enrollment:plan-detail", plan_id=plan.pk)
    return render(request, "enrollment/plan_form.html", {"form": form, "plan": plan,
                                                         "school": plan.school})
