"""The home page's figures (issue 7): computed once per scope and cached, never false.

The counts, the first groups and the A-5 targets are shared by everyone who sees the same part
of the registry and recomputed after any change to it; what needs attention stays live."""

import datetime
import shutil

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from groups.charter.models import GroupDocument
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_list_for_user
from members.models import School, User
from members.selectors import school_list_for_user
from qingdao_groups.core import figures
from qingdao_groups.settings.base import cache_config, redis_beside
from tests.factories import SchoolFactory, UserFactory


def home(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    response.queries = len(ctx.captured_queries)
    return response


def counts(response) -> tuple[int, int]:
    return response.context["group_count"], response.context["school_count"]


def truth(user) -> tuple[int, int]:
    return group_list_for_user(user=user).count(), school_list_for_user(user=user).count()


def new_school_form(world, code: str, name: str) -> dict:
    return {
        "name": name,
        "code": code,
        "authority": world.shinan.pk,
        "district": "shinan",
        "stage": "primary",
        "nature": "public",
    }


# --- never false: a change shows on the next page view ------------------------------------------


def test_a_group_registered_through_its_page_counts_on_the_next_home_view(client, world):
    admin = world.users["admin"]
    before = home(client, admin)
    assert home(client, admin).queries < before.queries  # the figures are cached now
    core = SchoolFactory(name="首页计数核心学校", authority=world.shinan)
    response = client.post(
        reverse("groups:group-create"),
        {
            "name": "首页计数教育集团",
            "code": "QD-HOME-001",
            "core_school": core.pk,
            "specialty": "科技创新",
            "founded_on": "2018-09-01",  # founded first: listed first on the home page
        },
    )
    assert response.status_code == 302
    after = home(client, admin)
    assert after.context["group_count"] == before.context["group_count"] + 1
    assert after.context["school_count"] == before.context["school_count"] + 1
    assert after.context["groups"][0]["name"] == "首页计数教育集团"
    assert after.context["groups"][0]["core_school_name"] == "首页计数核心学校"
    target_2020 = {t["year"]: t["actual"] for t in after.context["targets"]}[2020]
    assert target_2020 == {t["year"]: t["actual"] for t in before.context["targets"]}[2020] + 1
    assert 'data-testid="group-count">{}<'.format(after.context["group_count"]) in (
        after.content.decode()
    )


def test_a_school_created_through_its_page_counts_for_the_district_and_the_city(client, world):
    district, city = world.users["district"], world.users["city"]
    district_before, city_before = home(client, district), home(client, city)
    client.force_login(district)
    response = client.post(
        reverse("members:school-create"), new_school_form(world, "3702098801", "首页计数小学")
    )
    assert response.status_code == 302
    assert counts(home(client, district)) == (
        district_before.context["group_count"],
        district_before.context["school_count"] + 1,
    )
    assert home(client, city).context["school_count"] == city_before.context["school_count"] + 1


def test_a_member_recorded_through_its_page_counts_for_the_districts_that_see_its_group(
    client, world
):
    """A 崂山 school joins the 市南 group: 市南 sees one school more through its group."""
    district, admin = world.users["district"], world.users["admin"]
    before = home(client, district)
    school = SchoolFactory(name="首页计数成员学校", authority=world.laoshan)
    client.force_login(admin)
    response = client.post(
        reverse("groups:membership-add", args=[world.group.pk]),
        {
            "school": school.pk,
            "relation_type": "T-3",
            "relation_subtype": "T-3a",
            "joined_on": "2021-09-01",
        },
    )
    assert response.status_code == 302
    after = home(client, district)
    assert after.context["school_count"] == before.context["school_count"] + 1
    row = next(g for g in after.context["groups"] if g["pk"] == world.group.pk)
    was = next(g for g in before.context["groups"] if g["pk"] == world.group.pk)
    assert row["member_count"] == was["member_count"] + 1


def test_a_school_import_counts_on_the_next_home_view(client, world):
    """Bulk writes send no save signals: the import marks the registry changed itself."""
    from members.imports import school_import_commit, school_import_preview
    from tests.members.test_imports import a_row, upload, xlsx_bytes

    city = world.users["city"]
    before = home(client, city)
    preview = school_import_preview(
        user=city, uploaded_file=upload(xlsx_bytes([a_row(world.shinan)]))
    )
    assert school_import_commit(user=city, preview_token=preview.token).created == 1
    assert home(client, city).context["school_count"] == before.context["school_count"] + 1


def test_figures_cached_before_a_commit_are_not_served_after_it(
    world, django_capture_on_commit_callbacks
):
    """The generation is replaced when a change is saved and again when it commits: figures a
    reader computed in between (without the change) are never served."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        SchoolFactory(authority=world.shinan)
        saved = cache.get(figures.GENERATION_KEY)
        assert figures.shared_figures("test", lambda: "before the commit") == "before the commit"
    for callback in callbacks:
        callback()
    assert cache.get(figures.GENERATION_KEY) != saved
    assert figures.shared_figures("test", lambda: "recomputed") == "recomputed"


# --- shared per scope -------------------------------------------------------------------------


def test_two_officers_of_one_district_share_the_figures_other_districts_have_their_own(
    client, world
):
    first = world.users["district"]
    colleague = UserFactory(
        username="t-district-2", role=User.Role.DISTRICT_STAFF, authority=world.shinan
    )
    shibei = UserFactory(username="t-shibei", role=User.Role.DISTRICT_STAFF, authority=world.shibei)
    SchoolFactory(authority=world.shibei)  # 市北 sees one school more than 市南
    home(client, first)  # warm per-process caches (content types)
    cache.clear()
    computed = home(client, first)
    shared = home(client, colleague)
    assert shared.queries < computed.queries
    assert counts(shared) == counts(computed) == truth(first)
    own = home(client, shibei)
    assert own.queries == computed.queries
    assert counts(own) == truth(shibei) != counts(computed)


@pytest.mark.parametrize("role", ["city", "district", "principal", "member", "auditor"])
def test_every_role_sees_the_counts_of_its_own_scope_cached_or_not(client, world, role):
    user = User.objects.get(pk=world.users[role].pk)
    cold, warm = home(client, user), home(client, user)
    assert warm.queries < cold.queries
    assert counts(cold) == counts(warm) == truth(user)
    assert [g["pk"] for g in warm.context["groups"]] == list(
        group_list_for_user(user=user).order_by("founded_on", "id").values_list("pk", flat=True)
    )[:10]


def test_a_group_granted_to_one_principal_counts_for_that_principal_only(client, world):
    principal = world.users["principal"]
    colleague = UserFactory(
        username="t-principal-2", role=User.Role.CORE_PRINCIPAL, school=world.core
    )
    assign_perm("groups.view_educationgroup", principal, world.other_group)
    granted = home(client, principal)
    assert granted.context["group_count"] == 2
    assert world.other_group.pk in [g["pk"] for g in granted.context["groups"]]
    plain = home(client, colleague)
    assert plain.context["group_count"] == 1
    assert client.get(reverse("groups:group-detail", args=[world.other_group.pk])).status_code == (
        404
    )


# --- the registry gaps: cached with the figures, recounted after any change --------------------


def test_attention_gaps_are_cached_and_recounted_after_a_change(client, world):
    """The gap counts (G-4, G-3, A-4) aggregate every group the reader sees (700 ms for the city
    at nation scale): shared with the figures, and recounted as soon as a charter, a council
    seat or a membership changes."""
    from groups.registry.models import CouncilSeat

    city = world.users["city"]

    def flagged(response):
        return {line["gap"].clause: line["gap"].count for line in response.context["gaps"]}

    first = home(client, city)
    before = flagged(first)
    assert before.get("G-4", 0) >= 1
    warm = home(client, city)
    assert warm.queries < first.queries  # from the cache
    GroupDocument.objects.create(
        group=world.group,
        kind=GroupDocument.Kind.CHARTER,
        version=1,
        title="章程",
        adopted_on=datetime.date(2020, 1, 1),
    )
    after = home(client, city)
    assert flagged(after).get("G-4", 0) == before["G-4"] - 1  # recounted at once
    assert home(client, city).queries == warm.queries  # and cached again
    chiefs = before.get("G-3", 0)
    if chiefs:
        group = next(
            g
            for g in EducationGroup.objects.filter(status=EducationGroup.Status.ACTIVE)
            if not CouncilSeat.objects.filter(
                group=g, role=CouncilSeat.Role.CHIEF_PRINCIPAL
            ).exists()
        )
        CouncilSeat.objects.create(
            group=group,
            role=CouncilSeat.Role.CHIEF_PRINCIPAL,
            person_name="总校长",
            started_on=group.founded_on,
        )
        assert flagged(home(client, city)).get("G-3", 0) == chiefs - 1


def test_attention_names_each_gap_until_it_is_filled(world):
    """G-4 no charter, G-3 no chief principal, A-4 no weak school among current members."""
    from groups.registry.models import CouncilSeat
    from groups.registry.selectors import group_attention_for_user
    from tests.factories import EducationGroupFactory, MembershipFactory

    group = EducationGroupFactory(name="关注缺口集团", core_school=SchoolFactory())
    CouncilSeat.objects.filter(group=group).delete()
    city = world.users["city"]

    def gaps():
        return sorted(
            i.clause for i in group_attention_for_user(user=city) if i.group.pk == group.pk
        )

    assert gaps() == ["A-4", "G-3", "G-4"]
    GroupDocument.objects.create(
        group=group,
        kind=GroupDocument.Kind.CHARTER,
        version=1,
        title="章程",
        adopted_on=datetime.date(2020, 1, 1),
    )
    assert gaps() == ["A-4", "G-3"]
    CouncilSeat.objects.create(
        group=group,
        role=CouncilSeat.Role.CHIEF_PRINCIPAL,
        person_name="总校长",
        started_on=group.founded_on,
    )
    assert gaps() == ["A-4"]
    MembershipFactory(
        group=group,
        school=SchoolFactory(is_weak=True, weak_rated_year=2020),
        joined_on=timezone.localdate() + datetime.timedelta(days=30),  # not yet a member
    )
    assert gaps() == ["A-4"]
    MembershipFactory(group=group, school=SchoolFactory(is_weak=True, weak_rated_year=2020))
    assert gaps() == []


def test_attention_lists_at_most_the_limit_of_groups_by_name(client, world):
    from groups.registry.selectors import group_attention_for_user
    from tests.factories import EducationGroupFactory

    for n in range(5):
        EducationGroupFactory(name=f"关注排序{n}集团", core_school=SchoolFactory())
    items = group_attention_for_user(user=world.users["city"], limit=3)
    names = [i.group.name for i in items]
    assert len(dict.fromkeys(names)) == 3 and names == sorted(names)
    every = group_attention_for_user(user=world.users["city"])
    assert [i.group.name for i in every][: len(names)] == names


# --- the cache setting ------------------------------------------------------------------------


def test_cache_urls_choose_the_backend():
    assert cache_config("locmemcache://")["BACKEND"].endswith("LocMemCache")
    redis = cache_config("redis://127.0.0.1:6379/1")
    assert redis["BACKEND"] == "qingdao_groups.core.cache.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert redis["OPTIONS"]["socket_timeout"] > 0
    assert redis["OPTIONS"]["socket_connect_timeout"] > 0
    assert cache_config("redis://h:6379/1?socket_timeout=2")["OPTIONS"]["socket_timeout"] == 2
    assert redis_beside("redis://redis:6379/0") == "redis://redis:6379/1"
    assert redis_beside("redis://:secret@redis:6379") == "redis://:secret@redis:6379/1"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_redis_that_does_not_answer_costs_a_recount_not_an_error(client, world, settings):
    settings.CACHES = {"default": cache_config(f"redis://127.0.0.1:{_free_port()}/0")}
    city = world.users["city"]
    cold, again = home(client, city), home(client, city)
    assert counts(cold) == counts(again) == truth(city)
    assert again.queries == cold.queries  # nothing could be cached


@pytest.fixture
def private_redis(tmp_path):
    import os

    from tests.test_outbox import PrivateRedis

    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(binary, tmp_path)
    server.start()
    yield server
    server.stop()


def test_figures_through_redis_are_shared_and_recounted_after_a_change(
    client, world, settings, private_redis
):
    settings.CACHES = {"default": cache_config(private_redis.url)}
    district = world.users["district"]
    cold, warm = home(client, district), home(client, district)
    assert warm.queries < cold.queries and counts(warm) == counts(cold) == truth(district)
    client.post(
        reverse("members:school-create"), new_school_form(world, "3702098802", "雷迪斯小学")
    )
    assert School.objects.filter(code="3702098802").exists()
    assert home(client, district).context["school_count"] == cold.context["school_count"] + 1
    private_redis.stop()  # gone: the page still answers, with counts recomputed
    assert counts(home(client, district)) == truth(district)
    assert EducationGroup.objects.exists()
