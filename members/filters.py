"""The school list's filter (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Authority, School
from members.pickers import ChoicePickerWidget
from members.selectors import district_choices
from qingdao_groups.core.filters import (
    BootstrapFilterForm,
    TickBoxFilter,
    filter_search,
    only_if_checked,
)


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("校名或标识码")}),
    )
    district = django_filters.ChoiceFilter(
        label=_("区（市）"),
        choices=district_choices,
        empty_label=_("全部区（市）"),
        widget=ChoicePickerWidget("district"),
    )
    stage = django_filters.ChoiceFilter(
        label=_("学段"), choices=School.Stage.choices, empty_label=_("全部学段")
    )
    nature = django_filters.ChoiceFilter(
        label=_("办学性质"), choices=School.Nature.choices, empty_label=_("全部")
    )
    weak = TickBoxFilter(
        label=_("仅薄弱学校"), required=False, method=only_if_checked(Q(is_weak=True))
    )
    authority = django_filters.ModelChoiceFilter(
        label=_("主管部门"),
        queryset=Authority.objects.education(),
        empty_label=_("全部主管部门"),
        widget=ChoicePickerWidget("authority"),
    )

    class Meta:
        model = School
        fields: list[str] = []
        form = BootstrapFilterForm

    def search(self, queryset, name, value):
        """Schools whose name contains the text or whose code starts with it."""
        return filter_search(queryset, Q(name__icontains=value) | Q(code__startswith=value))
