"""The registry pages as a user meets them: bad input is explained and kept, nothing half-saved."""

import datetime

import pytest
from django.urls import reverse

from groups.registry.models import EducationGroup, Membership
from members.models import School, User
from tests.factories import SchoolFactory


@pytest.fixture
def city(world, client):
    client.force_login(world.users["city"])
    return client


@pytest.fixture
def admin(world, client):
    """Direct registry writes are the administrator's (pre-system history)."""
    client.force_login(world.users["admin"])
    return client


def test_group_detail_shows_members_with_type_and_dates(city, world):
    response = city.get(reverse("groups:group-detail", args=[world.group.pk]))
    html = response.content.decode()
    assert world.member_school.name in html
    assert "聚合型" in html and "T-2a" in html and "2020-09-01" in html
    assert world.core.name in html


def test_second_active_membership_is_a_clear_message_and_keeps_input(admin, world):
    url = reverse("groups:membership-add", args=[world.group.pk])
    before = Membership.objects.count()
    response = admin.post(
        url,
        {
            "school": world.other_school.pk,
            "relation_type": "T-2",
            "relation_subtype": "T-2a",
            "joined_on": "2024-09-01",
            "note": "我输入的备注",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "同一时间只能属于一个集团" in html
    assert "我输入的备注" in html and 'value="2024-09-01"' in html
    assert Membership.objects.count() == before


def test_core_school_as_member_is_a_clear_message(admin, world):
    # the core school is not offered in the list; a forged POST gets a field error, not a 500
    url = reverse("groups:membership-add", args=[world.group.pk])
    response = admin.post(
        url,
        {
            "school": world.core.pk,
            "relation_type": "T-2",
            "relation_subtype": "T-2a",
            "joined_on": "2024-09-01",
        },
    )
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert not Membership.objects.filter(
        group=world.group, school=world.core, role="member"
    ).exists()


def test_membership_add_then_end_through_the_pages(admin, world):
    school = SchoolFactory(name="新加入学校")
    response = admin.post(
        reverse("groups:membership-add", args=[world.group.pk]),
        {
            "school": school.pk,
            "relation_type": "T-1",
            "relation_subtype": "T-1b",
            "joined_on": "2024-09-01",
        },
        follow=True,
    )
    assert "已将 新加入学校 登记为成员校" in response.content.decode()
    membership = Membership.objects.get(school=school)
    response = admin.post(
        reverse("groups:membership-end", args=[world.group.pk, membership.pk]),
        {"left_on": "2024-01-01", "end_reason": "exit"},
    )
    assert "离开日期不能早于加入日期" in response.content.decode()
    response = admin.post(
        reverse("groups:membership-end", args=[world.group.pk, membership.pk]),
        {"left_on": "2025-07-31", "end_reason": "exit"},
        follow=True,
    )
    membership.refresh_from_db()
    assert membership.left_on.isoformat() == "2025-07-31"
    assert "已退出成员校" in response.content.decode()


def test_membership_end_of_another_groups_membership_is_404(admin, world):
    other = world.other_group.memberships.get(role="member")
    response = admin.get(reverse("groups:membership-end", args=[world.group.pk, other.pk]))
    assert response.status_code == 404


def test_group_create_with_member_school_as_core_is_refused(admin, world):
    response = admin.post(
        reverse("groups:group-create"),
        {
            "name": "错误集团",
            "code": "QD-ERR",
            "core_school": world.member_school.pk,
            "specialty": "艺术",
            "founded_on": "2024-09-01",
        },
    )
    assert response.status_code == 200
    assert "同一时间只能属于一个集团" in response.content.decode()
    assert not EducationGroup.objects.filter(code="QD-ERR").exists()


@pytest.mark.parametrize("role", ["city", "district"])
def test_staff_cannot_bypass_the_workflows(client, world, role):
    # policy L-1, L-3, L-5, L-6: groups are founded, members admitted, leave or are expelled only
    # through applications and cards; the direct registry forms refuse bureau staff.
    client.force_login(world.users[role])
    response = client.post(
        reverse("groups:group-create"),
        {
            "name": "越权集团",
            "code": "QD-X",
            "core_school": world.other_school.pk,
            "specialty": "艺术",
            "founded_on": "2024-09-01",
        },
    )
    assert response.status_code == 403
    assert not EducationGroup.objects.filter(code="QD-X").exists()
    response = client.post(
        reverse("groups:membership-end", args=[world.group.pk, world.membership.pk]),
        {"left_on": "2025-07-31", "end_reason": "expulsion"},
    )
    assert response.status_code == 403
    world.membership.refresh_from_db()
    assert world.membership.left_on is None


def test_group_list_filters_and_scopes(client, world):
    client.force_login(world.users["district"])
    html = client.get(reverse("groups:group-list")).content.decode()
    assert world.group.name in html and world.other_group.name not in html
    client.force_login(world.users["city"])
    html = client.get(reverse("groups:group-list"), {"district": "laoshan"}).content.decode()
    assert world.other_group.name in html and world.group.name not in html


def test_invalid_school_code_is_explained_and_input_kept(city, world):
    response = city.post(
        reverse("members:school-create"),
        {
            "name": "新学校",
            "code": "12345",
            "authority": world.shinan.pk,
            "district": "shinan",
            "stage": "primary",
            "nature": "public",
            "is_legal_entity": "on",
        },
    )
    html = response.content.decode()
    assert "学校标识码应为10位数字" in html and 'value="新学校"' in html
    assert not School.objects.filter(name="新学校").exists()


def test_weak_school_needs_a_year(city, world):
    response = city.post(
        reverse("members:school-create"),
        {
            "name": "新学校",
            "code": "3702999999",
            "authority": world.shinan.pk,
            "district": "shinan",
            "stage": "primary",
            "nature": "public",
            "is_weak": "on",
        },
    )
    assert "薄弱学校须填写认定年份" in response.content.decode()
    assert not School.objects.filter(code="3702999999").exists()


def test_district_edits_own_school_and_history_records_who(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("members:school-edit", args=[world.core.pk]),
        {
            "name": world.core.name,
            "code": world.core.code,
            "authority": world.shinan.pk,
            "district": "shinan",
            "stage": "junior",
            "nature": "public",
            "is_legal_entity": "on",
            "principal_name": "新校长",
        },
    )
    assert response.status_code == 302
    world.core.refresh_from_db()
    assert world.core.principal_name == "新校长"
    assert world.core.history.first().history_user == world.users["district"]


def test_district_cannot_move_a_school_to_another_authority(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("members:school-edit", args=[world.core.pk]),
        {
            "name": world.core.name,
            "code": world.core.code,
            "authority": world.laoshan.pk,
            "district": "shinan",
            "stage": "junior",
            "nature": "public",
        },
    )
    assert response.status_code == 200
    world.core.refresh_from_db()
    assert world.core.authority == world.shinan


def test_school_detail_shows_membership_history(city, world):
    html = city.get(reverse("members:school-detail", args=[world.member_school.pk])).content
    assert world.group.name in html.decode()


def test_timeline_tells_who_did_what(admin, world):
    admin.post(
        reverse("groups:membership-add", args=[world.group.pk]),
        {
            "school": SchoolFactory(name="时间线学校").pk,
            "relation_type": "T-3",
            "relation_subtype": "T-3b",
            "joined_on": "2024-09-01",
        },
    )
    response = admin.get(reverse("groups:group-detail", args=[world.group.pk]))
    # the story: on the day it took effect, naming the person (full name, not the login)
    joined = next(e for e in response.context["story"] if "时间线学校" in e.text)
    assert joined.day == datetime.date(2024, 9, 1) and joined.kind == "joined"
    assert joined.who == User.objects.get(username="t-admin").get_full_name() != "t-admin"


def test_full_width_school_code_is_stored_as_ascii_and_duplicates_refused(city, world):
    response = city.post(
        reverse("members:school-create"),
        {
            "name": "全角学校",
            "code": "３７０２０９９９９１",
            "authority": world.shinan.pk,
            "district": "shinan",
            "stage": "primary",
            "nature": "public",
        },
    )
    assert response.status_code == 302
    assert School.objects.get(name="全角学校").code == "3702099991"
    response = city.post(
        reverse("members:school-create"),
        {
            "name": "重复学校",
            "code": "3702099991",
            "authority": world.shinan.pk,
            "district": "shinan",
            "stage": "primary",
            "nature": "public",
        },
    )
    assert response.status_code == 200 and not School.objects.filter(name="重复学校").exists()


def test_district_can_open_every_school_named_on_a_group_page_it_sees(client, world):
    from tests.groups.workflow_helpers import staff

    client.force_login(staff(world.shibei))  # the group has a 市北 member, its core is 市南
    assert client.get(reverse("groups:group-detail", args=[world.group.pk])).status_code == 200
    assert client.get(reverse("members:school-detail", args=[world.core.pk])).status_code == 200
    other = client.get(reverse("members:school-detail", args=[world.other_school.pk]))
    assert other.status_code == 404


def test_an_exit_taking_effect_later_keeps_the_school_a_member_until_then(city, world):
    import datetime

    from groups.registry.selectors import today
    from groups.registry.services import membership_end

    later = today() + datetime.timedelta(days=60)
    membership_end(
        membership=world.membership, left_on=later, end_reason="exit", actor=world.users["admin"]
    )
    response = city.get(reverse("groups:group-detail", args=[world.group.pk]))
    assert world.membership.pk in [m.pk for m in response.context["current"]]
    assert "起退出" in response.content.decode()
    groups = city.get(reverse("groups:group-list")).context["page_obj"]
    assert {g.pk: g.member_count for g in groups}[world.group.pk] == 1


def test_a_core_schools_authority_cannot_be_moved_from_the_school_form(city, world):
    # policy L-1: the core school's authority approves the group; moving it is not a form edit
    response = city.post(
        reverse("members:school-edit", args=[world.core.pk]),
        {
            "name": world.core.name,
            "code": world.core.code,
            "authority": world.laoshan.pk,
            "district": "shinan",
            "stage": "primary",
            "nature": "public",
        },
    )
    assert response.status_code == 200
    assert "测试核心教育集团" in response.content.decode()
    world.core.refresh_from_db()
    assert world.core.authority == world.shinan
