"""Input shape of the agreement and payment forms (policy F-2); the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funding.agreements.models import Agreement
from funding.rates.models import MAX_RATE
from groups.charter.models import GroupDocument
from qingdao_groups.core.forms import (
    BootstrapFormMixin,
    CheckedFileField,
    DateInput,
    VersionedForm,
)
from qingdao_groups.core.submissions import SubmissionField


def month_choices() -> list[tuple[int, str]]:
    """1 … 12 in the reader's language (built when the form is shown, not at import)."""
    return [(m, gettext("%(m)d 月") % {"m": m}) for m in range(1, 13)]


def money_field(label, *, minimum: Decimal, help_text="") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=minimum,
        max_value=MAX_RATE,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class AgreementTermsForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("协议名称"), max_length=100)
    fee = money_field(
        _("费用（元）"),
        minimum=Decimal("0"),
        help_text=_("按计费周期收取的金额：按年为每年的费用，按学期为每学期的费用。"),
    )
    period = forms.ChoiceField(label=_("计费周期"), choices=Agreement.Period.choices)
    starts_on = forms.DateField(label=_("协议开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("协议结束日期"), widget=DateInput())
    payer = forms.ChoiceField(
        label=_("付款方"),
        choices=Agreement.Payer.choices,
        help_text=_("收款方为集团核心校（政策 F-2：谁受益谁出资）。"),
    )
    due_month = forms.TypedChoiceField(
        label=_("当年付款截止月份"),
        choices=month_choices,
        coerce=int,
        initial=12,
        help_text=_("每年的应收款在该月最后一天到期，过期未付清即为逾期。"),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AgreementCreateForm(AgreementTermsForm):
    # Any school id is taken here; the service refuses one that is not a member of the group
    # with the rule's words (policy F-2), rather than "not a valid choice".
    school = forms.TypedChoiceField(label=_("成员校"), coerce=int, choices=())
    file = CheckedFileField(label=_("协议文件"), required=False)
    group_document = forms.ModelChoiceField(
        label=_("或：使用集团已有的合作办学协议文件"),
        queryset=GroupDocument.objects.none(),
        required=False,
        help_text=_(
            "集团成立时的合作办学协议保存在集团文件中，未对应到具体成员校；选择其中一份，"
            "系统将其复制为本协议的文件。"
        ),
    )
    submission = SubmissionField()
    field_order = ["school", "title", "fee", "period", "starts_on", "ends_on", "payer"]

    def __init__(self, *args, members, documents, **kwargs):
        super().__init__(*args, **kwargs)
        school = self.fields["school"]
        school.choices = [("", "---------")] + [(m.school_id, m.label) for m in members]
        # Accept any integer: the service says why a school that is not a member is refused.
        school.valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]
        self.fields["group_document"].queryset = documents
        self.fields["group_document"].label_from_instance = lambda d: (
            _("%(title)s（第 %(v)d 版，%(day)s）")
            % {"title": d.title, "v": d.version, "day": d.adopted_on.isoformat()}
        )
        if not documents.exists():
            del self.fields["group_document"]


class AgreementEditForm(AgreementTermsForm, VersionedForm):
    file = CheckedFileField(label=_("新版协议文件（可选）"), required=False)


class PaymentForm(BootstrapFormMixin, forms.Form):
    receivable = forms.TypedChoiceField(label=_("财政年度"), coerce=int, choices=())
    amount = money_field(_("到账金额（元）"), minimum=Decimal("0.01"))
    paid_on = forms.DateField(label=_("到账日期"), widget=DateInput())
    note = forms.CharField(label=_("备注"), required=False, max_length=2000)
    submission = SubmissionField()

    def __init__(self, *args, receivables, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receivable"].choices = [
            (
                r.pk,
                _("%(year)s 年度（未收 %(balance)s 元）")
                % {"year": r.fiscal_year, "balance": f"{r.balance:,.2f}"},
            )
            for r in receivables
        ]
