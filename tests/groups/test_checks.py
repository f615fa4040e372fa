"""The policy checks (groups/checks.py), one clause at a time.

Pure checks are fed a hand-built Context of unsaved rows (no database); the checks that query
(G-1 other groups, L-4 recent admissions, the loaded context) run on the `world` fixture."""

import datetime
from decimal import Decimal

import pytest

from groups.applications import checks
from groups.applications.checks import HARD, WARNING, Context
from groups.applications.models import Application, CheckResult, ProposedMember
from groups.registry.models import Membership, PolicyParameters
from members.models import School
from qingdao_groups.models import Attachment
from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory

TODAY = datetime.date(2025, 3, 1)
PRIMARY, JUNIOR = School.Stage.PRIMARY, School.Stage.JUNIOR
PUBLIC, PRIVATE = School.Nature.PUBLIC, School.Nature.PRIVATE


# --- pure context helpers --------------------------------------------------------------------

_next_pk = iter(range(1000, 100000))


def school(stage=PRIMARY, nature=PUBLIC, *, weak=False, name=None, principal="王校长"):
    pk = next(_next_pk)
    return School(
        pk=pk,
        name=name or f"学校{pk}",
        stage=stage,
        nature=nature,
        is_weak=weak,
        principal_name=principal,
    )


def proposed(member_school, relation_type="T-2", relation_subtype="T-2a", **kw):
    return ProposedMember(
        school=member_school, relation_type=relation_type, relation_subtype=relation_subtype, **kw
    )


def member(member_school, pk=None):
    return Membership(
        pk=pk or next(_next_pk),
        school=member_school,
        role="member",
        relation_type="T-2",
        relation_subtype="T-2a",
        joined_on=datetime.date(2020, 9, 1),
    )


def ctx(
    kind="founding",
    core=None,
    members=(),
    current=(),
    min_share="0.200",
    attachments=("plan", "agreement", "charter"),
    **app_fields,
):
    application = Application(kind=kind, **app_fields)
    return Context(
        application=application,
        core=core or school(),
        proposed=list(members),
        current_members=list(current),
        attachment_kinds=set(attachments),
        params=PolicyParameters(min_weak_share=Decimal(min_share), max_admissions_per_year=3),
        today=TODAY,
    )


def clauses(outcomes):
    return [(o.clause, o.severity, o.passed) for o in outcomes]


# --- T-1 fusion: same type, stage and nature, in principle ------------------------------------


def test_t1_fusion_with_a_different_stage_warns():
    core = school(PRIMARY, name="核心小学")
    other = school(JUNIOR, name="某初中")
    out = checks.check_fusion_same_kind(ctx(core=core, members=[proposed(other, "T-1", "T-1a")]))
    assert clauses(out) == [("T-1", WARNING, False)]
    assert "某初中" in out[0].message and "初中" in out[0].message and "小学" in out[0].message


def test_t1_fusion_with_a_different_nature_warns():
    core = school(PRIMARY, PUBLIC)
    out = checks.check_fusion_same_kind(
        ctx(core=core, members=[proposed(school(PRIMARY, PRIVATE), "T-1", "T-1b")])
    )
    assert clauses(out) == [("T-1", WARNING, False)]
    assert "民办" in out[0].message


def test_t1_fusion_of_the_same_stage_and_nature_passes():
    core = school(PRIMARY, PUBLIC)
    out = checks.check_fusion_same_kind(
        ctx(core=core, members=[proposed(school(PRIMARY, PUBLIC), "T-1", "T-1a")])
    )
    assert out == []


def test_t1_check_ignores_other_relation_types():
    core = school(PRIMARY)
    out = checks.check_fusion_same_kind(
        ctx(
            core=core,
            members=[
                proposed(school(JUNIOR), "T-2", "T-2a"),
                proposed(school(JUNIOR, PRIVATE), "T-3", "T-3a", projects="x"),
            ],
        )
    )
    assert out == []


# --- T-2 aggregation: different types or stages, in principle --------------------------------


def test_t2_aggregation_of_the_same_stage_warns():
    core = school(PRIMARY)
    out = checks.check_aggregation_differs(
        ctx(core=core, members=[proposed(school(PRIMARY, name="同学段小学"), "T-2", "T-2a")])
    )
    assert clauses(out) == [("T-2", WARNING, False)]
    assert "同学段小学" in out[0].message


