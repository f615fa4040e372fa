"""The receivable list's filters (policy F-2): fiscal year, overdue only, group search."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funding.agreements.models import Receivable
from qingdao_groups.core.filters import BootstrapFilterForm, TickBoxFilter, filter_search


class ReceivableFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        label=_("财政年度"),
        field_name="fiscal_year",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": _("财政年度")}),
    )
    overdue = TickBoxFilter(label=_("只看逾期"), required=False, method="only_overdue")
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("集团、成员校名称")}),
    )

    class Meta:
        model = Receivable
        fields: list[str] = []
        form = BootstrapFilterForm

    def only_overdue(self, queryset, name, value):
        """Due day passed with a balance left (the `overdue` annotation of the selector)."""
        return queryset.filter(overdue=True) if value else queryset

    def search(self, queryset, name, value):
        return filter_search(
            queryset,
            Q(agreement__group__name__icontains=value),
            Q(agreement__membership__school__name__icontains=value),
        )
