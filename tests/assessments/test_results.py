"""From the system's data and stored scores to results (assessments/cycles/results.py;
policy A-1 … A-4; issue 10)."""

import datetime
from decimal import Decimal as D

import pytest

from assessments.cycles import results
from assessments.cycles.models import Cycle, CycleGroup, Score
from assessments.frameworks import derived
from assessments.frameworks.defaults import TREE
from assessments.frameworks.models import Indicator
from members.models import School
from tests.assessments.builders import make_cycle, score_manual
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_the_default_framework_adds_up_to_100_and_names_known_metrics():
    assert sum(D(weight) for _c, _n, weight, _cl, _i in TREE) == D("100")
    keys = {i[6] for *_x, inds in TREE for i in inds if i[3] == Indicator.Source.DERIVED}
    assert keys <= set(derived.METRICS)
    clauses = {clause for _c, _n, _w, clause, _i in TREE}
    assert {"A-1", "A-3", "A-4"} <= clauses


def test_weak_share_counts_members_in_force_at_the_end_of_the_period_A4(world):
    weak = SchoolFactory(authority=world.shinan, is_weak=True, weak_rated_year=2023)
    MembershipFactory(group=world.group, school=weak, joined_on=datetime.date(2024, 1, 1))
    late = SchoolFactory(authority=world.shinan, is_weak=True, weak_rated_year=2023)
    MembershipFactory(group=world.group, school=late, joined_on=datetime.date(2025, 9, 1))
    start, end = datetime.date(2024, 9, 1), datetime.date(2025, 8, 31)
    values = derived.weak_share([world.group.pk, world.other_group.pk], start, end)
    # counted another way: the members in force on `end`, one by one
    members = [
        m for m in world.group.memberships.all() if m.role == "member" and m.is_active_on(end)
    ]
    expected = D(sum(m.school.is_weak for m in members) * 100) / len(members)
    assert values[world.group.pk][0] == expected.quantize(D("0.01")) == D("50.00")
    assert values[world.group.pk][1] == {"on": "2025-08-31", "members": 2, "weak": 1}
    assert values[world.other_group.pk][0] == D("0")


def test_derive_then_score_gives_each_group_a_result_with_bonus_and_trend_A1_A2(world):
    cycle = make_cycle(world, status=Cycle.Status.INSPECTION)
    written = results.derive_scores(cycle)
    derived_count = Indicator.objects.filter(
        dimension__framework=cycle.framework, source=Indicator.Source.DERIVED
    ).count()
    assert written == 2 * derived_count
    assert results.derive_scores(cycle) == 2 * derived_count  # recomputed, not duplicated
    assert Score.objects.filter(entry__cycle=cycle).count() == 2 * derived_count
    score_manual(cycle, world.group, D("8"))
    stored = results.store_results(cycle)
    entry = CycleGroup.objects.get(cycle=cycle, group=world.group)
    assert entry.total == stored[entry.pk].total
    assert entry.result["total"] == str(entry.total)
    assert entry.grade in ("excellent", "good", "qualified", "unqualified")
    assert entry.bonus == D(cycle.framework.bonus_points[entry.grade])
    # one member, not weak: W1 scores 0; no charter: Q1 fails and caps the grade at 良好
    assert "Q1" in entry.result["failed"]
    assert entry.result["trend"]["direction"] == "new"
    # the other group has no manual scores: only derived points
    other = CycleGroup.objects.get(cycle=cycle, group=world.other_group)
    assert other.total < entry.total


def test_trend_reads_the_latest_earlier_published_cycle(world):
    first = make_cycle(world, status=Cycle.Status.INSPECTION, groups=[world.group])
    results.derive_scores(first)
    score_manual(first, world.group, D("5"))
    results.store_results(first)
    Cycle.objects.filter(pk=first.pk).update(status=Cycle.Status.PUBLISHED)
    second = make_cycle(
        world,
        status=Cycle.Status.INSPECTION,
        groups=[world.group],
        framework=first.framework,
        period_start=datetime.date(2025, 9, 1),
        period_end=datetime.date(2026, 8, 31),
    )
    results.derive_scores(second)
    score_manual(second, world.group, D("9"))
    got = results.compute_results(second)
    r = next(iter(got.values()))
    before = CycleGroup.objects.get(cycle=first).total
    assert r.trend.previous == before
    assert r.trend.change == r.total - before > 0


def test_compute_results_reads_a_constant_number_of_queries(world, django_assert_max_num_queries):
    cycle = make_cycle(world, status=Cycle.Status.INSPECTION)
    results.derive_scores(cycle)
    with django_assert_max_num_queries(6):
        results.compute_results(cycle)
    for _ in range(5):
        core = SchoolFactory(authority=world.shinan)
        from tests.factories import EducationGroupFactory

        CycleGroup.objects.create(cycle=cycle, group=EducationGroupFactory(core_school=core))
    results.derive_scores(cycle)
    with django_assert_max_num_queries(6):
        results.compute_results(cycle)
    assert School.objects.count() > 5
