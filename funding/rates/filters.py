"""The rate-table list's filter (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from funding.rates.models import RateTable
from members.models import Authority
from members.pickers import ChoicePickerWidget
from qingdao_groups.core.filters import BootstrapFilterForm


class RateTableFilter(django_filters.FilterSet):
    authority = django_filters.ModelChoiceFilter(
        label=_("教育行政部门"),
        queryset=Authority.objects.education(),
        empty_label=_("全部教育行政部门"),
        widget=ChoicePickerWidget("authority"),
    )
    fiscal_year = django_filters.NumberFilter(
        label=_("财政年度"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": _("年度")}),
    )

    class Meta:
        model = RateTable
        fields: list[str] = []
        form = BootstrapFilterForm
