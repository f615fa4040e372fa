"""Pure scoring of one group in one cycle (policy A-1 … A-4; issue 10). No ORM, no I/O:
plain specs and scores in, a `GroupResult` out, so every rule here is tested by itself
(tests/assessments/test_scoring.py, with hypothesis).

The rules:
- A scored indicator contributes its score as a fraction of its scale (`raw / scale_max`,
  clamped to 0 … 1); a dimension's score is its weight times the weighted mean of those
  fractions (`weight` of each scored indicator within the dimension). A missing score counts
  as 0 and is listed in `missing`.
- The total is the sum of the dimension scores (the dimensions' weights add up to 100).
- The grade is the highest band whose minimum the total reaches (`grade_for`); a failed
  pass/fail indicator (达标类) caps the grade at its `cap_grade` (A-3: the core school's own
  quality must not fall — 造血 before 输血), and a pass/fail indicator without a verdict
  counts as failed.
- The bonus item for the core school's performance assessment (A-2) is the framework's points
  for the grade.
- The trend compares the total with the group's previous published total (`trend`).

Everything is Decimal, rounded half-up to 0.01 (`points`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDREDTH = Decimal("0.01")

GRADES = ("excellent", "good", "qualified", "unqualified")  # best first


def points(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    name: str
    weight: Decimal
    clause: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    dimension: str  # DimensionSpec.code
    name: str
    kind: str = "scored"  # "scored" | "pass_fail"
    weight: Decimal = ONE
    scale_max: Decimal = Decimal("10")
    cap_grade: str = ""
    clause: str = ""


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    score: Decimal | None = None  # scored indicators
    passed: bool | None = None  # pass/fail indicators


@dataclass(frozen=True)
class DimensionResult:
    code: str
    name: str
    weight: Decimal
    score: Decimal

    @property
    def percent(self) -> Decimal:
        return points(self.score * 100 / self.weight) if self.weight else ZERO


@dataclass(frozen=True)
class Trend:
    previous: Decimal | None
    change: Decimal | None

    @property
    def direction(self) -> str:
        if self.change is None:
            return "new"
        if self.change > 0:
            return "up"
        if self.change < 0:
            return "down"
        return "same"


@dataclass(frozen=True)
class GroupResult:
    dimensions: tuple[DimensionResult, ...]
    total: Decimal
    band_grade: str  # by the total alone
    grade: str  # after the pass/fail caps
    bonus: Decimal
    failed: tuple[str, ...] = ()  # pass/fail indicators failed (codes)
    missing: tuple[str, ...] = ()  # scored indicators without a score (codes)
    trend: Trend = field(default_factory=lambda: Trend(None, None))

    def as_json(self) -> dict:
        """Plain JSON for CycleGroup.result and the reports' data."""
        return {
            "dimensions": [
                {
                    "code": d.code,
                    "name": d.name,
                    "weight": str(d.weight),
                    "score": str(d.score),
                    "percent": str(d.percent),
                }
                for d in self.dimensions
            ],
            "total": str(self.total),
            "band_grade": self.band_grade,
            "grade": self.grade,
            "bonus": str(self.bonus),
            "failed": list(self.failed),
            "missing": list(self.missing),
            "trend": {
                "previous": None if self.trend.previous is None else str(self.trend.previous),
                "change": None if self.trend.change is None else str(self.trend.change),
                "direction": self.trend.direction,
            },
        }


def fraction(score: Decimal | None, scale_max: Decimal) -> Decimal:
    """A score as a share of its scale, clamped to 0 … 1 (no score: 0)."""
    if score is None or scale_max <= 0:
        return ZERO
    return min(ONE, max(ZERO, Decimal(score) / Decimal(scale_max)))


def grade_for(total: Decimal, bands: Sequence[Mapping]) -> str:
    """The first band (highest minimum first) whose `min` the total reaches; the lowest band
    otherwise."""
    ordered = sorted(bands, key=lambda b: Decimal(str(b["min"])), reverse=True)
    for band in ordered:
        if total >= Decimal(str(band["min"])):
            return str(band["grade"])
    return str(ordered[-1]["grade"]) if ordered else GRADES[-1]


