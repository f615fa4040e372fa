"""Subtypes checked against stages and kinds (policy T-2a, T-2b, T-2c, T-3a, T-3b; issue 8), like
T-1 is: each subtype is what the policy describes, or the check says what does fit. The subtype
select offers only the chosen type's subtypes (static/js/subtype-select.js) and without scripts
the form refuses a mismatch with a message that lists them."""

import datetime

import pytest
from django.urls import reverse

from groups.applications import checks
from groups.applications.checks import HARD, subtype_problem
from groups.applications.forms import ProposedMemberForm
from groups.applications.models import Application, ProposedMember, ProposedPartner
from groups.registry.forms import MembershipAddForm
from groups.registry.models import Partnership
from members.models import Partner, School
from tests.factories import SchoolFactory
from tests.groups import workflow_helpers as h

TODAY = datetime.date(2025, 3, 1)
St = School.Stage


def _school(stage, name=None):
    return School(name=name or f"{stage}学校", stage=stage, nature=School.Nature.PUBLIC)


@pytest.mark.parametrize(
    ("subtype", "core", "member", "projects", "university", "problem"),
    [
        # T-2a: cross-stage basic education (primary, junior, senior; one-through schools too)
        ("T-2a", St.PRIMARY, St.JUNIOR, "", False, None),
        ("T-2a", St.TWELVE_YEAR, St.PRIMARY, "", False, None),
        ("T-2a", St.SENIOR, St.VOCATIONAL, "", False, "T-2a"),  # that is T-2b
        ("T-2a", St.VOCATIONAL, St.JUNIOR, "", False, "T-2a"),
        ("T-2a", St.PRIMARY, St.SPECIAL, "", False, "T-2a"),
        # T-2b: a general and a vocational senior high school
        ("T-2b", St.SENIOR, St.VOCATIONAL, "", False, None),
        ("T-2b", St.VOCATIONAL, St.TWELVE_YEAR, "", False, None),
        ("T-2b", St.PRIMARY, St.JUNIOR, "", False, "T-2b"),
        ("T-2b", St.SENIOR, St.SENIOR, "", False, "T-2b"),
        ("T-2b", St.VOCATIONAL, St.VOCATIONAL, "", False, "T-2b"),
        # T-2c: a university takes part
        ("T-2c", St.PRIMARY, St.JUNIOR, "", True, None),
        ("T-2c", St.PRIMARY, St.JUNIOR, "", False, "T-2c"),
        # T-3a one project, T-3b several (none at all is T-3's own check)
        ("T-3a", St.PRIMARY, St.JUNIOR, "科技社团", False, None),
        ("T-3a", St.PRIMARY, St.JUNIOR, "科技社团\n教师培训", False, "T-3a"),
        ("T-3b", St.PRIMARY, St.JUNIOR, "科技社团\n\n教师培训\n", False, None),
        ("T-3b", St.PRIMARY, St.JUNIOR, "科技社团", False, "T-3b"),
        ("T-3b", St.PRIMARY, St.JUNIOR, "", False, None),
        # T-1: a 原则上 rule, its own warning (test_checks.py)
        ("T-1a", St.PRIMARY, St.JUNIOR, "", False, None),
    ],
)
def test_subtype_against_stages_and_kinds(subtype, core, member, projects, university, problem):
    found = subtype_problem(
        subtype,
        _school(core, "核心校"),
        _school(member, "成员校"),
        projects=projects,
        has_university=university,
    )
    assert (found[0] if found else None) == problem
    if found:
        assert "成员校" in str(found[1]) or subtype == "T-2c" or subtype.startswith("T-3")


def _founding(world, core_stage, *members, partners=()):
    core = SchoolFactory(stage=core_stage, authority=world.shinan, principal_name="赵校长")
    app = Application.objects.create(
        kind="founding",
        applicant_school=core,
        deciding_authority=world.shinan,
        created_by=world.users["principal"],
        proposed_name="子类型测试集团",
        specialty="科创",
    )
    for stage, subtype, projects in members:
        ProposedMember.objects.create(
            application=app,
            school=SchoolFactory(stage=stage, authority=world.shinan),
            relation_type=subtype[:3],
            relation_subtype=subtype,
            projects=projects,
        )
    for kind in partners:
        ProposedPartner.objects.create(
            application=app,
            partner=Partner.objects.create(name=f"{kind}单位", kind=kind),
            projects="x",
        )
    return app