def test_t2_aggregation_across_stages_passes():
    out = checks.check_aggregation_differs(
        ctx(core=school(PRIMARY), members=[proposed(school(JUNIOR), "T-2", "T-2a")])
    )
    assert out == []


def test_each_offending_member_gets_its_own_warning():
    core = school(PRIMARY)
    out = checks.check_aggregation_differs(
        ctx(
            core=core,
            members=[
                proposed(school(PRIMARY), "T-2", "T-2a"),
                proposed(school(JUNIOR), "T-2", "T-2a"),
                proposed(school(PRIMARY), "T-2", "T-2c"),
            ],
        )
    )
    assert clauses(out) == [("T-2", WARNING, False)] * 2


# --- T-2a through-training only as an approved pilot (hard) ----------------------------------


@pytest.mark.parametrize("pilot", ["", "   "])
def test_t2a_through_training_without_pilot_approval_is_hard(pilot):
    out = checks.check_through_training_pilot(
        ctx(
            members=[
                proposed(
                    school(JUNIOR, name="贯通初中"),
                    "T-2",
                    "T-2a",
                    through_training=True,
                    pilot_approval=pilot,
                )
            ]
        )
    )
    assert clauses(out) == [("T-2a", HARD, False)]
    assert "贯通初中" in out[0].message
    assert checks.hard_failures(out) == out


def test_t2a_through_training_with_pilot_approval_passes():
    out = checks.check_through_training_pilot(
        ctx(
            members=[
                proposed(
                    school(JUNIOR),
                    "T-2",
                    "T-2a",
                    through_training=True,
                    pilot_approval="青教发〔2024〕12号",
                )
            ]
        )
    )
    assert out == []


# --- T-3 alliances name a project (hard) -----------------------------------------------------


@pytest.mark.parametrize("projects", ["", " \n "])
def test_t3_alliance_without_project_is_hard(projects):
    out = checks.check_alliance_has_project(
        ctx(members=[proposed(school(name="联盟学校"), "T-3", "T-3a", projects=projects)])
    )
    assert clauses(out) == [("T-3", HARD, False)]
    assert "联盟学校" in out[0].message


def test_t3_alliance_with_a_project_passes():
    out = checks.check_alliance_has_project(
        ctx(members=[proposed(school(), "T-3", "T-3b", projects="科技社团\n教师培训")])
    )
    assert out == []


# --- G-3 chief principal, G-6 public lead -----------------------------------------------------


@pytest.mark.parametrize("chief", ["", "王校长", "  王校长 "])
def test_g3_default_chief_principal_passes(chief):
    out = checks.check_chief_principal(
        ctx(core=school(principal="王校长"), chief_principal_name=chief)
    )
    assert clauses(out) == [("G-3", WARNING, True)]


def test_g3_non_default_chief_without_reason_is_refused():
    # G-3: a different chief principal needs a reason; without one the application cannot go on
    out = checks.check_chief_principal(
        ctx(core=school(principal="王校长"), chief_principal_name="李专家")
    )
    assert clauses(out) == [("G-3", HARD, False)]
    assert "李专家" in out[0].message and "王校长" in out[0].message
    assert "未说明理由" in out[0].message


def test_g3_non_default_chief_with_reason_still_warns_and_shows_the_reason():
    # "in principle": a reason does not make it pass; the approver still justifies the choice
    out = checks.check_chief_principal(
        ctx(
            core=school(principal="王校长"),
            chief_principal_name="李专家",
            chief_principal_reason="王校长即将退休",
        )
    )
    assert clauses(out) == [("G-3", WARNING, False)]
    assert "王校长即将退休" in out[0].message


def test_g3_is_only_checked_on_a_founding():
    out = checks.check_chief_principal(ctx(kind="admission", chief_principal_name="李专家"))
    assert out == []


def test_g6_private_core_warns():
    out = checks.check_public_core(ctx(core=school(nature=PRIVATE, name="某民办学校")))
    assert clauses(out) == [("G-6", WARNING, False)]
    assert "某民办学校" in out[0].message
    assert checks.warnings(out) == out


def test_g6_public_core_passes():
    assert checks.check_public_core(ctx(core=school(nature=PUBLIC))) == []


