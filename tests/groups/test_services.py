"""The registry's rules on memberships and groups, through the services and the database."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from groups.registry.models import CouncilSeat, EducationGroup, Membership
from groups.registry.services import group_create, membership_add, membership_end, partnership_add
from qingdao_groups.core.messages import render
from qingdao_groups.core.rules import RuleRefusal
from tests.factories import EducationGroupFactory, PartnerFactory, SchoolFactory

D = datetime.date


def add(world, school, **kw):
    args = {
        "group": world.group,
        "school": school,
        "relation_type": "T-2",
        "relation_subtype": "T-2a",
        "joined_on": D(2021, 9, 1),
        "actor": world.users["city"],
    } | kw
    return membership_add(**args)


def test_membership_add_records_history_with_actor(world):
    school = SchoolFactory()
    membership = add(world, school)
    assert membership.left_on is None
    record = membership.history.get()
    assert record.history_user == world.users["city"]
    assert record.history_type == "+"


def test_school_active_elsewhere_cannot_be_added(world):
    # policy G-1: a school is active in at most one group at a time
    with pytest.raises(RuleRefusal) as exc:
        add(world, world.other_school)
    assert "崂山其他教育集团" in exc.value.message
    assert "同一时间只能属于一个集团" in exc.value.message
    assert not Membership.objects.filter(group=world.group, school=world.other_school).exists()


def test_core_school_cannot_be_its_own_member(world):
    with pytest.raises(RuleRefusal) as exc:
        add(world, world.core)
    assert "核心校" in exc.value.message


def test_core_school_of_another_group_cannot_join(world):
    with pytest.raises(RuleRefusal):
        add(world, world.other_core)


def test_overlapping_period_is_refused_but_adjacent_is_fine(world):
    school = SchoolFactory()
    add(world, school, joined_on=D(2020, 1, 1), left_on=D(2021, 1, 1), end_reason="exit")
    with pytest.raises(RuleRefusal) as exc:
        membership_add(
            group=world.other_group,
            school=school,
            relation_type="T-3",
            relation_subtype="T-3a",
            joined_on=D(2020, 6, 1),
            left_on=D(2020, 9, 1),
            end_reason="exit",
            actor=world.users["city"],
        )
    assert "重叠" in exc.value.message
    # left_on is the first day no longer a member: joining elsewhere that day does not overlap
    later = membership_add(
        group=world.other_group,
        school=school,
        relation_type="T-3",
        relation_subtype="T-3a",
        joined_on=D(2021, 1, 1),
        actor=world.users["city"],
    )
    assert later.pk


def test_subtype_must_match_type(world):
    # policy T-1 … T-3: fusion has only T-1a/T-1b
    with pytest.raises(RuleRefusal) as exc:
        add(world, SchoolFactory(), relation_type="T-1", relation_subtype="T-2a")
    assert exc.value.field == "relation_subtype"


def test_membership_end_keeps_the_row_and_records_reason(world):
    ended = membership_end(
        membership=world.membership,
        left_on=D(2023, 7, 31),
        end_reason="exit",
        actor=world.users["city"],
    )
    assert ended.left_on == D(2023, 7, 31)
    assert Membership.objects.filter(pk=world.membership.pk).exists()
    latest = ended.history.first()
    assert (
        latest.history_user == world.users["city"]
        and render(latest.history_change_reason) == "退出"
    )
    with pytest.raises(RuleRefusal):
        membership_end(
            membership=ended, left_on=D(2024, 1, 1), end_reason="exit", actor=world.users["city"]
        )


def test_membership_end_before_joining_is_refused(world):
    with pytest.raises(RuleRefusal):
        membership_end(
            membership=world.membership,
            left_on=D(2019, 1, 1),
            end_reason="exit",
            actor=world.users["city"],
        )
    world.membership.refresh_from_db()
    assert world.membership.left_on is None


def test_group_create_makes_core_membership_and_default_chief(world):
    core = SchoolFactory(principal_name="王校长")
    group = group_create(
        name="新教育集团",
        code="QD-NEW",
        core_school=core,
        specialty="海洋教育",
        founded_on=D(2024, 9, 1),
        actor=world.users["city"],
    )
    core_ms = group.memberships.get()
    assert core_ms.role == Membership.Role.CORE and core_ms.school == core
    chief = group.council_seats.get()
    # policy G-3: by default the core principal is the chief principal
    assert chief.role == CouncilSeat.Role.CHIEF_PRINCIPAL and chief.person_name == "王校长"
    assert group.authority == core.authority  # policy L-1: the core school's own authority


def test_non_default_chief_principal_needs_a_reason(world):
    core = SchoolFactory(principal_name="王校长")
    with pytest.raises(RuleRefusal) as exc:
        group_create(
            name="新教育集团",
            code="QD-NEW",
            core_school=core,
            specialty="海洋教育",
            founded_on=D(2024, 9, 1),
            actor=world.users["city"],
            chief_principal_name="李专家",
        )
    assert "G-3" in exc.value.message
    assert not EducationGroup.objects.filter(code="QD-NEW").exists()
    group = group_create(
        name="新教育集团",
        code="QD-NEW",
        core_school=core,
        specialty="海洋教育",
        founded_on=D(2024, 9, 1),
        actor=world.users["city"],
        chief_principal_name="李专家",
        chief_principal_reason="核心校校长新任",
    )
    assert group.council_seats.get().non_default_reason == "核心校校长新任"


def test_group_needs_a_specialty(world):
    # policy G-5: one group, one specialty
    with pytest.raises(RuleRefusal) as exc:
        group_create(
            name="无特色集团",
            code="QD-X",
            core_school=SchoolFactory(),
            specialty=" ",
            founded_on=D(2024, 9, 1),
            actor=world.users["city"],
        )
    assert exc.value.field == "specialty"


def test_member_school_cannot_become_core_of_another_group(world):
    with pytest.raises(RuleRefusal):
        group_create(
            name="另一个集团",
            code="QD-Y",
            core_school=world.member_school,
            specialty="艺术",
            founded_on=D(2024, 9, 1),
            actor=world.users["city"],
        )


def test_partnership_needs_a_project(world):
    with pytest.raises(RuleRefusal):
        partnership_add(
            group=world.group,
            partner=PartnerFactory(),
            projects=["", " "],
            started_on=D(2021, 1, 1),
            actor=world.users["city"],
        )


# The database itself, beneath the services.


def test_database_refuses_second_open_membership(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=world.other_group,
            school=world.member_school,
            relation_type="T-3",
            relation_subtype="T-3a",
            joined_on=D(2024, 1, 1),
        )


def test_database_refuses_mismatched_subtype(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=world.group,
            school=SchoolFactory(),
            relation_type="T-1",
            relation_subtype="T-3a",
            joined_on=D(2024, 1, 1),
        )


def test_database_refuses_left_before_joined(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=world.group,
            school=SchoolFactory(),
            relation_type="T-3",
            relation_subtype="T-3a",
            joined_on=D(2024, 1, 1),
            left_on=D(2023, 1, 1),
            end_reason="exit",
        )


def test_database_refuses_two_open_cores(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=world.group, school=SchoolFactory(), role="core", joined_on=D(2024, 1, 1)
        )


@pytest.mark.postgres
def test_postgres_refuses_overlapping_closed_periods(world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("exclusion constraints are PostgreSQL's; SQLite relies on the service lock")
    school = SchoolFactory()
    Membership.objects.create(
        group=world.group,
        school=school,
        relation_type="T-3",
        relation_subtype="T-3a",
        joined_on=D(2020, 1, 1),
        left_on=D(2021, 1, 1),
        end_reason="exit",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=world.other_group,
            school=school,
            relation_type="T-3",
            relation_subtype="T-3a",
            joined_on=D(2020, 6, 1),
            left_on=D(2020, 9, 1),
            end_reason="exit",
        )


def test_active_on_follows_the_dates(world):
    group = EducationGroupFactory()
    school = SchoolFactory()
    ms = Membership.objects.create(
        group=group,
        school=school,
        relation_type="T-3",
        relation_subtype="T-3a",
        joined_on=D(2020, 1, 1),
        left_on=D(2021, 1, 1),
        end_reason="exit",
    )
    assert ms in Membership.objects.active_on(D(2020, 12, 31))
    assert ms not in Membership.objects.active_on(D(2021, 1, 1))
    assert ms not in Membership.objects.active_on(D(2019, 12, 31))


def test_unified_areas_are_only_the_five_of_g2(world):
    # policy G-2: philosophy, management, teaching research, information technology, evaluation
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        group_create(
            name="越界集团",
            code="QD-G2",
            core_school=SchoolFactory(),
            specialty="艺术",
            founded_on=D(2024, 9, 1),
            unified_areas=["finance"],
            actor=world.users["city"],
        )
    group = group_create(
        name="五统一集团",
        code="QD-G2B",
        core_school=SchoolFactory(),
        specialty="艺术",
        founded_on=D(2024, 9, 1),
        unified_areas=["philosophy", "evaluation"],
        actor=world.users["city"],
    )
    assert group.unified_area_labels() == ["教育理念", "教育评价"]
