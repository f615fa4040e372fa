"""The spending form (policy F-3): input shape only; the service decides."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.rates.models import MAX_RATE
from funding.spending.models import Spending
from qingdao_groups.core.forms import BootstrapFormMixin, CheckedFileField, DateInput
from qingdao_groups.core.submissions import SubmissionField


class SpendingForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("支出类别"), choices=Spending.Category.choices)
    amount = forms.DecimalField(
        label=_("金额（元）"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_RATE,
        error_messages={"min_value": _("支出金额须大于 0 元。")},
    )
    spent_on = forms.DateField(
        label=_("支出日期"),
        widget=DateInput(),
        help_text=_("支出计入该日期所在的财政年度；不能晚于今天。"),
    )
    note = forms.CharField(label=_("用途说明"), max_length=2000)
    receipt = CheckedFileField(label=_("支出凭证（发票、合同等，可选）"), required=False)
    submission = SubmissionField()