# --- A-4 weak-school share ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weak", "total", "min_share", "passed", "shown"),
    [
        (1, 4, "0.250", True, "1/4（25.0%），最低要求 25.0%"),  # exactly the minimum passes
        (1, 5, "0.250", False, "1/5（20.0%），最低要求 25.0%"),
        (1, 3, "0.333", True, "1/3（33.3%），最低要求 33.3%"),  # 0.3333… ≥ 0.333
        (1, 3, "0.334", False, "1/3（33.3%），最低要求 33.4%"),  # shown equal, still below
        (2, 3, "0.200", True, "2/3（66.7%）"),
        (1, 16, "0.050", True, "1/16（6.3%）"),  # 6.25 rounds half up, not to even
        (0, 2, "0.000", True, "0/2（0.0%），最低要求 0.0%"),
        (0, 2, "0.200", False, "0/2（0.0%），最低要求 20.0%"),
    ],
)
def test_a4_weak_share_is_exact(weak, total, min_share, passed, shown):
    members = [proposed(school(weak=i < weak)) for i in range(total)]
    context = ctx(members=members, min_share=min_share)
    assert checks.weak_share(context) == (weak, total)
    out = checks.check_weak_share(context)
    assert clauses(out) == [("A-4", WARNING, passed)]
    assert shown in out[0].message
    assert (checks.warnings(out) == []) is passed


def test_a4_counts_current_and_proposed_members_once_each():
    weak_member = school(weak=True)
    current = [member(weak_member), member(school()), member(school())]
    # proposing a school that is already counted does not count it twice
    context = ctx(
        kind="admission",
        current=current,
        members=[proposed(weak_member), proposed(school(weak=True))],
    )
    assert checks.weak_share(context) == (2, 4)


def test_a4_exit_counts_the_group_without_the_leaver():
    weak_leaver = school(weak=True)
    leaving = member(weak_leaver)
    current = [leaving, member(school()), member(school())]
    context = ctx(kind="exit", current=current, membership=leaving, min_share="0.200")
    assert checks.weak_share(context) == (0, 2)
    out = checks.check_weak_share(context)
    assert clauses(out) == [("A-4", WARNING, False)]
    assert "0/2（0.0%）" in out[0].message


def test_a4_minimum_comes_from_policy_parameters(world):
    params = PolicyParameters.current()
    params.min_weak_share = Decimal("0.500")
    params.save()
    app = _app(world, "admission", group=world.group)
    ProposedMember.objects.create(
        application=app, school=SchoolFactory(), relation_type="T-2", relation_subtype="T-2a"
    )
    # world.group: one current (non-weak) member + one (non-weak) candidate = 0/2
    out = checks.check_weak_share(checks.load_context(app, TODAY))
    assert clauses(out) == [("A-4", WARNING, False)]
    assert "0/2（0.0%），最低要求 50.0%" in out[0].message


# --- database-backed checks ----------------------------------------------------------------------


def _app(world, kind, *, group=None, membership=None, applicant=None, **fields):
    applicant = applicant or (membership.school if membership else world.core)
    return Application.objects.create(
        kind=kind,
        applicant_school=applicant,
        group=group,
        membership=membership,
        deciding_authority=world.shinan,
        created_by=world.users["principal"],
        **fields,
    )


def _attach(app, world, *kinds):
    for kind in kinds:
        Attachment.objects.create(
            owner=app,
            kind=kind,
            file=f"attachments/{kind}.pdf",
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=world.users["principal"],
        )


def _propose(app, school_, relation_type="T-2", relation_subtype="T-2a", **kw):
    return ProposedMember.objects.create(
        application=app,
        school=school_,
        relation_type=relation_type,
        relation_subtype=relation_subtype,
        **kw,
    )


def test_g1_school_active_in_another_group_is_hard(world):
    app = _app(world, "admission", group=world.group)
    _propose(app, world.other_school)
    out = checks.check_members_not_in_other_groups(checks.load_context(app, TODAY))
    assert clauses(out) == [("G-1", HARD, False)]
    assert "崂山其他成员学校" in out[0].message and "崂山其他教育集团" in out[0].message


def test_g1_core_school_of_another_group_is_hard(world):
    app = _app(world, "admission", group=world.group)
    _propose(app, world.other_core)
    assert checks.hard_failures(checks.run_checks(app, TODAY))[0].clause == "G-1"


def test_g1_founding_core_active_in_a_group_is_hard(world):
    app = _app(world, "founding", applicant=world.member_school, proposed_name="新集团")
    _propose(app, SchoolFactory(stage=JUNIOR))
    out = checks.check_members_not_in_other_groups(checks.load_context(app, TODAY))
    assert clauses(out) == [("G-1", HARD, False)]
    assert "市北测试成员学校" in out[0].message


