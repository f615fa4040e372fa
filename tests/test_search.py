"""The text searches of the school list, the group list and the school pickers (issue 7).

What a search finds does not depend on how the database is asked: a rare term is collected by
key first (through the trigram indexes on PostgreSQL) and a common one filters the list directly;
both give the same schools and groups, in the user's scope. A short list is sorted whole and a
long one page by page; both give the same pages. On PostgreSQL the searches go through the
trigram indexes of members/0005 and groups/0017."""

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

import qingdao_groups.core.filters as search_module
import qingdao_groups.core.pagination as pagination_module
from groups.registry.models import EducationGroup
from members.models import School
from members.pickers import search_schools
from qingdao_groups.core.pagination import KeyFirstPaginator
from tests.factories import EducationGroupFactory, SchoolFactory

# A rare term narrows the list to the keys found; with at most one key allowed, every term of
# these tests is "common" and filters the list directly.
PATHS = {"rare": None, "common": 1}


@pytest.fixture(params=list(PATHS))
def path(request, monkeypatch):
    if PATHS[request.param] is not None:
        monkeypatch.setattr(search_module, "SEARCH_KEYS_MAX", PATHS[request.param])
    return request.param


@pytest.fixture
def named(world):
    """Schools and a group with names to search for; world.users as in conftest."""
    world.second = SchoolFactory(
        name="青岛市第二实验中学", code="3702990001", authority=world.shinan
    )
    world.laoshan_lab = SchoolFactory(
        name="崂山区实验小学", code="3702990002", authority=world.laoshan
    )
    world.bilingual = SchoolFactory(
        name="Qingdao No.2 Bilingual School", code="3702880003", authority=world.shinan
    )
    world.lab_group = EducationGroupFactory(
        name="市南区实验教育集团", code="QD-SN-0099", core_school=world.second
    )
    return world


def listed(client, url, q):
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return {obj.name for obj in response.context["page_obj"]}


def test_the_school_list_finds_a_name_by_any_part_and_a_code_by_its_start(named, login, path):
    client = login(named.users["city"])
    url = reverse("members:school-list")
    # Chinese in the middle of a name: two characters, then three and more
    assert listed(client, url, "实验") == {"青岛市第二实验中学", "崂山区实验小学"}
    assert listed(client, url, "二实验中") == {"青岛市第二实验中学"}
    # Latin letters whatever their case
    assert listed(client, url, "bilingual SCHOOL") == {"Qingdao No.2 Bilingual School"}
    # a code by its start, never by its middle
    assert listed(client, url, "3702990") == {"青岛市第二实验中学", "崂山区实验小学"}
    assert listed(client, url, "990001") == set()
    assert listed(client, url, "没有这所学校") == set()


def test_the_school_search_stays_within_a_districts_schools(named, login, path):
    client = login(named.users["district"])  # 市南
    url = reverse("members:school-list")
    assert listed(client, url, "实验") == {"青岛市第二实验中学"}
    assert listed(client, url, "崂山区实验") == set()  # another district's school


def test_the_group_list_finds_a_name_a_code_or_the_core_schools_name(named, login, path):
    client = login(named.users["city"])
    url = reverse("groups:group-list")
    assert listed(client, url, "实验教育") == {"市南区实验教育集团"}  # the group's name
    assert listed(client, url, "sn-00") == {"市南区实验教育集团"}  # its code, any case
    assert listed(client, url, "第二实验中") == {"市南区实验教育集团"}  # its core school
    assert listed(client, url, "崂山其他") == {"崂山其他教育集团"}
    district = login(named.users["district"])  # 市南 sees its own group, not 崂山's
    assert listed(district, url, "第二实验中") == {"市南区实验教育集团"}
    assert listed(district, url, "崂山其他") == set()


def test_the_picker_finds_a_name_a_code_or_a_district(named, path):
    everything = School.objects.all()
    found = {s.name for s in search_schools(everything, "实验")}
    assert found == {"青岛市第二实验中学", "崂山区实验小学"}
    assert {s.name for s in search_schools(everything, "3702990")} == found
    by_district = {s.name for s in search_schools(everything, "崂山区")}
    assert {"崂山区实验小学", "崂山其他核心学校", "崂山其他成员学校"} <= by_district
    assert "青岛市第二实验中学" not in by_district
    # within the picker's scope only
    shinan = everything.filter(authority=named.shinan)
    assert {s.name for s in search_schools(shinan, "实验")} == {"青岛市第二实验中学"}


def test_the_picker_endpoint_answers_in_name_order(named, login, path):
    for i in (3, 1, 2):
        SchoolFactory(name=f"排序实验学校{i}", authority=named.shinan)
    client = login(named.users["admin"])
    html = client.get(
        reverse("members:school-pick", args=["group-core"]), {"q": "排序实验"}
    ).content.decode()
    positions = [html.index(f"排序实验学校{i}") for i in (1, 2, 3)]
    assert positions == sorted(positions)


def test_a_short_list_is_cut_into_the_same_pages_as_a_long_one(named, monkeypatch):
    for i in range(7):
        SchoolFactory(name=f"分页学校{i % 3}", authority=named.shinan)  # equal names: id decides
    qs = School.objects.filter(name__startswith="分页学校").order_by("name", "id")

    def pages():
        paginator = KeyFirstPaginator(qs, 3)
        return [[s.pk for s in paginator.page(n)] for n in paginator.page_range]

    short = pages()
    monkeypatch.setattr(pagination_module, "SHORT_LIST", 0)
    assert pages() == short
    assert sum(short, []) == list(qs.values_list("pk", flat=True))


@pytest.mark.postgres
def test_the_searches_use_the_trigram_indexes_on_postgresql(named):
    """The indexes exist and the plans use them (sequential scans off: the test tables are too
    small for PostgreSQL to prefer an index by itself). The migrations run on SQLite too, and
    make nothing there."""
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
        cursor.execute("SET enable_seqscan = off")
    try:
        school = (
            School.objects.filter(Q(name__icontains="二实验中") | Q(code__startswith="37029"))
            .order_by()
            .values_list("pk")
            .explain()
        )
        assert "school_name_trgm" in school
        assert "members_school_code_" in school  # the code's varchar_pattern_ops index
        group = (
            EducationGroup.objects.filter(
                Q(name__icontains="实验教育") | Q(code__icontains="sn-00")
            )
            .order_by()
            .values_list("pk")
            .explain()
        )
        assert "group_name_trgm" in group and "group_code_trgm" in group
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
