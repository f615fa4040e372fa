"""The group page at any size: its queries are few and the same for a small and a large group,
and it shows the same choice labels as the models' get_*_display (now read from a table built
once per language)."""

import pytest
from django.urls import reverse
from django.utils import translation

from groups.registry.models import Membership
from members.models import School, User
from qingdao_groups.core.labels import choice_label, url_maker
from tests.test_query_counts import count_queries, grow

MAX_QUERIES = 15


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
