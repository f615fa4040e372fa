"""The pure scoring rules (assessments/scoring.py; policy A-1 … A-4; issue 10)."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from assessments import scoring
from assessments.frameworks.models import default_bonus_points, default_grade_bands

DIMS = [
    scoring.DimensionSpec("Q", "办学质量", D("60")),
    scoring.DimensionSpec("C", "核心校办学质量", D("40"), "A-3"),
]
INDS = [
    scoring.IndicatorSpec("Q1", "Q", "质量", weight=D("2"), scale_max=D("10")),
    scoring.IndicatorSpec("Q2", "Q", "满意度", weight=D("1"), scale_max=D("100")),
    scoring.IndicatorSpec("C1", "C", "不下滑", kind="pass_fail", cap_grade="qualified"),
    scoring.IndicatorSpec("C2", "C", "自身发展", scale_max=D("10")),
]


def result(**scores):
    given_scores = [
        scoring.IndicatorScore(code, passed=v)
        if isinstance(v, bool)
        else scoring.IndicatorScore(code, v)
        for code, v in scores.items()
    ]
    return scoring.score_group(
        DIMS,
        INDS,
        given_scores,
        grade_bands=default_grade_bands(),
        bonus_points=default_bonus_points(),
    )


def test_dimension_score_is_the_weighted_mean_of_the_fractions_times_its_weight():
    # Q: (2 × 9/10 + 1 × 60/100) / 3 = 0.8 → 48 of 60; C: 10/10 → 40 of 40.
    r = result(Q1=D("9"), Q2=D("60"), C1=True, C2=D("10"))
    assert [d.score for d in r.dimensions] == [D("48.00"), D("40.00")]
    assert r.total == D("88.00")
    assert r.grade == "good" and r.bonus == D("2.00")
    assert r.dimensions[0].percent == D("80.00")


def test_a_failed_core_quality_indicator_caps_the_grade_A3():
    full = result(Q1=D("10"), Q2=D("100"), C1=True, C2=D("10"))
    assert full.total == D("100.00") and full.grade == "excellent"
    capped = result(Q1=D("10"), Q2=D("100"), C1=False, C2=D("10"))
    assert capped.total == D("100.00")  # the total does not change …
    assert capped.band_grade == "excellent"
    assert capped.grade == "qualified"  # … the grade is capped (造血 before 输血)
    assert capped.failed == ("C1",)
    assert capped.bonus == D("1.00")  # the core school's bonus item follows the grade


def test_a_pass_fail_indicator_without_a_verdict_counts_as_failed_and_missing_scores_as_zero():
    r = result(Q1=D("10"))
    assert r.failed == ("C1",)
    assert set(r.missing) == {"Q2", "C2"}
    assert r.total == D("40.00")  # Q: 2/3 of 60
    assert r.grade == "unqualified" and r.bonus == D("0.00")


def test_scores_outside_the_scale_are_clamped():
    r = result(Q1=D("15"), Q2=D("-5"), C1=True, C2=D("10"))
    assert r.dimensions[0].score == D("40.00")


def test_trend_against_the_previous_published_total():
    r = scoring.score_group(
        DIMS,
        INDS,
        [scoring.IndicatorScore("Q1", D("10")), scoring.IndicatorScore("C1", passed=True)],
        grade_bands=default_grade_bands(),
        bonus_points=default_bonus_points(),
        previous_total=D("45.5"),
    )
    assert r.total == D("40.00")
    assert r.trend.change == D("-5.50") and r.trend.direction == "down"
    assert scoring.trend(D("50"), None).direction == "new"


def test_grade_bands_choose_the_highest_band_reached():
    bands = default_grade_bands()
    assert scoring.grade_for(D("90"), bands) == "excellent"
    assert scoring.grade_for(D("89.99"), bands) == "good"
    assert scoring.grade_for(D("60"), bands) == "qualified"
    assert scoring.grade_for(D("59.99"), bands) == "unqualified"


def test_derived_scores_map_values_either_way_and_by_steps():
    # more is better: the weak-school share
    assert scoring.derived_score(D("15"), {"full_at": 30, "zero_at": 0}, D("10")) == D("5.00")
    assert scoring.derived_score(D("45"), {"full_at": 30, "zero_at": 0}, D("10")) == D("10.00")
    # fewer is better: cards issued
    assert scoring.derived_score(D("1"), {"full_at": 0, "zero_at": 2}, D("10")) == D("5.00")
    assert scoring.derived_score(D("3"), {"full_at": 0, "zero_at": 2}, D("10")) == D("0.00")
    steps = {"steps": [[1, 4], [2, 6], [4, 10]]}
    assert [scoring.derived_score(D(v), steps, D("10")) for v in (0, 1, 3, 9)] == [
        D("0.00"),
        D("4.00"),
        D("6.00"),
        D("10.00"),
    ]
    assert scoring.derived_score(None, steps, D("10")) is None
    assert scoring.derived_passed(D("1"), {"min": 1}) is True
    assert scoring.derived_passed(D("0"), {"min": 1}) is False
    assert scoring.derived_passed(D("3"), {"max": 2}) is False


score_values = st.one_of(
    st.none(), st.decimals(min_value=-20, max_value=200, places=2, allow_nan=False)
)


@given(q1=score_values, q2=score_values, c2=score_values, c1=st.sampled_from([True, False, None]))
def test_total_is_the_sum_of_dimensions_and_stays_within_0_and_100(q1, q2, c1, c2):
    scores = [
        scoring.IndicatorScore("Q1", q1),
        scoring.IndicatorScore("Q2", q2),
        scoring.IndicatorScore("C1", passed=c1),
        scoring.IndicatorScore("C2", c2),
    ]
    r = scoring.score_group(
        DIMS, INDS, scores, grade_bands=default_grade_bands(), bonus_points=default_bonus_points()
    )
    assert D("0") <= r.total <= D("100")
    assert abs(r.total - sum(d.score for d in r.dimensions)) <= D("0.01")
    for d in r.dimensions:
        assert D("0") <= d.score <= d.weight
    # the capped grade is never better than the band of the total
    assert scoring.worse(r.grade, r.band_grade) == r.grade
    if c1 is not True:
        assert r.grade in ("qualified", "unqualified")
