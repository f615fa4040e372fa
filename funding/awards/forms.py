"""The award form (policy F-5): input shape only; the service decides."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.awards.models import Award
from funding.rates.models import MAX_RATE
from qingdao_groups.core.forms import BootstrapFormMixin
from qingdao_groups.core.submissions import SubmissionField


class AwardForm(BootstrapFormMixin, forms.Form):
    group = forms.CharField(
        label=_("集团"),
        max_length=100,
        help_text=_("填写集团编号（如 QD2019001）或集团全称。"),
    )
    recipient_kind = forms.ChoiceField(
        label=_("表彰对象"), choices=Award.RecipientKind.choices, initial="group"
    )
    recipient_name = forms.CharField(
        label=_("对象名称"),
        max_length=100,
        required=False,
        help_text=_("团队或个人的名称；表彰集团时可不填。"),
    )
    title = forms.CharField(label=_("表彰奖励名称"), max_length=100)
    level = forms.ChoiceField(label=_("级别"), choices=Award.Level.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("奖励金额（元，可选）"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_RATE,
        error_messages={"min_value": _("奖励金额不能为负数。")},
    )
    submission = SubmissionField()
