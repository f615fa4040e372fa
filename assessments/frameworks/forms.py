"""The framework editor's forms (policy A-1 … A-4; issue 10): input shape only. The services
refuse a published framework, a stale form and a duplicate code; the publish check
(validation.py) decides whether the whole tree is ready."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assessments.frameworks import derived
from assessments.frameworks.models import Grade, Indicator
from assessments.frameworks.validation import CLAUSES
from qingdao_groups.core.forms import LONG_TEXT_MAX, BootstrapFormMixin, VersionedForm
from qingdao_groups.core.submissions import SubmissionField

GRADES = [g for g, _label in Grade.choices]
CLAUSE_CHOICES = [("", "—"), *((c, c) for c in sorted(CLAUSES))]
CODE_HELP = _("字母、数字或短横线，例如 Q、Q1。")


def score_field(label, *, required=True, help_text="", max_value=Decimal("1000")):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=max_value,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def code_field():
    return forms.RegexField(
        label=_("代码"),
        max_length=20,
        regex=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        help_text=CODE_HELP,
        error_messages={"invalid": _("代码只能由字母、数字和短横线组成。")},
    )


class CopyForm(BootstrapFormMixin, forms.Form):
    """Copy a framework: empty code = the next revision of the same code."""

    code = forms.RegexField(
        label=_("新体系代码（可选）"),
        required=False,
        max_length=30,
        regex=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        help_text=_("留空则复制为同一代码的下一个版本。"),
        error_messages={"invalid": _("代码只能由字母、数字和短横线组成。")},
    )
    name = forms.CharField(label=_("名称（可选）"), required=False, max_length=200)
    submission = SubmissionField()


class FrameworkForm(VersionedForm):
    """A draft's name, description, grade bands (minimum total per grade) and the bonus points
    per grade for the core school (A-2)."""

    name = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @staticmethod
    def initial_from(framework) -> dict:
        bands = {b.get("grade"): b.get("min") for b in framework.grade_bands or []}
        bonus = framework.bonus_points or {}
        initial = {
            "version": framework.version,
            "name": framework.name,
            "description": framework.description,
        }
        for grade in GRADES:
            initial[f"min_{grade}"] = bands.get(grade, "0")
            initial[f"bonus_{grade}"] = bonus.get(grade, "0")
        return initial

    def grade_bands(self) -> list[dict]:
        return [{"grade": g, "min": str(self.cleaned_data[f"min_{g}"].normalize())} for g in GRADES]

    def bonus_points(self) -> dict:
        return {g: str(self.cleaned_data[f"bonus_{g}"].normalize()) for g in GRADES}

    def grade_rows(self):
        return [(label, self[f"min_{g}"], self[f"bonus_{g}"]) for g, label in Grade.choices]


# One minimum and one bonus per grade, best grade first.
for _grade, _grade_label in Grade.choices:
    FrameworkForm.base_fields[f"min_{_grade}"] = score_field(
        format_lazy(_("“{}”最低分"), _grade_label), max_value=Decimal("100")
    )
    FrameworkForm.base_fields[f"bonus_{_grade}"] = score_field(
        format_lazy(_("“{}”核心校加分（A-2）"), _grade_label), max_value=Decimal("100")
    )


class DimensionForm(VersionedForm):
    code = code_field()
    name = forms.CharField(label=_("名称"), max_length=100)
    weight = score_field(
        _("权重（分）"),
        max_value=Decimal("100"),
        help_text=_("各维度权重合计须为 100 分。"),
    )
    clause = forms.ChoiceField(label=_("政策条款"), choices=CLAUSE_CHOICES, required=False)
    description = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


RULE_CHOICES = [
    ("linear", _("按比例：满分值与零分值之间线性计分")),
    ("steps", _("分档：达到某值得某分")),
    ("min", _("达标：不低于达标线")),
    ("max", _("达标：不高于上限")),
]


class IndicatorForm(VersionedForm):
    """An indicator; for a derived one, the metric and how its value maps to a score: linear
    between a zero value and a full value, steps, or a pass line (min or max)."""

    code = code_field()
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类别"), choices=Indicator.Kind.choices)
    source = forms.ChoiceField(label=_("来源"), choices=Indicator.Source.choices)
    weight = score_field(_("权重"), required=False, help_text=_("在本维度评分类指标中的相对权重。"))
    scale_max = score_field(_("满分"), required=False)
    derived_key = forms.ChoiceField(label=_("数据指标"), required=False)
    rule = forms.ChoiceField(label=_("计分方式"), choices=RULE_CHOICES, required=False)
    full_at = forms.DecimalField(label=_("满分值"), required=False, max_digits=14, decimal_places=4)
    zero_at = forms.DecimalField(label=_("零分值"), required=False, max_digits=14, decimal_places=4)
    steps = forms.CharField(
        label=_("分档"),
        required=False,
        max_length=500,
        help_text=_("每档“达到值:得分”，用逗号分隔，例如 1:4, 2:6, 3:8, 4:10。"),
    )
    threshold = forms.DecimalField(
        label=_("达标线"), required=False, max_digits=14, decimal_places=4
    )
    cap_grade = forms.ChoiceField(
        label=_("未达标时最高等级"),
        required=False,
        choices=[("", "—"), *Grade.choices],
        help_text=_("仅达标类指标：未达标时集团等级最高为此等级（A-3）。"),
    )
    evidence_required = forms.BooleanField(label=_("需上传佐证材料"), required=False)
    guidance = forms.CharField(
        label=_("评分说明"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    clause = forms.ChoiceField(label=_("政策条款"), choices=CLAUSE_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["derived_key"].choices = [("", "—"), *derived.choices()]
        self.fields["derived_key"].help_text = _("各数据指标的含义见本页下方说明。")

    def clean(self):
        data = super().clean()
        if data.get("source") != Indicator.Source.DERIVED:
            data["params"] = {}
            return data
        if not data.get("derived_key"):
            self.add_error("derived_key", _("系统数据指标须选择数据指标。"))
        rule = data.get("rule")
        if data.get("kind") == Indicator.Kind.PASS_FAIL and rule not in ("min", "max"):
            self.add_error("rule", _("达标类数据指标的计分方式应为“达标”。"))
            return data
        if data.get("kind") == Indicator.Kind.SCORED and rule not in ("linear", "steps"):
            self.add_error("rule", _("评分类数据指标的计分方式应为“按比例”或“分档”。"))
            return data
        if rule == "linear":
            full, zero = data.get("full_at"), data.get("zero_at")
            if full is None or zero is None:
                self.add_error("full_at", _("请填写满分值和零分值。"))
            else:
                data["params"] = {"full_at": _json(full), "zero_at": _json(zero)}
        elif rule == "steps":
            steps = parse_steps(data.get("steps") or "")
            if steps is None:
                self.add_error("steps", _("分档格式应为“达到值:得分”，用逗号分隔。"))
            else:
                data["params"] = {"steps": steps}
        elif rule in ("min", "max"):
            if data.get("threshold") is None:
                self.add_error("threshold", _("请填写达标线。"))
            else:
                data["params"] = {rule: _json(data["threshold"])}
        return data

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "code": d["code"],
            "name": d["name"],
            "kind": d["kind"],
            "source": d["source"],
            "weight": d.get("weight"),
            "scale_max": d.get("scale_max"),
            "derived_key": d.get("derived_key") or "",
            "params": d.get("params", {}),
            "cap_grade": d.get("cap_grade") or "",
            "evidence_required": bool(d.get("evidence_required")),
            "guidance": d.get("guidance") or "",
            "clause": d.get("clause") or "",
        }

    @staticmethod
    def initial_from(indicator, version: int) -> dict:
        p = indicator.params or {}
        rule = ""
        if "steps" in p:
            rule = "steps"
        elif "full_at" in p:
            rule = "linear"
        elif "min" in p:
            rule = "min"
        elif "max" in p:
            rule = "max"
        return {
            "version": version,
            "code": indicator.code,
            "name": indicator.name,
            "kind": indicator.kind,
            "source": indicator.source,
            "weight": indicator.weight,
            "scale_max": indicator.scale_max,
            "derived_key": indicator.derived_key,
            "rule": rule,
            "full_at": p.get("full_at"),
            "zero_at": p.get("zero_at"),
            "steps": ", ".join(f"{t}:{pts}" for t, pts in p.get("steps", [])),
            "threshold": p.get("min", p.get("max")),
            "cap_grade": indicator.cap_grade,
            "evidence_required": indicator.evidence_required,
            "guidance": indicator.guidance,
            "clause": indicator.clause,
        }


def _json(value: Decimal):
    """A Decimal as the JSON number the default framework uses (int when whole)."""
    value = value.normalize()
    return int(value) if value == value.to_integral() else float(value)


def parse_steps(text: str) -> list[list] | None:
    """ "1:4, 2:6" -> [[1, 4], [2, 6]]; None when a part is not "number:number"."""
    steps = []
    for part in text.replace("，", ",").replace("：", ":").split(","):
        part = part.strip()
        if not part:
            continue
        left, sep, right = part.partition(":")
        if not sep:
            return None
        try:
            threshold, points = Decimal(left.strip()), Decimal(right.strip())
        except ArithmeticError:
            return None
        if not (threshold.is_finite() and points.is_finite()):
            return None
        if abs(threshold) > Decimal("1e9") or abs(points) > Decimal("1e6"):
            return None
        steps.append([_json(threshold), _json(points)])
    return steps or None


class MoveForm(VersionedForm):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