def _subtype_failures(app):
    return sorted(
        o.clause
        for o in checks.hard_failures(checks.run_checks(app, TODAY))
        if o.clause.startswith("T-")
    )


def test_a_founding_is_checked_for_every_subtype(world):
    app = _founding(
        world,
        St.SENIOR,
        (St.VOCATIONAL, "T-2b", ""),  # fits
        (St.JUNIOR, "T-2b", ""),  # does not
        (St.JUNIOR, "T-2c", ""),  # no university yet
        (St.JUNIOR, "T-3a", "甲\n乙"),  # two projects
    )
    assert _subtype_failures(app) == ["T-2b", "T-2c", "T-3a"]
    ProposedPartner.objects.create(
        application=app,
        partner=Partner.objects.create(name="青岛测试大学", kind=Partner.Kind.HIGHER_EDUCATION),
        projects="教师培训",
    )
    assert _subtype_failures(app) == ["T-2b", "T-3a"]


def test_an_enterprise_is_no_university(world):
    app = _founding(world, St.PRIMARY, (St.JUNIOR, "T-2c", ""), partners=["enterprise"])
    assert _subtype_failures(app) == ["T-2c"]


def test_an_admission_counts_the_groups_university_partners(world):
    built = h.admission_draft(world)
    ProposedMember.objects.filter(application=built.application).update(
        relation_type="T-2", relation_subtype="T-2c"
    )
    assert _subtype_failures(built.refresh()) == ["T-2c"]
    university = Partner.objects.create(name="青岛测试大学", kind=Partner.Kind.HIGHER_EDUCATION)
    Partnership.objects.create(
        group=world.group, partner=university, projects="课程", started_on=datetime.date(2020, 1, 1)
    )
    assert _subtype_failures(built.refresh()) == []
    # one that ended before the admission's date does not count
    Partnership.objects.update(ended_on=datetime.date(2021, 1, 1))
    assert _subtype_failures(built.refresh()) == ["T-2c"]


def test_a_subtype_failure_refuses_the_submission(world):
    built = h.admission_draft(world)  # a junior candidate to a (factory) core school
    ProposedMember.objects.filter(application=built.application).update(
        relation_type="T-2", relation_subtype="T-2b"
    )
    h.evaluate(built)
    from qingdao_groups.core.rules import RuleRefusal

    with pytest.raises(RuleRefusal, match="T-2b"):
        h.submit(built)
    outcome = [
        o for o in checks.run_checks(built.refresh(), TODAY) if o.clause == "T-2b" and not o.passed
    ]
    assert outcome and outcome[0].severity == HARD


# --- the form: a subtype of the chosen type ---------------------------------------------------


@pytest.mark.parametrize("form_class", [ProposedMemberForm, MembershipAddForm])
def test_a_subtype_of_another_type_is_refused_with_the_types_subtypes(world, form_class):
    form = form_class(
        {"school": str(world.member_school.pk), "relation_type": "T-3", "relation_subtype": "T-2b"},
        schools=School.objects.all(),
    )
    assert not form.is_valid()
    (error,) = form.errors["relation_subtype"]
    assert "普通高中职业高中聚合" in error and "联合型" in error
    assert "T-3a" in error and "T-3b" in error and "T-1 至 T-3" in error


@pytest.mark.parametrize("form_class", [ProposedMemberForm, MembershipAddForm])
def test_the_subtype_select_is_narrowed_by_a_static_script(form_class):
    form = form_class(schools=School.objects.none())
    html = str(form["relation_subtype"])
    assert 'data-subtype-of="relation_type"' in html
    assert "js/subtype-select.js" in str(form.media)


def test_the_draft_page_loads_the_script_and_has_no_inline_script(world, login):
    built = h.founding_draft(world)
    page = login(built.principal).get(reverse("applications:detail", args=[built.application.pk]))
    text = page.content.decode()
    assert "js/subtype-select.js" in text
    assert "<script>" not in text
