"""The award list's filter (django-filter, policy F-5)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funding.awards.models import Award
from qingdao_groups.core.filters import BootstrapFilterForm, filter_search


class AwardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("集团名称或编号")}),
    )
    year = django_filters.NumberFilter(
        label=_("年度"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": _("年度")}),
    )
    level = django_filters.ChoiceFilter(
        label=_("级别"), choices=Award.Level.choices, empty_label=_("全部级别")
    )
    group = django_filters.NumberFilter(
        label=_("集团"), field_name="group_id", min_value=1, widget=forms.HiddenInput
    )

    class Meta:
        model = Award
        fields: list[str] = []
        form = BootstrapFilterForm

    def search(self, queryset, name, value):
        """Awards of groups whose name or code contains the text, or whose recipient's name or
        title does."""
        return filter_search(
            queryset,
            Q(group__name__icontains=value) | Q(group__code__icontains=value),
            Q(recipient_name__icontains=value) | Q(title__icontains=value),
        )
