"""The cycle's services (policy A-1 … A-4): every step, its refusals, row locks and versions,
history rows and `now`."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assessments.cycles import services
from assessments.cycles.models import Cycle, CycleGroup, FactualFlag, Score
from assessments.cycles.workflows import FlagAction, FlagStatus
from assessments.frameworks.defaults import build_framework
from assessments.frameworks.models import Indicator
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import StaleVersion
from qingdao_groups.models import Notification
from tests.assessments.cycle_helpers import (
    MOMENT,
    fill_self,
    manual,
    open_cycle,
    pdf,
    score_all,
    walk_to,
)

pytestmark = pytest.mark.django_db


def _entry(cycle, group):
    return CycleGroup.objects.get(cycle=cycle, group=group)


def test_city_cycle_covers_the_active_groups_of_the_whole_city_A1(world):
    cycle = open_cycle(world)
    groups = set(CycleGroup.objects.filter(cycle=cycle).values_list("group_id", flat=True))
    assert {world.group.pk, world.other_group.pk} <= groups
    assert cycle.status == Cycle.Status.OPEN
    assert cycle.history.first().history_date == MOMENT


def test_a_district_cycle_covers_only_the_groups_it_leads_A1(world):
    cycle = open_cycle(world, actor=world.users["district"])
    groups = set(CycleGroup.objects.filter(cycle=cycle).values_list("group_id", flat=True))
    assert groups == {world.group.pk}
    with pytest.raises(RuleRefusal):
        open_cycle(world, actor=world.users["district"], group_ids=[world.other_group.pk])


@pytest.mark.parametrize("role", ["principal", "member", "auditor", "admin"])
def test_only_staff_open_cycles_A1(world, role):
    with pytest.raises(PermissionDenied):
        open_cycle(world, actor=world.users[role])


def test_a_draft_framework_and_unordered_deadlines_are_refused_A1(world):
    with pytest.raises(RuleRefusal, match="已发布"):
        open_cycle(world, framework=build_framework(code="D", publish=False))
    with pytest.raises(RuleRefusal, match="A-1"):
        open_cycle(world, inspection_due=datetime.date(2025, 9, 1))


def test_edit_changes_the_groups_while_open_and_checks_the_version_A1(world):
    cycle = open_cycle(world)
    kwargs = dict(
        name="改名",
        framework=cycle.framework,
        period_start=cycle.period_start,
        period_end=cycle.period_end,
        self_assessment_due=cycle.self_assessment_due,
        inspection_due=cycle.inspection_due,
        factual_check_due=cycle.factual_check_due,
        group_ids=[world.group.pk],
    )
    with pytest.raises(StaleVersion):
        services.cycle_edit(cycle=cycle, actor=world.users["city"], expected_version=9, **kwargs)
    cycle = services.cycle_edit(
        cycle=cycle, actor=world.users["city"], expected_version=cycle.version, **kwargs
    )
    assert cycle.name == "改名" and cycle.version == 2
    assert list(CycleGroup.objects.filter(cycle=cycle).values_list("group_id", flat=True)) == [
        world.group.pk
    ]


def test_start_notifies_the_core_principals_A1(world):
    cycle = walk_to(world, Cycle.Status.SELF_ASSESSMENT)
    assert cycle.status == Cycle.Status.SELF_ASSESSMENT
    assert Notification.objects.filter(user=world.users["principal"]).exists()
    with pytest.raises(RuleRefusal):  # not twice
        services.cycle_start(cycle=cycle, actor=world.users["city"], expected_version=cycle.version)


def test_district_staff_do_not_move_a_city_cycle_A1(world):
    cycle = open_cycle(world)
    with pytest.raises(PermissionDenied):
        services.cycle_start(
            cycle=cycle, actor=world.users["district"], expected_version=cycle.version
        )


def test_self_assessment_needs_every_indicator_and_the_required_evidence_A1(world):
    cycle = walk_to(world, Cycle.Status.SELF_ASSESSMENT)
    principal = world.users["principal"]
    entry = _entry(cycle, world.group)
    with pytest.raises(RuleRefusal, match="尚未自评"):
        services.self_assessment_submit(
            entry=entry, actor=principal, expected_version=entry.version
        )
    items = [
        services.ScoreInput(i, score=Decimal("7"), passed=True, note="说明") for i in manual(cycle)
    ]
    entry = services.self_assessment_save(
        entry=entry, actor=principal, expected_version=entry.version, items=items, now=MOMENT
    )
    with pytest.raises(RuleRefusal, match="佐证材料"):
        services.self_assessment_submit(
            entry=entry, actor=principal, expected_version=entry.version
        )
    entry = fill_self(entry, principal)
    entry = services.self_assessment_submit(
        entry=entry, actor=principal, expected_version=entry.version, now=MOMENT
    )
    assert entry.self_submitted_at == MOMENT and entry.self_submitted_by == principal
    with pytest.raises(RuleRefusal, match="已提交"):
        services.self_assessment_save(
            entry=entry, actor=principal, expected_version=entry.version, items=items
        )
    # the evidence belongs to the score row, a document owner
    ind = next(i for i in manual(cycle) if i.evidence_required)
    assert Score.objects.get(entry=entry, indicator=ind).attachments.count() == 1


def test_self_scores_stay_within_the_scale_and_stale_forms_are_refused_A1(world):
    cycle = walk_to(world, Cycle.Status.SELF_ASSESSMENT)
    entry = _entry(cycle, world.group)
    ind = next(i for i in manual(cycle) if i.kind == Indicator.Kind.SCORED)
    principal = world.users["principal"]
    with pytest.raises(RuleRefusal, match="之间"):
        services.self_assessment_save(
            entry=entry,
            actor=principal,
            expected_version=entry.version,
            items=[services.ScoreInput(ind, score=ind.scale_max + 1)],
        )
    with pytest.raises(StaleVersion):
        services.self_assessment_save(
            entry=entry, actor=principal, expected_version=entry.version + 5, items=[]
        )
    with pytest.raises(PermissionDenied):  # another group's principal, the member principal
        services.self_assessment_save(
            entry=_entry(cycle, world.other_group), actor=principal, expected_version=1, items=[]
        )
    with pytest.raises(PermissionDenied):
        services.self_assessment_save(
            entry=entry, actor=world.users["member"], expected_version=entry.version, items=[]
        )


def test_inspection_derives_the_data_indicators_A3_A4(world):
    cycle = walk_to(world, Cycle.Status.INSPECTION)
    derived = Score.objects.filter(entry__cycle=cycle, indicator__source=Indicator.Source.DERIVED)
    assert derived.exists()
    assert all(s.scored_at == MOMENT for s in derived)
    assert derived.filter(indicator__derived_key="weak_share").exists()


def test_factual_check_needs_every_manual_indicator_scored_A1(world):
    cycle = walk_to(world, Cycle.Status.INSPECTION)
    city = world.users["city"]
    score_all(_entry(cycle, world.group), city)
    with pytest.raises(RuleRefusal, match="未评分"):
        services.cycle_to_factual_check(cycle=cycle, actor=city, expected_version=cycle.version)
    entry = score_all(_entry(cycle, world.other_group), city)
    assert entry.inspected_at is not None
    cycle = services.cycle_to_factual_check(
        cycle=cycle, actor=city, expected_version=cycle.version, now=MOMENT
    )
    assert cycle.status == Cycle.Status.FACTUAL_CHECK


def test_scores_stay_within_the_scale_and_only_the_organiser_scores_A1(world):
    cycle = walk_to(world, Cycle.Status.INSPECTION)
    entry = _entry(cycle, world.group)
    ind = next(i for i in manual(cycle) if i.kind == Indicator.Kind.SCORED)
    with pytest.raises(RuleRefusal):
        services.scores_save(
            entry=entry,
            actor=world.users["city"],
            expected_version=entry.version,
            items=[services.ScoreInput(ind, score=Decimal("-1"))],
        )
    with pytest.raises(PermissionDenied):
        score_all(entry, world.users["district"])
    derived = Indicator.objects.filter(
        dimension__framework=cycle.framework, source=Indicator.Source.DERIVED
    ).first()
    with pytest.raises(RuleRefusal, match="系统数据"):
        services.scores_save(
            entry=entry,
            actor=world.users["city"],
            expected_version=entry.version,
            items=[services.ScoreInput(derived, score=Decimal("1"))],
        )


def test_flags_accepted_correct_the_score_and_rejected_ones_keep_it_A1(world):
    cycle = walk_to(world, Cycle.Status.FACTUAL_CHECK)
    entry = _entry(cycle, world.group)
    principal, city = world.users["principal"], world.users["city"]
    ind = next(i for i in manual(cycle) if i.kind == Indicator.Kind.SCORED)
    flag = services.flag_raise(
        entry=entry, actor=principal, indicator=ind, text="我校已开展统一教研12次", now=MOMENT
    )
    other = services.flag_raise(entry=entry, actor=principal, indicator=None, text="总体有误")
    with pytest.raises(RuleRefusal, match="未处理"):
        services.cycle_publish(cycle=cycle, actor=city, expected_version=cycle.version)
    with pytest.raises(RuleRefusal, match="更正"):
        services.flag_resolve(
            flag=flag, actor=city, action=FlagAction.ACCEPT, reply="", expected_version=1
        )
    flag = services.flag_resolve(
        flag=flag,
        actor=city,
        action=FlagAction.ACCEPT,
        reply="核实无误",
        expected_version=flag.version,
        score=ind.scale_max,
        now=MOMENT,
    )
    assert flag.status == FlagStatus.ACCEPTED
    assert Score.objects.get(entry=entry, indicator=ind).score == ind.scale_max
    with pytest.raises(RuleRefusal, match="处理意见"):
        services.flag_resolve(
            flag=other, actor=city, action=FlagAction.REJECT, reply="", expected_version=1
        )
    with pytest.raises(StaleVersion):
        services.flag_resolve(
            flag=other, actor=city, action=FlagAction.REJECT, reply="不予采纳", expected_version=7
        )
    services.flag_resolve(
        flag=other, actor=city, action=FlagAction.REJECT, reply="数据以系统为准", expected_version=1
    )
    with pytest.raises(PermissionDenied):
        services.flag_raise(entry=entry, actor=world.users["district"], indicator=None, text="x")
    cycle = services.cycle_publish(
        cycle=cycle, actor=city, expected_version=cycle.version, now=MOMENT
    )
    entry.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED and cycle.published_at == MOMENT
    assert entry.total is not None and entry.grade and entry.bonus is not None
    assert FactualFlag.objects.get(pk=other.pk).history.first().history_change_reason


def test_a_flag_on_a_derived_indicator_recomputes_it_A1(world):
    cycle = walk_to(world, Cycle.Status.FACTUAL_CHECK)
    entry = _entry(cycle, world.group)
    ind = Indicator.objects.filter(
        dimension__framework=cycle.framework, source=Indicator.Source.DERIVED
    ).first()
    flag = services.flag_raise(
        entry=entry, actor=world.users["principal"], indicator=ind, text="成员校数有误"
    )
    later = MOMENT + datetime.timedelta(days=3)
    services.flag_resolve(
        flag=flag,
        actor=world.users["city"],
        action=FlagAction.ACCEPT,
        reply="已重新计算",
        expected_version=flag.version,
        now=later,
    )
    assert Score.objects.get(entry=entry, indicator=ind).scored_at == later


def test_reopen_goes_back_one_step_with_a_reason_A1(world):
    cycle = walk_to(world, Cycle.Status.SELF_ASSESSMENT)
    entry = fill_self(_entry(cycle, world.group), world.users["principal"])
    services.self_assessment_submit(
        entry=entry, actor=world.users["principal"], expected_version=entry.version
    )
    city = world.users["city"]
    cycle = services.cycle_to_inspection(cycle=cycle, actor=city, expected_version=cycle.version)
    with pytest.raises(RuleRefusal, match="退回理由"):
        services.cycle_reopen(cycle=cycle, actor=city, expected_version=cycle.version, reason="")
    cycle = services.cycle_reopen(
        cycle=cycle, actor=city, expected_version=cycle.version, reason="请补充材料", now=MOMENT
    )
    assert cycle.status == Cycle.Status.SELF_ASSESSMENT
    assert _entry(cycle, world.group).self_submitted_at is None
    assert cycle.history.filter(history_change_reason="请补充材料", history_date=MOMENT).exists()


def test_published_cycles_do_not_move_again_A1(world):
    cycle = walk_to(world, Cycle.Status.PUBLISHED)
    with pytest.raises(RuleRefusal):
        services.cycle_reopen(
            cycle=cycle, actor=world.users["city"], expected_version=cycle.version, reason="x"
        )


def test_the_step_locks_the_cycle_row(world):
    """Each step locks the cycle FOR UPDATE before it reads the state (A-1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cycle = open_cycle(world)
    with CaptureQueriesContext(connection) as ctx:
        services.cycle_start(cycle=cycle, actor=world.users["city"], expected_version=1)
    assert any("FOR UPDATE" in q["sql"] and "assessments_cycle" in q["sql"] for q in ctx)


def test_evidence_is_refused_outside_the_self_assessment_A1(world):
    cycle = walk_to(world, Cycle.Status.INSPECTION)
    ind = next(i for i in manual(cycle) if i.evidence_required)
    with pytest.raises(RuleRefusal):
        services.evidence_add(
            entry=_entry(cycle, world.group),
            indicator=ind,
            uploaded_file=pdf(),
            actor=world.users["principal"],
        )
