"""Searchable school pickers (issue 7): the forms render only the chosen school and a search
box; the search answers at most 20 schools of the picker's scope, by name, code or district;
the field refuses an id outside its scope with its own message."""

import pytest
from django.urls import reverse

from groups.applications.forms import ProposedMemberForm
from groups.applications.selectors import free_schools, proposable_schools
from groups.registry.forms import MembershipAddForm
from members.models import School
from members.pickers import PICKER_LIMIT
from tests.factories import SchoolFactory

FORGED = "所选学校不在可选范围内，请重新搜索选择。"


def pick(client, key, q):
    response = client.get(reverse("members:school-pick", args=[key]), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_group_create_form_lists_no_schools_but_searches_them(world, login):
    for i in range(30):
        SchoolFactory(name=f"选择器测试学校{i:02d}", authority=world.shinan)
    client = login(world.users["admin"])
    page = client.get(reverse("groups:group-create")).content.decode()
    assert "选择器测试学校" not in page  # no option per school any more
    assert 'data-testid="school-search"' in page
    assert reverse("members:school-pick", args=["group-core"]) in page
    found = pick(client, "group-core", "选择器测试")
    assert found.count('<option value="') == PICKER_LIMIT + 1  # 20 schools and the prompt
    school = School.objects.get(name="选择器测试学校07")
    assert school.code in pick(client, "group-core", school.code)  # by code
    shinan = world.shinan.district.name
    assert "选择器测试学校" in pick(client, "group-core", shinan)  # by district


def test_search_is_scoped_to_the_picker_and_the_user(world, login):
    # membership-add and group-core are the administrators': nobody else finds anything
    district = login(world.users["district"])
    assert world.member_school.name not in pick(
        district, "membership-add", world.member_school.name
    )
    assert "没有找到学校" in pick(district, "group-core", "青岛")
    assert "没有找到学校" in pick(district, "no-such-picker", "青岛")
    # a principal proposes free schools, never their own; one already in a group is shown
    # greyed, not hidden (issue 8: tests/members/test_picker_busy.py)
    principal = login(world.users["principal"])
    free = SchoolFactory(name="空闲学校甲", authority=world.shinan)
    assert free.name in pick(principal, "application-member", "空闲学校")
    assert "disabled" in pick(principal, "application-member", world.member_school.name)
    assert world.core.name not in pick(principal, "application-member", world.core.name)
    assert world.core not in set(proposable_schools(world.users["principal"]))


@pytest.mark.parametrize(
    "form_class", [ProposedMemberForm, MembershipAddForm], ids=["application", "registry"]
)
def test_a_forged_id_outside_the_scope_is_refused(world, form_class):
    scope = free_schools()
    busy = world.member_school  # in a group already
    assert not scope.filter(pk=busy.pk).exists()
    form = form_class({"school": str(busy.pk)}, schools=scope)
    assert not form.is_valid()
    assert form.errors["school"] == [FORGED]
    free = SchoolFactory(authority=world.shinan)
    form = form_class({"school": str(free.pk)}, schools=scope)
    form.is_valid()
    assert "school" not in form.errors


def test_the_chosen_school_is_kept_when_the_form_comes_back(world):
    free = SchoolFactory(name="回显学校", authority=world.shinan)
    html = str(ProposedMemberForm({"school": str(free.pk)}, schools=free_schools())["school"])
    assert html.count("<option") == 2 and "回显学校" in html and "selected" in html
