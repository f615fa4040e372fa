"""The case lists' filters (django-filter): the staff list and the public list (policy A-6)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.practice.models import PracticeCase
from assessments.practice.selectors import public_districts, public_specialties
from assessments.practice.workflows import CaseStatus
from members.pickers import ChoicePickerWidget
from members.selectors import district_choices
from qingdao_groups.core.filters import BootstrapFilterForm, filter_search


def _search(queryset, name, value):
    """Title or text containing the words (each part by its own index: filter_search)."""
    value = (value or "").strip()
    if not value:
        return queryset
    return filter_search(queryset, Q(title__icontains=value), Q(text__icontains=value))


class CaseFilter(django_filters.FilterSet):
    """The staff list: by status, district, group; search in title and text."""

    q = django_filters.CharFilter(label=_("搜索标题或正文"), method=_search, max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=CaseStatus.choices, empty_label=_("全部状态")
    )
    district = django_filters.ChoiceFilter(
        label=_("区（市）"),
        field_name="group__core_school__district",
        choices=district_choices,
        empty_label=_("全部区（市）"),
        widget=ChoicePickerWidget("district"),
    )
    group = django_filters.CharFilter(label=_("集团编号或名称"), method="_group", max_length=100)

    class Meta:
        model = PracticeCase
        fields: list[str] = []
        form = BootstrapFilterForm

    def _group(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(group__code__iexact=value) | Q(group__name__icontains=value))


class PublicCaseFilter(django_filters.FilterSet):
    """The public list: search, the group's district and its specialty (集团特色)."""

    q = django_filters.CharFilter(label=_("搜索"), method=_search, max_length=100)
    district = django_filters.ChoiceFilter(
        label=_("区（市）"),
        field_name="group__core_school__district",
        choices=public_districts,
        empty_label=_("全部区（市）"),
    )
    specialty = django_filters.ChoiceFilter(
        label=_("集团特色"),
        field_name="group__specialty",
        choices=public_specialties,
        empty_label=_("全部特色"),
    )

    class Meta:
        model = PracticeCase
        fields: list[str] = []
        form = BootstrapFilterForm