def test_g1_school_that_has_left_its_group_passes(world):
    leaver = SchoolFactory()
    MembershipFactory(
        group=world.other_group, school=leaver, left_on=datetime.date(2024, 7, 1), end_reason="exit"
    )
    app = _app(world, "admission", group=world.group)
    _propose(app, leaver)
    out = checks.check_members_not_in_other_groups(checks.load_context(app, TODAY))
    assert clauses(out) == [("G-1", HARD, True)]


def test_g1_core_as_its_own_member_is_hard(world):
    app = _app(world, "admission", group=world.group)
    _propose(app, world.core)  # the service refuses this; the check stands behind it
    out = checks.check_core_not_member(checks.load_context(app, TODAY))
    assert clauses(out) == [("G-1", HARD, False)]
    assert "核心校不能同时作为本集团的成员校" in out[0].message


def test_g1_founding_core_as_its_own_member_is_hard(world):
    core = SchoolFactory()
    app = _app(world, "founding", applicant=core, proposed_name="新集团")
    _propose(app, core)
    assert clauses(checks.check_core_not_member(checks.load_context(app, TODAY))) == [
        ("G-1", HARD, False)
    ]


def test_founding_missing_documents_are_hard_and_named(world):
    app = _app(world, "founding", applicant=SchoolFactory(), proposed_name="新集团")
    _attach(app, world, "plan", "other")
    out = checks.check_required_documents(checks.load_context(app, TODAY))
    assert clauses(out) == [("L-1", HARD, False)]
    assert "合作办学协议" in out[0].message and "集团章程" in out[0].message
    assert "集团化办学方案" not in out[0].message


def test_founding_with_all_three_documents_passes(world):
    app = _app(world, "founding", applicant=SchoolFactory(), proposed_name="新集团")
    _attach(app, world, "plan", "agreement", "charter")
    assert clauses(checks.check_required_documents(checks.load_context(app, TODAY))) == [
        ("L-1", HARD, True)
    ]


def test_admission_without_agreement_is_hard(world):
    app = _app(world, "admission", group=world.group)
    _attach(app, world, "plan")
    out = checks.check_required_documents(checks.load_context(app, TODAY))
    assert clauses(out) == [("L-3", HARD, False)]
    assert "合作办学协议" in out[0].message


def test_exit_needs_no_document(world):
    app = _app(world, "exit", group=world.group, membership=world.membership)
    assert checks.check_required_documents(checks.load_context(app, TODAY)) == []


def test_founding_without_members_and_admission_with_two_are_hard(world):
    founding = _app(world, "founding", applicant=SchoolFactory(), proposed_name="空集团")
    assert clauses(checks.check_has_members(checks.load_context(founding, TODAY))) == [
        ("L-1", HARD, False)
    ]
    admission = _app(world, "admission", group=world.group)
    _propose(admission, SchoolFactory())
    _propose(admission, SchoolFactory())
    assert clauses(checks.check_has_members(checks.load_context(admission, TODAY))) == [
        ("L-3", HARD, False)
    ]


def test_exit_of_an_ended_membership_is_hard(world):
    ended = MembershipFactory(
        group=world.group,
        school=SchoolFactory(),
        left_on=datetime.date(2024, 1, 1),
        end_reason="exit",
    )
    app = _app(world, "exit", group=world.group, membership=ended)
    assert clauses(checks.check_exit_membership_open(checks.load_context(app, TODAY))) == [
        ("L-5", HARD, False)
    ]
    early = _app(
        world,
        "exit",
        group=world.group,
        membership=world.membership,
        start_on=datetime.date(2020, 1, 1),
    )  # before it joined (2020-09-01)
    assert clauses(checks.check_exit_membership_open(checks.load_context(early, TODAY))) == [
        ("L-5", HARD, False)
    ]


# --- L-4 steady growth -----------------------------------------------------------------------


def _recent_members(group, joined_days_ago):
    for days in joined_days_ago:
        MembershipFactory(
            group=group, school=SchoolFactory(), joined_on=TODAY - datetime.timedelta(days=days)
        )


@pytest.mark.parametrize(
    ("recent", "limit", "passed"), [(1, 2, True), (2, 2, False), (0, 1, True), (1, 1, False)]
)
def test_l4_more_admissions_in_twelve_months_than_the_limit_warns(world, recent, limit, passed):
    params = PolicyParameters.current()
    params.max_admissions_per_year = limit
    params.save()
    group = EducationGroupFactory(founded_on=datetime.date(2019, 9, 1))
    _recent_members(group, [30 * (i + 1) for i in range(recent)])
    _recent_members(group, [400, 800])  # older than 12 months: not counted
    app = _app(world, "admission", group=group, applicant=group.core_school)
    _propose(app, SchoolFactory())
    out = checks.check_steady_growth(checks.load_context(app, TODAY))
    assert clauses(out) == [("L-4", WARNING, passed)]
    assert (
        f"近12个月已吸纳 {recent} 所，加上本次共 {recent + 1} 所；上限 {limit} 所" in out[0].message
    )


