"""The cycle's forms (policy A-1): input shape only; the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.cycles.workflows import CycleStatus, FlagAction
from assessments.frameworks.models import Framework, Indicator
from qingdao_groups.core.forms import (
    BootstrapFormMixin,
    CheckedFileField,
    DateInput,
    VersionedForm,
)
from qingdao_groups.core.submissions import SubmissionField

TEXT_MAX = 2000
VERDICTS = [("", "—"), ("yes", _("达标")), ("no", _("未达标"))]


def verdict(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def verdict_value(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")  # type: ignore[call-overload]


class CycleForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    framework = forms.ModelChoiceField(
        label=_("指标体系"),
        queryset=Framework.objects.none(),
        help_text=_("只能选择已发布的指标体系。"),
    )
    period_start = forms.DateField(label=_("评估期开始"), widget=DateInput())
    period_end = forms.DateField(
        label=_("评估期结束"),
        widget=DateInput(),
        help_text=_("参评集团为评估期末仍在运行的集团。"),
    )
    self_assessment_due = forms.DateField(label=_("自评截止日期"), widget=DateInput())
    inspection_due = forms.DateField(label=_("督导评估截止日期"), widget=DateInput())
    factual_check_due = forms.DateField(label=_("事实核对截止日期"), widget=DateInput())
    groups = forms.MultipleChoiceField(
        label=_("参评集团"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则纳入评估期末全部在运行的集团。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission = SubmissionField()

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.filter(
            status=Framework.Status.PUBLISHED
        )
        self.fields["groups"].choices = [(str(g.pk), f"{g.code} {g.name}") for g in groups]


class MoveForm(VersionedForm):
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _score_field(ind: Indicator, *, label_prefix: str = "") -> forms.Field:
    if ind.kind == Indicator.Kind.PASS_FAIL:
        return forms.ChoiceField(label=ind.name, choices=VERDICTS, required=False)
    return forms.DecimalField(
        label=ind.name,
        required=False,
        min_value=Decimal("0"),
        max_value=ind.scale_max,
        max_digits=7,
        decimal_places=2,
        help_text=_("满分 %(max)s") % {"max": ind.scale_max.normalize()},
    )


class TreeForm(VersionedForm):
    """One form for the whole tree of a group: a score (or verdict) and a note per indicator.
    `prefix_score`/`prefix_note` name the fields (self_… for the self-assessment)."""

    score_prefix = "score"
    note_prefix = "note"

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for ind in self.indicators:
            self.fields[f"{self.score_prefix}_{ind.pk}"] = _score_field(ind)
            self.fields[f"{self.note_prefix}_{ind.pk}"] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for name, field in self.fields.items():
            if name.startswith((self.score_prefix, self.note_prefix)):
                field.widget.attrs["class"] = (
                    field.widget.attrs.get("class", "") + " form-control-sm"
                )

    def rows(self):
        """(indicator, score field, note field) for the template."""
        return [
            (ind, self[f"{self.score_prefix}_{ind.pk}"], self[f"{self.note_prefix}_{ind.pk}"])
            for ind in self.indicators
        ]

    def values(self):
        """[(indicator, score, passed, note)] from the cleaned data."""
        out = []
        for ind in self.indicators:
            raw = self.cleaned_data.get(f"{self.score_prefix}_{ind.pk}")
            note = self.cleaned_data.get(f"{self.note_prefix}_{ind.pk}") or ""
            if ind.kind == Indicator.Kind.PASS_FAIL:
                out.append((ind, None, verdict(raw), note))
            else:
                out.append((ind, raw, None, note))
        return out


class SelfAssessmentForm(TreeForm):
    score_prefix = "self_score"
    note_prefix = "self_note"

    summary = forms.CharField(
        label=_("自评总结"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ScoringForm(TreeForm):
    score_prefix = "score"
    note_prefix = "note"


class EvidenceForm(BootstrapFormMixin, forms.Form):
    indicator = forms.TypedChoiceField(label=_("指标"), coerce=int)
    file = CheckedFileField(label=_("佐证材料"))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.pk, f"{i.code} {i.name}") for i in indicators]


class FlagForm(BootstrapFormMixin, forms.Form):
    indicator = forms.TypedChoiceField(
        label=_("涉及指标"), coerce=int, required=False, empty_value=None
    )
    text = forms.CharField(
        label=_("问题说明"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    submission = SubmissionField()

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("整体结果"))] + [
            (i.pk, f"{i.code} {i.name}") for i in indicators
        ]


class ResolveForm(VersionedForm):
    action = forms.ChoiceField(label=_("处理"), choices=FlagAction.choices)
    reply = forms.CharField(
        label=_("处理意见"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    score = forms.DecimalField(
        label=_("更正后得分"),
        required=False,
        min_value=Decimal("0"),
        max_digits=7,
        decimal_places=2,
    )
    passed = forms.ChoiceField(label=_("更正后结论"), choices=VERDICTS, required=False)


class CycleFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(CycleStatus.choices)
    )
    organiser = forms.TypedChoiceField(
        label=_("组织单位"), required=False, coerce=int, empty_value=None
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, organisers=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = [("", _("全部"))] + [(a.pk, a.name) for a in organisers]
        self.fields["year"].choices = [("", _("全部"))] + [(y, str(y)) for y in years]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
