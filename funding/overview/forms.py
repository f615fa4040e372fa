"""Input shape of the overview's one form: which fiscal year the city computes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.overview.filters import YEAR_MAX, YEAR_MIN
from qingdao_groups.core.forms import BootstrapFormMixin


class ComputeYearForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("财政年度"), min_value=YEAR_MIN, max_value=YEAR_MAX)
