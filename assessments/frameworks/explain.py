"""A framework read out in words (policy A-1 … A-4; issue 10): a derived indicator's metric and
parameters ("30% 及以上得满分"), and a worked example of the scoring computed with
`assessments.scoring` on the loaded tree. Pure: no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from assessments import scoring
from assessments.frameworks import derived
from assessments.frameworks.models import Dimension, Grade, Indicator
from assessments.frameworks.validation import number, params_problems

EXAMPLE_SHARE = Decimal("0.8")  # "a group scoring 8 out of 10 everywhere"


def _n(value) -> str:
    got = number(value)
    if got is None:
        return str(value)
    return format(got.normalize(), "f") if got == got.to_integral() else format(got, "f")


def _with_unit(value, unit: str) -> str:
    if unit in ("%",):
        return f"{_n(value)}%"
    if unit in ("", "是/否"):
        return _n(value)
    return f"{_n(value)} {unit}"


def params_in_words(ind: Indicator) -> str:
    """How a derived indicator's value becomes a score or a verdict, in words; "" for a manual
    indicator, a note when the parameters do not fit (the publish check lists why)."""
    if ind.source != Indicator.Source.DERIVED:
        return ""
    metric = derived.METRICS.get(ind.derived_key)
    if metric is None or params_problems(ind.kind, ind.params, ind.scale_max or Decimal(0)):
        return _("参数待完善")
    unit = str(metric.unit)
    p = ind.params
    if ind.kind == Indicator.Kind.PASS_FAIL:
        if unit == "是/否":
            return _("满足即为达标")
        parts = []
        if "min" in p:
            parts.append(_("达到 %(v)s 及以上") % {"v": _with_unit(p["min"], unit)})
        if "max" in p:
            parts.append(_("不超过 %(v)s") % {"v": _with_unit(p["max"], unit)})
        return _("%(cond)s为达标") % {"cond": _("且").join(parts)}
    if "steps" in p:
        return _("；").join(
            _("达到 %(v)s 得 %(pts)s 分") % {"v": _with_unit(t, unit), "pts": _n(pts)}
            for t, pts in sorted(p["steps"], key=lambda s: number(s[0]) or 0)
        )
    full, zero = number(p["full_at"]), number(p["zero_at"])
    if full > zero:
        return _("%(full)s 及以上得满分，%(zero)s 及以下不得分，其间按比例计分") % {
            "full": _with_unit(full, unit),
            "zero": _with_unit(zero, unit),
        }
    return _("%(full)s 及以下得满分，%(zero)s 及以上不得分，其间按比例计分") % {
        "full": _with_unit(full, unit),
        "zero": _with_unit(zero, unit),
    }


def specs(
    dimensions: Sequence[Dimension], indicators: Sequence[Indicator]
) -> tuple[list[scoring.DimensionSpec], list[scoring.IndicatorSpec]]:
    """The loaded tree as scoring's pure specs (the same mapping as
    cycles.results.framework_specs, without reading the database again)."""
    codes = {d.pk: d.code for d in dimensions}
    return (
        [scoring.DimensionSpec(d.code, d.name, d.weight, d.clause) for d in dimensions],
        [
            scoring.IndicatorSpec(
                code=i.code,
                dimension=codes[i.dimension_id],
                name=i.name,
                kind=i.kind,
                weight=i.weight,
                scale_max=i.scale_max,
                cap_grade=i.cap_grade,
                clause=i.clause,
            )
            for i in indicators
            if i.dimension_id in codes
        ],
    )


@dataclass(frozen=True)
class Example:
    result: scoring.GroupResult
    failed_one: scoring.GroupResult | None  # the same, with the first capping indicator failed
    failed_name: str
    grade_label: str
    failed_grade_label: str


def worked_example(
    *,
    dimensions: Sequence[Dimension],
    indicators: Sequence[Indicator],
    grade_bands: Sequence[Mapping],
    bonus_points: Mapping,
) -> Example | None:
    """A group scoring 8 out of 10 (80% of the scale) on every scored indicator and passing
    every pass/fail one: its dimension scores, total, grade and bonus (A-2); then the same group
    failing the pass/fail indicator with the lowest cap (the core school's own quality, A-3).
    None when the tree cannot be scored yet."""
    try:
        dims, inds = specs(dimensions, indicators)
        scores = [
            scoring.IndicatorScore(i.code, score=i.scale_max * EXAMPLE_SHARE)
            if i.kind == Indicator.Kind.SCORED
            else scoring.IndicatorScore(i.code, passed=True)
            for i in inds
        ]
        result = scoring.score_group(
            dims, inds, scores, grade_bands=grade_bands, bonus_points=bonus_points
        )
        # the pass/fail indicator whose failure costs most: the lowest cap
        rank = {g: n for n, g in enumerate(scoring.GRADES)}
        failing = max(
            (i for i in inds if i.kind == Indicator.Kind.PASS_FAIL),
            key=lambda i: rank.get(i.cap_grade or "qualified", len(rank)),
            default=None,
        )
        failed = None
        if failing is not None:
            failed = scoring.score_group(
                dims,
                inds,
                [s for s in scores if s.code != failing.code]
                + [scoring.IndicatorScore(failing.code, passed=False)],
                grade_bands=grade_bands,
                bonus_points=bonus_points,
            )
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return None
    labels = dict(Grade.choices)
    return Example(
        result=result,
        failed_one=failed,
        failed_name=f"{failing.code} {failing.name}" if failing else "",
        grade_label=str(labels.get(result.grade, result.grade)),
        failed_grade_label=str(labels.get(failed.grade, failed.grade)) if failed else "",
    )
