"""The group page at any size: its queries are few and the same for a small and a large group,
and it shows the same choice labels as the models' get_*_display (now read from a table built
once per language)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from groups.registry.models import Membership
from members.models import School, User
from qingdao_groups.core.labels import choice_label, url_maker
from tests.test_query_counts import count_queries, grow

MAX_QUERIES = 16  # the group, 4 prefetches, cards, the story (5 sources: issue 10 adds the
# published assessment results), plans, open exits, session, user, authority


@pytest.mark.parametrize("role", ["city", "district", "principal"])
def test_group_page_queries_are_few_and_do_not_grow(client, world, role):
    client.force_login(User.objects.get(pk=world.users[role].pk))
    url = reverse("groups:group-detail", args=[world.group.pk])
    client.get(url)  # warm per-process caches
    small = count_queries(client, url)
    grow(world, groups=3, members_per_group=30)  # world.group gets 30 more members + history
    large = count_queries(client, url)
    assert small == large <= MAX_QUERIES


def test_choice_label_matches_get_display_in_both_languages(world):
    m = Membership.objects.select_related("school").filter(relation_subtype__gt="").first()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert choice_label(m, "relation_subtype") == m.get_relation_subtype_display()
            assert choice_label(m, "role") == m.get_role_display()
            assert choice_label(m.school, "stage") == m.school.get_stage_display()


def test_url_maker_matches_reverse(world):
    school = School.objects.first()
    assert url_maker("members:school-detail")(school.pk) == reverse(
        "members:school-detail", args=[school.pk]
    )
    assert url_maker("groups:membership-end", 12)(345) == reverse(
        "groups:membership-end", args=[12, 345]
    )


# --- who sees one group: the page's fast paths agree with the list's rule (issue 7) -----------


@pytest.fixture
def scene(world):
    """Groups each role sees for a different reason, or does not: approved by 市南; with a
    current 市南 member only; with a 市南 school that has left or has not joined yet; and a
    user outside every role's reach, granted two groups with django-guardian (one directly,
    one through an auth group)."""
    from django.contrib.auth.models import Group as AuthGroup
    from guardian.shortcuts import assign_perm

    from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory, UserFactory

    day = datetime.date.today()
    laoshan = world.laoshan
    world.via_member = EducationGroupFactory(core_school=SchoolFactory(authority=laoshan))
    MembershipFactory(group=world.via_member, school=SchoolFactory(authority=world.shinan))
    world.via_former = EducationGroupFactory(core_school=SchoolFactory(authority=laoshan))
    MembershipFactory(
        group=world.via_former,
        school=SchoolFactory(authority=world.shinan),
        joined_on=day - datetime.timedelta(days=400),
        left_on=day - datetime.timedelta(days=3),
        end_reason=Membership.EndReason.EXIT,
    )
    world.via_upcoming = EducationGroupFactory(core_school=SchoolFactory(authority=laoshan))
    MembershipFactory(
        group=world.via_upcoming,
        school=SchoolFactory(authority=world.shinan),
        joined_on=day + datetime.timedelta(days=30),
    )
    world.users["outsider"] = UserFactory(username="t-outsider", role=User.Role.AUDITOR)
    world.users["outsider"].role = ""  # a role that sees nothing by itself (an adviser)
    world.users["outsider"].save(update_fields=["role"])
    assign_perm("groups.view_educationgroup", world.users["outsider"], world.other_group)
    team = AuthGroup.objects.create(name="顾问组")
    world.users["outsider"].groups.add(team)
    assign_perm("groups.view_educationgroup", team, world.via_former)
    return world


ROLES = ["city", "district", "principal", "member", "auditor", "outsider"]


@pytest.mark.parametrize("role", ROLES)
def test_one_group_is_seen_exactly_when_the_list_shows_it(scene, role):
    from django.http import Http404

    from groups.charter.selectors import access_group_for_user
    from groups.registry.models import EducationGroup
    from groups.registry.selectors import group_get_for_user, group_list_for_user

    user = User.objects.get(pk=scene.users[role].pk)
    listed = set(group_list_for_user(user=user).values_list("pk", flat=True))
    for group in EducationGroup.objects.all():
        try:
            group_get_for_user(user=user, group_id=group.pk)
            seen = True
        except Http404:
            seen = False
        try:
            access_group_for_user(user, group.pk)  # the scope as a condition on the group row
            seen_by_key = True
        except Http404:
            seen_by_key = False
        assert seen == seen_by_key == (group.pk in listed), (role, group.name)
    expected = {
        "district": {scene.group.pk, scene.via_member.pk},
        "principal": {scene.group.pk},
        "member": {scene.group.pk},
        "outsider": {scene.other_group.pk, scene.via_former.pk},
    }
    if role in expected:
        assert listed == expected[role]


def test_a_granted_outsider_reads_the_group_page_with_its_cards(client, scene):
    from groups.cards.services import card_issue_yellow
    from tests.groups import workflow_helpers as h

    card_issue_yellow(
        membership=scene.membership,
        ground="incident",
        description="重大事故",
        actor=h.staff(scene.shinan),
    )
    outsider = scene.users["outsider"]
    client.force_login(outsider)
    assert client.get(reverse("groups:group-detail", args=[scene.group.pk])).status_code == 404
    from guardian.shortcuts import assign_perm

    assign_perm("groups.view_educationgroup", outsider, scene.group)
    response = client.get(reverse("groups:group-detail", args=[scene.group.pk]))
    assert response.status_code == 200
    assert len(response.context["open_cards"]) == 1
    assert any("黄牌" in e.text for e in response.context["story"])


@pytest.mark.parametrize("role", ["city", "district", "principal", "member", "auditor"])
def test_the_group_pages_cards_are_the_users_cards_of_that_group(scene, role):
    from groups.cards.selectors import card_list_for_group, card_list_for_user
    from groups.cards.services import card_issue_yellow
    from tests.factories import MembershipFactory, SchoolFactory
    from tests.groups import workflow_helpers as h

    other = MembershipFactory(group=scene.group, school=SchoolFactory(name="另一成员校"))
    staff = h.staff(scene.shinan)
    for membership in (scene.membership, other):
        card_issue_yellow(membership=membership, ground="incident", description="事故", actor=staff)
    user = User.objects.get(pk=scene.users[role].pk)
    mine = set(card_list_for_user(user=user).filter(group=scene.group).values_list("pk", flat=True))
    fast = set(card_list_for_group(user=user, group_id=scene.group.pk).values_list("pk", flat=True))
    assert fast == mine
    assert len(mine) == {"member": 1}.get(role, 2)  # a member sees its own card only


def test_date_filters_print_what_the_date_filter_prints(settings):
    from django.template import Context, Template
    from django.utils import timezone

    moment = timezone.make_aware(datetime.datetime(2024, 3, 5, 23, 30), datetime.UTC)
    values = {"d": datetime.date(2024, 9, 1), "t": moment, "none": None, "blank": ""}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            ours = Template(
                "{% load qg_labels %}{{ d|ymd }}|{{ t|ymd }}|{{ t|ymd_hm }}|{{ none|ymd }}|"
                "{{ blank|ymd }}|{{ none|ymd_hm }}"
            ).render(Context(values))
            django = Template(
                '{{ d|date:"Y-m-d" }}|{{ t|date:"Y-m-d" }}|{{ t|date:"Y-m-d H:i" }}|'
                '{{ none|date:"Y-m-d" }}|{{ blank|date:"Y-m-d" }}|{{ none|date:"Y-m-d H:i" }}'
            ).render(Context(values))
            assert ours == django
    assert ours.startswith("2024-09-01|2024-03-06|2024-03-06 07:30")  # Asia/Shanghai


def test_history_rows_are_the_models_history(world):
    from groups.registry.models import EducationGroup
    from qingdao_groups.core.history import history_rows

    group = EducationGroup.objects.get(pk=world.group.pk)
    group.description = "改过一次"
    group.save()
    assert list(history_rows(EducationGroup, pk=group.pk)) == list(group.history.all())
    assert list(history_rows(Membership).order_by("history_id")) == list(
        Membership.history.order_by("history_id")
    )
    assert history_rows(EducationGroup, pk=group.pk).count() == 2
