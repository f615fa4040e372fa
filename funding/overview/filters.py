"""The ledger lists' filters (django-filter): the page of every ledger, an authority's year and
their exports share them."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funding.ledgers.models import Ledger
from funding.ledgers.workflows import LedgerStatus
from members.pickers import ChoicePickerWidget
from members.selectors import authority_choices
from qingdao_groups.core.filters import BootstrapFilterForm, filter_search

YEAR_MIN, YEAR_MAX = 2000, 2100


def search_groups(queryset, name, value):
    """Ledgers of the groups whose name or code contains the text, or whose core school's name
    does (each part answered from its own table's indexes)."""
    return filter_search(
        queryset,
        Q(group__name__icontains=value) | Q(group__code__icontains=value),
        Q(group__core_school__name__icontains=value),
    )


class AuthorityYearFilter(django_filters.FilterSet):
    """An authority's year: by state and group."""

    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=LedgerStatus.choices, empty_label=_("全部状态")
    )
    q = django_filters.CharFilter(
        label=_("搜索"),
        method=search_groups,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("集团名称、编号或核心校")}),
    )

    class Meta:
        model = Ledger
        fields: list[str] = []
        form = BootstrapFilterForm


class LedgerFilter(AuthorityYearFilter):
    """Every ledger the reader may see: by year, paying authority, state and group. `group` and
    `ledger` are not shown on the page: the exports narrow by them (a group's year, one
    ledger)."""

    year = django_filters.NumberFilter(
        label=_("财政年度"),
        field_name="fiscal_year",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=forms.NumberInput(attrs={"placeholder": _("财政年度")}),
    )
    authority = django_filters.ChoiceFilter(
        label=_("付款教育行政部门"),
        field_name="authority_id",
        choices=authority_choices,
        empty_label=_("全部主管部门"),
        widget=ChoicePickerWidget("authority"),
    )
    group = django_filters.NumberFilter(
        field_name="group_id", min_value=1, widget=forms.HiddenInput
    )
    ledger = django_filters.NumberFilter(field_name="pk", min_value=1, widget=forms.HiddenInput)
