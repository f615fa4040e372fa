"""Enrollment plans, one per school per year, filed by the school and set by its authority
(一校一案, policy L-7): access -> form -> service -> message -> redirect (house style). The forms
only serve these pages, so they live here."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.services import (
    CLASSES_MAX,
    PLACES_MAX,
    YEAR_MAX,
    YEAR_MIN,
)
from groups.enrollment.workflows import EnrollmentAction
from qingdao_groups.core.forms import LONG_TEXT_MAX, BootstrapFormMixin, VersionedForm
from qingdao_groups.core.submissions import SubmissionField


class PlanContentForm(BootstrapFormMixin, forms.Form):
    places = forms.IntegerField(
        label=gettext_lazy("计划招生人数"), min_value=1, max_value=PLACES_MAX
    )
    classes = forms.IntegerField(label=gettext_lazy("计划班数"), min_value=1, max_value=CLASSES_MAX)
    catchment = forms.CharField(
        label=gettext_lazy("招生范围"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("划片范围或招生区域（政策 L-7）"),
    )
    method = forms.ChoiceField(
        label=gettext_lazy("招生方式"), choices=EnrollmentPlan.Method.choices
    )
    through_training = forms.BooleanField(
        label=gettext_lazy("贯通培养（跨学段贯通式培养仅限经批准的试点，政策 T-2a）"),
        required=False,
    )
    gifted_programme = forms.BooleanField(label=gettext_lazy("拔尖创新人才培养"), required=False)
    visiting_study = forms.BooleanField(label=gettext_lazy("访学"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PlanFileForm(PlanContentForm):
    year = forms.IntegerField(
        label=gettext_lazy("招生年度"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=gettext_lazy("一校一案：每校每年一份招生计划（政策 L-7）"),
    )
    submission = SubmissionField()
    field_order = ["year"]


class PlanRefileForm(PlanContentForm, VersionedForm):
    """A returned plan revised, with the version the school saw (policy L-7)."""


class PlanDecideForm(VersionedForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("办理结果"),
        choices=[
            (EnrollmentAction.SET, EnrollmentAction.SET.label),
            (EnrollmentAction.RETURN, gettext_lazy("退回学校修改")),
        ],
        help_text=gettext_lazy("招生计划、范围和方式由教育行政部门核定（政策 L-7）。"),
    )
    remarks = forms.CharField(
        label=gettext_lazy("意见"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("退回时必须填写；核定时可附意见。"),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == EnrollmentAction.RETURN
            and not (data.get("remarks") or "").strip()
        ):
            self.add_error("remarks", _("退回招生计划须填写意见，告诉学校需要修改什么。"))
        return data
