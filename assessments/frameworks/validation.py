"""What a framework must satisfy before it is published (policy A-1 … A-4; issue 10), and the
shape of a derived indicator's scoring parameters. Pure: the framework's fields and its loaded
tree in, a list of problems in Chinese out (empty: ready). `services.framework_publish`
refuses while the list is not empty; the framework's page shows the same list beforehand.

The rules follow what `assessments.scoring` computes:
- the dimensions' weights add up to exactly 100 (the total is out of 100, A-1);
- every dimension has an indicator, and a weighted dimension at least one scored indicator (a
  dimension of pass/fail indicators alone would always score 0);
- a scored indicator has weight > 0 and scale_max > 0;
- a derived indicator names a metric of `derived.METRICS`, with the parameters
  `scoring.derived_score` reads ({"full_at", "zero_at"} or {"steps": [[threshold, points], …]})
  or, for pass/fail, those `scoring.derived_passed` reads ({"min"} and/or {"max"});
- a manual indicator names no metric;
- `cap_grade` (the grade a failed indicator caps at, A-3) only on pass/fail indicators;
- grade bands: known grades, each once, minimums strictly decreasing and the last 0; bonus points
  (A-2) for every grade, not negative."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from assessments.frameworks import derived
from assessments.frameworks.models import Dimension, Grade, Indicator

HUNDRED = Decimal("100")
CLAUSES = {"A-1", "A-2", "A-3", "A-4", "A-5", "A-6"}


def number(value) -> Decimal | None:
    """A finite Decimal from JSON (int, float, numeric string), else None (bools are not)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        got = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return got if got.is_finite() else None


def params_problems(kind: str, params, scale_max: Decimal) -> list[str]:
    """What is wrong with a derived indicator's parameters for its kind (empty: fine)."""
    if not isinstance(params, Mapping):
        return [_("计分参数格式不正确。")]
    keys = set(params)
    if kind == Indicator.Kind.PASS_FAIL:
        if not keys or not keys <= {"min", "max"}:
            return [_("达标类数据指标的参数应为达标下限（min）和/或上限（max）。")]
        problems = [_("达标线必须是数字。") for key in sorted(keys) if number(params[key]) is None]
        if (
            not problems
            and keys == {"min", "max"}
            and number(params["min"]) > number(params["max"])
        ):
            problems.append(_("达标下限不能大于上限。"))
        return problems
    if keys == {"full_at", "zero_at"}:
        full, zero = number(params["full_at"]), number(params["zero_at"])
        if full is None or zero is None:
            return [_("满分值和零分值必须是数字。")]
        if full == zero:
            return [_("满分值和零分值不能相同。")]
        return []
    if keys == {"steps"}:
        steps = params["steps"]
        if not isinstance(steps, list) or not steps:
            return [_("分档计分至少需要一档。")]
        pairs = []
        for step in steps:
            if not isinstance(step, list | tuple) or len(step) != 2:
                return [_("每一档应为“达到值、得分”两个数字。")]
            threshold, pts = number(step[0]), number(step[1])
            if threshold is None or pts is None:
                return [_("每一档应为“达到值、得分”两个数字。")]
            pairs.append((threshold, pts))
        problems = []
        thresholds = [t for t, _p in pairs]
        if thresholds != sorted(set(thresholds)):
            problems.append(_("各档达到值应从小到大排列且不重复。"))
        if any(p < 0 or p > scale_max for _t, p in pairs):
            problems.append(
                _("各档得分应在 0 到满分（%(max)s）之间。") % {"max": _plain(scale_max)}
            )
        return problems
    return [
        _("评分类数据指标的参数应为满分值和零分值（full_at、zero_at），或分档（steps）二者之一。")
    ]


