"""The group list's filter (django-filter)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from groups.registry.models import EducationGroup, Membership, RelationType
from groups.registry.selectors import GAPS, group_gap_condition
from members.pickers import ChoicePickerWidget
from members.selectors import district_choices
from qingdao_groups.core.filters import BootstrapFilterForm, filter_search


class GroupFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("集团名称、编号或核心校")}),
    )
    district = django_filters.ChoiceFilter(
        label=_("核心校所在区（市）"),
        field_name="core_school__district",
        choices=district_choices,
        empty_label=_("全部区（市）"),
        widget=ChoicePickerWidget("district"),
    )
    relation_type = django_filters.ChoiceFilter(
        label=_("合作类型"),
        choices=RelationType.choices,
        empty_label=_("全部类型"),
        method="with_relation_type",
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=EducationGroup.Status.choices, empty_label=_("全部状态")
    )
    gap = django_filters.ChoiceFilter(
        label=_("需要关注"),
        choices=[(gap, message) for gap, (_clause, message) in GAPS.items()],
        empty_label=_("全部集团"),
        method="with_gap",
    )

    class Meta:
        model = EducationGroup
        fields: list[str] = []
        form = BootstrapFilterForm

    def search(self, queryset, name, value):
        """Groups whose name or code contains the text, or whose core school's name does (two
        parts: each is answered from its own table's indexes)."""
        return filter_search(
            queryset,
            Q(name__icontains=value) | Q(code__icontains=value),
            Q(core_school__name__icontains=value),
        )

    def with_gap(self, queryset, name, value):
        """Active groups with the registry gap (policy G-4, G-3, A-4; the home page links
        here from its counts)."""
        return queryset.filter(group_gap_condition(value), status=EducationGroup.Status.ACTIVE)

    def with_relation_type(self, queryset, name, value):
        """Groups with a current member of that cooperation type (policy T-1 … T-3)."""
        return queryset.filter(
            Exists(
                Membership.objects.current().filter(group_id=OuterRef("pk"), relation_type=value)
            )
        )
