"""The staffing request list's filter (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from funding.staffing.models import StaffingRequest
from members.pickers import ChoicePickerWidget
from members.selectors import district_choices
from qingdao_groups.core.filters import BootstrapFilterForm


class StaffingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("事项"), choices=StaffingRequest.Kind.choices, empty_label=_("全部事项")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=StaffingRequest.Status.choices, empty_label=_("全部状态")
    )
    district = django_filters.ChoiceFilter(
        label=_("区（市）"),
        field_name="school__district",
        choices=district_choices,
        empty_label=_("全部区（市）"),
        widget=ChoicePickerWidget("district"),
    )

    class Meta:
        model = StaffingRequest
        fields: list[str] = []
        form = BootstrapFilterForm

    def __init__(self, *args, show_district: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_district:  # a district or a principal sees only its own requests
            del self.filters["district"]