def test_l4_counts_a_recent_admission_that_has_since_left(world):
    group = world.group
    MembershipFactory(
        group=group,
        school=SchoolFactory(),
        joined_on=TODAY - datetime.timedelta(days=100),
        left_on=TODAY - datetime.timedelta(days=10),
        end_reason="exit",
    )
    app = _app(world, "admission", group=group)
    _propose(app, SchoolFactory())
    out = checks.check_steady_growth(checks.load_context(app, TODAY))
    assert "近12个月已吸纳 1 所" in out[0].message


def test_l4_only_for_admissions(world):
    app = _app(world, "exit", group=world.group, membership=world.membership)
    assert checks.check_steady_growth(checks.load_context(app, TODAY)) == []


# --- all checks together, and their record -------------------------------------------------------


def test_a_clean_founding_has_no_hard_failure_and_no_warning(world):
    core = SchoolFactory(stage=PRIMARY, principal_name="赵校长")
    app = _app(world, "founding", applicant=core, proposed_name="干净集团", specialty="科创")
    _propose(app, SchoolFactory(stage=JUNIOR, is_weak=True, weak_rated_year=2020))
    _propose(app, SchoolFactory(stage=JUNIOR), "T-3", "T-3a", projects="科技社团")
    _attach(app, world, "plan", "agreement", "charter")
    outcomes = checks.run_checks(app, TODAY)
    assert checks.hard_failures(outcomes) == []
    assert checks.warnings(outcomes) == []
    assert {o.clause for o in outcomes} >= {"G-1", "L-1", "G-3", "A-4"}


def test_run_checks_collects_every_clause_that_fails(world):
    core = SchoolFactory(stage=PRIMARY, nature=PRIVATE, principal_name="赵校长")
    app = _app(
        world, "founding", applicant=core, proposed_name="问题集团", chief_principal_name="钱某"
    )
    _propose(app, SchoolFactory(stage=JUNIOR), "T-1", "T-1a")
    _propose(app, SchoolFactory(stage=PRIMARY), "T-2", "T-2a", through_training=True)
    _propose(app, SchoolFactory(stage=JUNIOR), "T-3", "T-3a")
    _propose(app, world.other_school, "T-2", "T-2b")  # a primary school, busy elsewhere
    outcomes = checks.run_checks(app, TODAY)
    assert sorted(o.clause for o in checks.hard_failures(outcomes)) == [
        "G-1",
        "G-3",
        "L-1",
        "T-2a",
        "T-2b",  # two primary schools are not a general and a vocational senior high school
        "T-3",
    ]
    assert sorted(o.clause for o in checks.warnings(outcomes)) == [
        "A-4",
        "G-6",
        "T-1",
        "T-2",
        "T-2",
    ]


def test_record_checks_replaces_only_the_same_stage(world):
    app = _app(world, "exit", group=world.group, membership=world.membership)
    first = [checks.Outcome("A-4", WARNING, False, "一")]
    checks.record_checks(app, CheckResult.Stage.SUBMISSION, first)
    checks.record_checks(app, CheckResult.Stage.DECISION, first)
    checks.record_checks(
        app,
        CheckResult.Stage.SUBMISSION,
        [checks.Outcome("L-5", HARD, True, "二"), checks.Outcome("G-6", WARNING, False, "三")],
    )
    rows = {(r.stage, r.clause, r.message) for r in app.check_results.all()}
    assert rows == {
        ("decision", "A-4", "一"),
        ("submission", "L-5", "二"),
        ("submission", "G-6", "三"),
    }


def test_load_context_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    app = _app(world, "admission", group=world.group)
    _propose(app, SchoolFactory())
    for _i in range(12):
        MembershipFactory(group=world.group, school=SchoolFactory())
    _attach(app, world, "agreement")
    PolicyParameters.current()
    app = Application.objects.select_related("group__core_school", "applicant_school").get(
        pk=app.pk
    )
    with django_assert_max_num_queries(8):
        checks.run_checks(app, TODAY)
