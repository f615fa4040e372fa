"""The filing list's filter (django-filter)."""

import django_filters
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from groups.filings.models import Filing
from groups.filings.workflows import FilingStatus
from members.pickers import ChoicePickerWidget
from members.selectors import district_choices
from qingdao_groups.core.filters import BootstrapFilterForm, TickBoxFilter, only_if_checked


class FilingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=FilingStatus.choices, empty_label=_("全部状态")
    )
    kind = django_filters.ChoiceFilter(
        label=_("类别"), choices=Filing.Kind.choices, empty_label=_("全部类别")
    )
    district = django_filters.ChoiceFilter(
        label=_("报备部门"),
        field_name="authority__district",
        choices=district_choices,
        empty_label=_("全部区（市）"),
        widget=ChoicePickerWidget("district"),
    )
    # A project that started on or before its first filing was not filed in advance (D-2).
    late = TickBoxFilter(
        label=_("只看未提前报备的项目（政策 D-2）"),
        required=False,
        method=only_if_checked(
            Q(
                kind=Filing.Kind.PROJECT,
                project_starts_on__lte=Coalesce(F("first_filed_on"), F("filed_on")),
            )
        ),
    )

    class Meta:
        model = Filing
        fields: list[str] = []
        form = BootstrapFilterForm

    def __init__(self, *args, show_district: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_district:  # a district only ever sees its own filings
            del self.filters["district"]