def worse(a: str, b: str) -> str:
    """The lower of two grades (unknown grades count as the lowest)."""
    rank = {g: i for i, g in enumerate(GRADES)}
    return a if rank.get(a, len(GRADES)) >= rank.get(b, len(GRADES)) else b


def trend(total: Decimal, previous: Decimal | None) -> Trend:
    if previous is None:
        return Trend(None, None)
    return Trend(points(Decimal(previous)), points(total - Decimal(previous)))


def score_group(
    dimensions: Sequence[DimensionSpec],
    indicators: Iterable[IndicatorSpec],
    scores: Iterable[IndicatorScore],
    *,
    grade_bands: Sequence[Mapping],
    bonus_points: Mapping[str, object],
    previous_total: Decimal | None = None,
) -> GroupResult:
    by_code = {s.code: s for s in scores}
    per_dimension: dict[str, list[IndicatorSpec]] = {d.code: [] for d in dimensions}
    failed: list[str] = []
    missing: list[str] = []
    caps: list[str] = []
    for ind in indicators:
        got = by_code.get(ind.code)
        if ind.kind == "pass_fail":
            if got is None or got.passed is not True:
                failed.append(ind.code)
                caps.append(ind.cap_grade or "qualified")
            continue
        per_dimension.setdefault(ind.dimension, []).append(ind)
        if got is None or got.score is None:
            missing.append(ind.code)

    results = []
    for dim in dimensions:
        inds = per_dimension.get(dim.code, [])
        total_weight = sum((Decimal(i.weight) for i in inds), ZERO)
        if total_weight > 0:
            mean = (
                sum(
                    (
                        Decimal(i.weight)
                        * fraction(
                            by_code[i.code].score if i.code in by_code else None, i.scale_max
                        )
                        for i in inds
                    ),
                    ZERO,
                )
                / total_weight
            )
        else:
            mean = ZERO
        results.append(
            DimensionResult(
                dim.code, dim.name, Decimal(dim.weight), points(Decimal(dim.weight) * mean)
            )
        )

    total = points(sum((r.score for r in results), ZERO))
    band = grade_for(total, grade_bands)
    grade = band
    for cap in caps:
        grade = worse(grade, cap)
    bonus = points(Decimal(str(bonus_points.get(grade, "0"))))
    return GroupResult(
        dimensions=tuple(results),
        total=total,
        band_grade=band,
        grade=grade,
        bonus=bonus,
        failed=tuple(failed),
        missing=tuple(missing),
        trend=trend(total, previous_total),
    )


def derived_score(value: Decimal | None, params: Mapping, scale_max: Decimal) -> Decimal | None:
    """The score a derived indicator's value earns (`Indicator.params`):
    - {"full_at": x, "zero_at": y}: linear between y (0 points) and x (full marks), either
      direction (weak-school share: more is better; cards issued: fewer is better);
    - {"steps": [[threshold, points], …]}: the points of the highest threshold reached.
    No value: no score."""
    if value is None:
        return None
    value = Decimal(value)
    if "steps" in params:
        got = ZERO
        for threshold, pts in sorted(
            ((Decimal(str(t)), Decimal(str(p))) for t, p in params["steps"]), key=lambda s: s[0]
        ):
            if value >= threshold:
                got = pts
        return points(min(got, Decimal(scale_max)))
    full = Decimal(str(params.get("full_at", scale_max)))
    zero = Decimal(str(params.get("zero_at", 0)))
    if full == zero:
        return points(Decimal(scale_max) if value >= full else ZERO)
    share = (value - zero) / (full - zero)
    return points(Decimal(scale_max) * min(ONE, max(ZERO, share)))


def derived_passed(value: Decimal | None, params: Mapping) -> bool | None:
    """A derived pass/fail indicator: {"min": x} passes at x or more, {"max": y} at y or less."""
    if value is None:
        return None
    value = Decimal(value)
    if "min" in params and value < Decimal(str(params["min"])):
        return False
    return not ("max" in params and value > Decimal(str(params["max"])))
