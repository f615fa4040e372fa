"""The dashboard's one input: the day its figures are as of (issue 10)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdao_groups.core.forms import BootstrapFormMixin, DateInput


class DayForm(BootstrapFormMixin, forms.Form):
    """The day the figures are as of (default today); bounded like every date of the system."""

    on = forms.DateField(label=_("统计日期"), required=False, widget=DateInput())

    def day(self, today: datetime.date) -> datetime.date:
        """The chosen day, or `today` when none (or a wrong one) was given."""
        if self.is_valid() and self.cleaned_data.get("on"):
            return self.cleaned_data["on"]
        return today
