"""The rate-table version form (policy F-1, F-4): input shape only; the service checks the rules
again (negative or absurd rates, a reference date outside the year) and refuses with the same
clear messages."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.rates.models import MAX_RATE, Proration, RateTable
from funding.rates.selectors import stage_amounts
from members.models import School
from qingdao_groups.core.forms import LONG_TEXT_MAX, BootstrapFormMixin, DateInput
from qingdao_groups.core.submissions import SubmissionField

NOT_NEGATIVE = _("金额不能为负数。")
TOO_LARGE = _("金额不能超过 10,000,000.00 元，请检查是否多输了位数。")


def money_field(label, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_RATE,
        help_text=help_text,
        error_messages={"min_value": NOT_NEGATIVE, "max_value": TOO_LARGE},
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def stage_field_name(stage: str) -> str:
    return f"stage_{stage}"


class RateTableForm(BootstrapFormMixin, forms.Form):
    subsidy_per_member = money_field(
        _("成员校专项奖补（元/校/年）"),
        help_text=_("同一教育行政部门所属公办成员校，每校每年（政策 F-1）。"),
    )
    proration = forms.ChoiceField(
        label=_("跨年度折算方式"),
        choices=Proration.choices,
        initial=Proration.MONTHS,
        widget=forms.RadioSelect,
        help_text=_("年中加入或退出的成员校如何计算：默认按在册月数；或按基准日是否在册计全年。"),
    )
    reference_date = forms.DateField(
        label=_("基准日"),
        required=False,
        widget=DateInput(),
        help_text=_("按基准日折算时必填，须在该财政年度之内。"),
    )
    transport_per_month = money_field(
        _("派驻人员交通补助（元/人/月）"), help_text=_("由成员校支付（政策 F-4）。")
    )
    lodging_per_month = money_field(
        _("派驻人员食宿补助（元/人/月）"), help_text=_("由成员校支付（政策 F-4）。")
    )
    spring_term_starts = forms.DateField(
        label=_("春季学期开学日"),
        required=False,
        widget=DateInput(),
        help_text=_("按学期收取的协议费用以开学日计期（政策 F-2）。"),
    )
    autumn_term_starts = forms.DateField(
        label=_("秋季学期开学日"), required=False, widget=DateInput()
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如依据的文件、调整的原因。"),
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    submission = SubmissionField()

    def stage_rates(self) -> dict[str, Decimal | None]:
        return {
            stage: self.cleaned_data.get(stage_field_name(stage))
            for stage, _label in School.Stage.choices
        }

    def clean(self):
        data = super().clean()
        if data.get("proration") == Proration.REFERENCE_DATE and not data.get("reference_date"):
            self.add_error(
                "reference_date",
                _("按基准日折算时须填写基准日：成员校在基准日在册即计全年（政策 F-1）。"),
            )
        return data

    @staticmethod
    def initial_from(table: RateTable | None, latest: int) -> dict:
        """A new version starts from the previous one's values (policy F-1, F-4); its note, which
        says why this version differs, starts empty."""
        initial: dict = {"based_on": latest, "proration": Proration.MONTHS}
        if table is None:
            return initial
        initial |= {
            "subsidy_per_member": table.subsidy_per_member,
            "proration": table.proration,
            "reference_date": table.reference_date,
            "transport_per_month": table.transport_per_month,
            "lodging_per_month": table.lodging_per_month,
            "spring_term_starts": table.spring_term_starts,
            "autumn_term_starts": table.autumn_term_starts,
        }
        for stage, amount in stage_amounts(table).items():
            initial[stage_field_name(stage)] = amount
        return initial


# One optional override per stage, shown right after the default (policy F-1: a rate may differ
# by the member's stage).
for _stage, _stage_label in School.Stage.choices:
    RateTableForm.base_fields[stage_field_name(_stage)] = money_field(_stage_label, required=False)
RateTableForm.field_order = [
    "subsidy_per_member",
    *(stage_field_name(s) for s in School.Stage.values),
    "proration",
    "reference_date",
    "transport_per_month",
    "lodging_per_month",
    "spring_term_starts",
    "autumn_term_starts",
    "note",
]


def _bound(form: RateTableForm, names) -> list:
    return [form[name] for name in names]


def stage_bound_fields(form: RateTableForm) -> list:
    """The stage overrides, rendered together in a grid."""
    return _bound(form, (stage_field_name(s) for s in School.Stage.values))


def other_bound_fields(form: RateTableForm) -> list:
    """Everything after the default subsidy and the stage overrides."""
    return _bound(form, RateTableForm.field_order[1 + len(School.Stage.values) :])