def bands_problems(grade_bands, bonus_points) -> list[str]:
    """Grade bands: known grades, each once, minimums strictly decreasing, the last 0; bonus
    points (A-2) for every grade of the bands, each a number not below 0."""
    problems: list[str] = []
    labels = dict(Grade.choices)
    if not isinstance(grade_bands, list) or not grade_bands:
        return [_("等级划分不能为空。")]
    grades, minimums = [], []
    for band in grade_bands:
        if not isinstance(band, Mapping) or band.get("grade") not in labels:
            problems.append(_("等级划分中有未知的等级。"))
            continue
        grades.append(band["grade"])
        minimums.append(number(band.get("min")))
    if len(set(grades)) != len(grades):
        problems.append(_("等级划分中同一等级出现了不止一次。"))
    if any(m is None for m in minimums):
        problems.append(_("每个等级的最低分必须是数字。"))
    elif minimums:
        if any(a <= b for a, b in zip(minimums, minimums[1:], strict=False)):
            problems.append(_("各等级的最低分应从高到低严格递减。"))
        if minimums[-1] != 0:
            problems.append(_("最低一个等级的最低分应为 0。"))
        if minimums[0] > HUNDRED:
            problems.append(_("等级最低分不能超过 100 分。"))
    if not isinstance(bonus_points, Mapping):
        return [*problems, _("核心校加分格式不正确。")]
    for grade in grades:
        value = number(bonus_points.get(grade))
        if value is None or value < 0:
            problems.append(
                _("“%(grade)s”等级的核心校加分（A-2）应为不小于 0 的数字。")
                % {"grade": labels[grade]}
            )
    return problems


def _plain(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def framework_problems(
    *,
    grade_bands,
    bonus_points,
    dimensions: Sequence[Dimension],
    indicators: Iterable[Indicator],
) -> list[str]:
    """Every reason the framework cannot be published yet, in the order of the page (empty:
    ready). `indicators` carry `dimension_id`."""
    problems: list[str] = []
    by_dimension: dict[int, list[Indicator]] = {d.pk: [] for d in dimensions}
    for ind in indicators:
        by_dimension.setdefault(ind.dimension_id, []).append(ind)
    if not dimensions:
        problems.append(_("指标体系至少需要一个维度。"))
    total = sum((Decimal(d.weight) for d in dimensions), Decimal(0))
    if dimensions and total != HUNDRED:
        problems.append(
            _("各维度权重合计应为 100 分，现为 %(total)s 分。") % {"total": _plain(total)}
        )
    for dim in dimensions:
        name = f"{dim.code} {dim.name}"
        inds = by_dimension.get(dim.pk, [])
        if dim.weight < 0:
            problems.append(_("维度“%(name)s”的权重不能为负数。") % {"name": name})
        if dim.clause and dim.clause not in CLAUSES:
            problems.append(
                _("维度“%(name)s”引用的条款 %(clause)s 不是督导考核条款（A-1 至 A-6）。")
                % {"name": name, "clause": dim.clause}
            )
        if not inds:
            problems.append(_("维度“%(name)s”还没有指标。") % {"name": name})
        elif dim.weight > 0 and not any(i.kind == Indicator.Kind.SCORED for i in inds):
            problems.append(
                _("维度“%(name)s”有权重但没有评分类指标，该维度将始终得 0 分。") % {"name": name}
            )
        for ind in inds:
            problems += [
                _("指标“%(name)s”：%(problem)s")
                % {"name": f"{ind.code} {ind.name}", "problem": problem}
                for problem in indicator_problems(ind)
            ]
    problems += bands_problems(grade_bands, bonus_points)
    return problems


def indicator_problems(ind: Indicator) -> list[str]:
    """What is wrong with one indicator (without its name)."""
    problems: list[str] = []
    if ind.kind == Indicator.Kind.SCORED:
        if ind.weight is None or ind.weight <= 0:
            problems.append(_("评分类指标的权重应大于 0。"))
        if ind.scale_max is None or ind.scale_max <= 0:
            problems.append(_("评分类指标的满分应大于 0。"))
        if ind.cap_grade:
            problems.append(_("只有达标类指标可以设置“未达标时最高等级”。"))
    if ind.source == Indicator.Source.DERIVED:
        if ind.derived_key not in derived.METRICS:
            problems.append(
                _("数据指标“%(key)s”不存在，请从系统提供的数据指标中选择。")
                % {"key": ind.derived_key or "—"}
            )
        else:
            problems += params_problems(ind.kind, ind.params, ind.scale_max or Decimal(0))
    elif ind.derived_key:
        problems.append(_("督导评分指标不应选择数据指标。"))
    if ind.clause and ind.clause not in CLAUSES:
        problems.append(
            _("引用的条款 %(clause)s 不是督导考核条款（A-1 至 A-6）。") % {"clause": ind.clause}
        )
    return problems
