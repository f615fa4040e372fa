"""The enrollment plan list's filter (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.services import YEAR_MAX, YEAR_MIN
from groups.enrollment.workflows import EnrollmentPlanStatus
from qingdao_groups.core.filters import BootstrapFilterForm


class PlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        label=_("招生年度"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=forms.NumberInput(attrs={"placeholder": _("年度")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=EnrollmentPlanStatus.choices, empty_label=_("全部状态")
    )
    q = django_filters.CharFilter(
        label=_("学校"),
        field_name="school__name",
        lookup_expr="icontains",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("学校名称")}),
    )

    class Meta:
        model = EnrollmentPlan
        fields: list[str] = []
        form = BootstrapFilterForm
