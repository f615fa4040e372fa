"""The work list's filter form (django-filter, like the other lists): kind, district, deadline
band and order. The list is merged from every provider (core.inbox), not one queryset, so the
filter set only reads and checks the request; `inbox_page` applies it (in the database where a
source can narrow itself, e.g. the city's filings)."""

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from members.pickers import ChoicePickerWidget
from members.selectors import district_choices
from qingdao_groups.core.filters import BootstrapFilterForm
from qingdao_groups.core.inbox import KindCount, WorkFilter

DUE_CHOICES = [
    ("overdue", _("已逾期")),
    ("week", _("7 天内到期（含已逾期）")),
    ("none", _("无办理期限")),
]
SORT_CHOICES = [
    ("since", _("按开始日期（最早在前）")),
    ("deadline", _("按办理期限（最近在前）")),
    ("kind", _("按事项")),
]


class _Items(list):
    """The work list's rows as django-filter's "queryset" (the filters read the form only)."""

    model = None

    def all(self):
        return self


class WorkListFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("事项"), choices=[], empty_label=_("全部事项"))
    district = django_filters.ChoiceFilter(
        label=_("所在区（市）"),
        choices=district_choices,
        empty_label=_("全部区（市）"),
        widget=ChoicePickerWidget("district"),
    )
    due = django_filters.ChoiceFilter(
        label=_("办理期限"), choices=DUE_CHOICES, empty_label=_("全部期限")
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"), choices=SORT_CHOICES, empty_label=None, null_label=None
    )

    class Meta:
        form = BootstrapFilterForm

    def __init__(self, data=None, *, kinds: list[KindCount], show_district: bool = True):
        super().__init__(data, queryset=_Items())
        choices: list[tuple[str, Any]] = [(k.key, f"{k.label}（{k.count}）") for k in kinds]
        asked = (data or {}).get("kind")
        if asked and asked not in {k.key for k in kinds}:  # a link to a kind done meanwhile
            choices.append((asked, _("（该类事项已办完）")))
        self.filters["kind"].extra["choices"] = choices
        if not show_district:  # a principal's list is one school's
            del self.filters["district"]

    def filter_queryset(self, queryset):
        return queryset  # applied by core.inbox.inbox_page (see the module's docstring)

    def work_filter(self) -> WorkFilter:
        """The valid part of the request as a WorkFilter (an invalid field is ignored; the page
        says so under the form)."""
        if not self.is_bound:
            return WorkFilter()
        form = self.form
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        return WorkFilter(
            kind=data.get("kind") or "",
            district=data.get("district") or "",
            due=data.get("due") or "",
            sort=data.get("sort") or "since",
        )
