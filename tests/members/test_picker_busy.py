"""A school that cannot be proposed is shown, not hidden (issue 8): the application-member picker
finds every school but the principal's own, by name, code or district, and shows a school in a
group (policy G-1) or proposed by another submitted application (L-1, L-3) greyed and not
selectable, with where it belongs; its query count does not grow with the results. A busy
school's id posted by hand gets the rule's own message, as the service gives it."""

from django.urls import reverse

from groups.applications.checks import busy_school_message
from groups.applications.models import ProposedMember
from members.pickers import PICKER_LIMIT
from tests.factories import MembershipFactory, SchoolFactory
from tests.groups import workflow_helpers as h
from tests.test_query_counts import count_queries

FORGED = "所选学校不在可选范围内，请重新搜索选择。"


def _pick(client, q):
    response = client.get(reverse("members:school-pick", args=["application-member"]), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def _option(html, name):
    return next(line for line in html.splitlines() if name in line)


def test_a_school_in_a_group_is_shown_greyed_with_its_group(world, login):
    client = login(world.users["principal"])
    line = _option(_pick(client, world.member_school.name), world.member_school.name)
    assert "disabled" in line and 'class="picker-busy"' in line
    assert f"已属 {world.group.name}" in line
    free = SchoolFactory(name="可选学校", authority=world.shinan)
    line = _option(_pick(client, "可选学校"), free.name)
    assert "disabled" not in line and f'value="{free.pk}"' in line


def test_a_school_in_a_submitted_application_is_shown_greyed_with_it(world, login):
    built = h.admission_draft(world)
    candidate = built.application.proposed_members.get().school
    client = login(h.principal(world.other_core))
    assert "disabled" not in _option(_pick(client, candidate.name), candidate.name)  # a draft
    h.evaluate(built)
    h.submit(built)
    line = _option(_pick(client, candidate.name), candidate.name)
    assert "disabled" in line and f"已在申请中：{world.group.name}" in line


def test_the_search_finds_by_code_and_district_greyed_or_not(world, login):
    client = login(world.users["principal"])
    assert "disabled" in _option(_pick(client, world.member_school.code), world.member_school.name)
    district = world.member_school.district.name
    assert world.member_school.name in _pick(client, district)


def test_the_picker_query_count_does_not_grow_with_the_results(world, login):
    client = login(world.users["principal"])
    for i in range(3):
        SchoolFactory(name=f"计数学校{i:02d}", authority=world.shinan)
    url = reverse("members:school-pick", args=["application-member"])
    client.get(url, {"q": "计数学校"})
    few = count_queries(client, f"{url}?q=计数学校")
    for i in range(3, 40):
        school = SchoolFactory(name=f"计数学校{i:02d}", authority=world.shinan)
        if i % 2:
            MembershipFactory(group=world.group, school=school)
    html = client.get(url, {"q": "计数学校"}).content.decode()
    assert html.count("<option value=") == PICKER_LIMIT + 1
    assert "disabled" in html
    assert count_queries(client, f"{url}?q=计数学校") == few


def test_a_forged_busy_id_gets_the_rules_message(world, login):
    built = h.founding_draft(world)
    client = login(built.principal)
    response = client.post(
        reverse("applications:member-add", args=[built.application.pk]),
        {
            "school": str(world.other_school.pk),
            "relation_type": "T-2",
            "relation_subtype": "T-2a",
            "submission": "f" * 32,
        },
        follow=True,
    )
    page = response.content.decode()
    expected = busy_school_message(world.other_school.name, "崂山其他教育集团")
    assert expected in page and "G-1" in expected
    assert FORGED not in page
    assert not ProposedMember.objects.filter(
        application=built.application, school=world.other_school
    ).exists()


def test_a_forged_id_of_a_school_in_a_submitted_application_names_and_links_it(world, login):
    admission = h.admission_draft(world)
    h.evaluate(admission)
    h.submit(admission)
    candidate = admission.application.proposed_members.get().school
    built = h.founding_draft(world)
    client = login(built.principal)
    response = client.post(
        reverse("applications:member-add", args=[built.application.pk]),
        {
            "school": str(candidate.pk),
            "relation_type": "T-2",
            "relation_subtype": "T-2a",
            "submission": "g" * 32,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已出现在另一份已提交、未办结的申请中" in page and "L-1" in page
    assert reverse("applications:detail", args=[admission.application.pk]) in page
    assert FORGED not in page


def test_the_core_itself_posted_by_hand_gets_the_rules_message(world, login):
    built = h.founding_draft(world)
    core = built.application.applicant_school
    response = login(built.principal).post(
        reverse("applications:member-add", args=[built.application.pk]),
        {
            "school": str(core.pk),
            "relation_type": "T-2",
            "relation_subtype": "T-2a",
            "submission": "h" * 32,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "核心校不能同时作为本集团的成员校" in page  # policy G-1
    assert FORGED not in page
