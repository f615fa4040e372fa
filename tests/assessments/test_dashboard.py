"""The bureau's dashboard (issue 10; policy A-1 supervision, A-4 weak schools, A-5 targets).

Every figure is checked against a count done another way: the models iterated in Python and
asked one by one (`Membership.is_active_on`), never through the aggregate under test."""

import datetime
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.dashboard.permissions import can_view_dashboard
from assessments.dashboard.selectors import dashboard_figures, dashboard_scope
from funding.ledgers.models import Ledger
from groups.cards.models import Card
from groups.registry.models import EducationGroup, Membership, PolicyParameters
from members.models import School, User
from qingdao_groups.core.inbox import inbox_counts
from qingdao_groups.selectors import CITY_GROUP_TARGETS
from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory
from tests.qingdao_groups.test_page_frame import inline_scripts

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2025, 6, 30)
URL = "/dashboard/"


def _group(world, *, founded_on, authority=None, dissolved_on=None, name=None):
    group = EducationGroupFactory(
        core_school=SchoolFactory(authority=authority or world.shinan), founded_on=founded_on
    )
    if dissolved_on:
        core = group.memberships.get(role="core")
        core.left_on, core.end_reason = dissolved_on, Membership.EndReason.DISSOLUTION
        core.save()
        group.dissolved_on, group.status = dissolved_on, EducationGroup.Status.DISSOLVED
        group.save()
    return group


def _member(group, *, authority, joined_on=None, left_on=None, **school):
    return MembershipFactory(
        group=group,
        school=SchoolFactory(authority=authority, **school),
        joined_on=joined_on or D(2020, 9, 1),
        left_on=left_on,
        end_reason="exit" if left_on else "",
        relation_type="T-2",
        relation_subtype="T-2a",
    )


def build(world, scale: int = 1) -> None:
    """Groups founded 2018 … 2024 (one dissolved in 2023), members that joined and left, weak
    schools, schools in no group, cards and ledgers, `scale` times."""
    for n in range(scale):
        a = _group(world, founded_on=D(2018, 5, 1))
        b = _group(world, founded_on=D(2021, 3, 1), authority=world.laoshan)
        _group(world, founded_on=D(2022, 1, 1), dissolved_on=D(2023, 7, 1))
        _group(world, founded_on=D(2024, 9, 1), authority=world.shibei)
        _member(a, authority=world.shinan, is_weak=True, weak_rated_year=2019, stage="junior")
        _member(a, authority=world.shibei, joined_on=D(2019, 1, 1), left_on=D(2024, 1, 1))
        _member(b, authority=world.laoshan, is_weak=True, weak_rated_year=2020)
        _member(b, authority=world.shinan, joined_on=D(2026, 1, 1))  # 拟加入 on DAY
        MembershipFactory(
            group=b,
            school=SchoolFactory(authority=world.laoshan, stage="vocational"),
            joined_on=D(2022, 1, 1),
            relation_type="T-3",
            relation_subtype="T-3b",
        )
        SchoolFactory(authority=world.shinan, name=f"市南独立学校{n}")
        SchoolFactory(authority=world.laoshan, name=f"崂山独立学校{n}")
        for level, when in (
            ("yellow", (2023, 5, 1)),
            ("yellow", (2024, 2, 1)),
            ("red", (2024, 3, 1)),
        ):
            Card.objects.create(
                membership=a.memberships.filter(role="member").first(),
                group=a,
                level=level,
                status="red_issued" if level == "red" else "closed",
                ground=Card.Ground.AGREEMENT,
                description="未履行协议",
                issued_by=world.users["city"],
                issued_at=timezone.make_aware(datetime.datetime(*when, 10)),
            )
        Card.objects.create(
            membership=b.memberships.filter(role="member").first(),
            group=b,
            level="yellow",
            status="closed",
            ground=Card.Ground.AGREEMENT,
            description="未履行协议",
            issued_by=world.users["city"],
            issued_at=timezone.make_aware(datetime.datetime(2025, 12, 1, 10)),  # after DAY
        )
        for group, authority, year, status, f1 in (
            (a, world.shinan, 2023, "locked", "60000.00"),
            (a, world.shinan, 2024, "confirmed", "45000.50"),
            (b, world.laoshan, 2024, "locked", "30000.00"),
            (b, world.laoshan, 2025, "draft", "99999.00"),
        ):
            Ledger.objects.create(
                group=group,
                authority=authority,
                fiscal_year=year,
                status=status,
                total=Decimal(f1) + 100,
                total_f1=Decimal(f1),
                total_f2=Decimal("100.00"),
                confirmed_at=timezone.make_aware(datetime.datetime(year + 1, 1, 10)),
                locked_at=(
                    timezone.make_aware(datetime.datetime(year + 1, 2, 10))
                    if status == "locked"
                    else None
                ),
            )


# --- counts done another way --------------------------------------------------------------------


def _groups_seen(user, day):
    """The groups a reader sees, asked of the registry's own selector, one by one."""
    from groups.registry.selectors import group_list_for_user

    return {g.pk for g in group_list_for_user(user=user, today=day)}


def _in_being(group_ids, day):
    cores = [m for m in Membership.objects.filter(role="core") if m.group_id in group_ids]
    groups = {g.pk: g for g in EducationGroup.objects.all()}
    return {
        m.group_id
        for m in cores
        if m.is_active_on(day)
        and not (groups[m.group_id].dissolved_on and groups[m.group_id].dissolved_on <= day)
    }


def _own_schools(user):
    schools = list(School.objects.all())
    if user.sees_everything:
        return schools
    return [
        s
        for s in schools
        if s.authority_id == user.authority_id or s.district_id == user.authority.district_id
    ]


def _in_a_group(day):
    return {m.school_id for m in Membership.objects.all() if m.is_active_on(day)}


@pytest.mark.parametrize("role", ["city", "district"])
def test_groups_over_time_equal_a_count_of_core_memberships(world, role):
    """Policy A-5: groups in being at each year's end (the chosen day in its own year)."""
    build(world)
    user = world.users[role]
    figures = dashboard_figures(user=user, day=DAY)
    seen = _groups_seen(user, DAY)
    groups = [g for g in EducationGroup.objects.all() if g.pk in seen]
    rows = {r["year"]: r for r in figures["years"]["rows"]}
    assert min(rows) == min(2018, min(y for y, _ in CITY_GROUP_TARGETS))
    assert max(rows) == DAY.year
    for year, row in rows.items():
        end = min(D(year, 12, 31), DAY)
        assert row["in_being"] == len(_in_being(seen, end)), year
        assert row["founded"] == sum(1 for g in groups if g.founded_on.year == year)
        assert row["dissolved"] == sum(
            1 for g in groups if g.dissolved_on and g.dissolved_on.year == year
        )


def test_a5_targets_are_judged_at_each_years_end_for_the_city(world, login):
    """Policy A-5: ≥10 groups by 2020, ≥30 by 2025; a year not over is still open."""
    build(world)
    figures = dashboard_figures(user=world.users["city"], day=DAY)
    targets = {t["year"]: t for t in figures["years"]["targets"]}
    assert [(y, t["target"]) for y, t in targets.items()] == list(CITY_GROUP_TARGETS)
    everyone = set(EducationGroup.objects.values_list("pk", flat=True))
    assert targets[2020]["actual"] == len(_in_being(everyone, D(2020, 12, 31)))
    assert targets[2020]["state"] == "missed"  # 2020 is over, below 10
    assert targets[2025]["actual"] == len(_in_being(everyone, DAY))
    assert targets[2025]["state"] == "open" and targets[2025]["as_of"] == DAY
    html = login(world.users["city"]).get(URL, {"on": "2025-06-30"}).content.decode()
    assert 'data-testid="target-2020"' in html and "未达成" in html and "进行中" in html
    # a district sees its groups, not the city's targets
    assert dashboard_figures(user=world.users["district"], day=DAY)["whole_city"] is False
    html = login(world.users["district"]).get(URL).content.decode()
    assert 'data-testid="targets"' not in html


@pytest.mark.parametrize("role", ["city", "district"])
def test_coverage_by_district_and_stage_equals_schools_asked_one_by_one(world, role):
    build(world)
    user = world.users[role]
    figures = dashboard_figures(user=user, day=DAY)["coverage"]
    schools = _own_schools(user)
    grouped = _in_a_group(DAY)
    by_district = Counter(s.district_id for s in schools)
    in_district = Counter(s.district_id for s in schools if s.pk in grouped)
    assert {r["code"]: (r["total"], r["in_group"]) for r in figures["by_district"]} == {
        code: (n, in_district[code]) for code, n in by_district.items()
    }
    by_stage = Counter(s.stage for s in schools)
    in_stage = Counter(s.stage for s in schools if s.pk in grouped)
    assert {r["stage"]: (r["total"], r["in_group"]) for r in figures["by_stage"]} == {
        stage: (n, in_stage[stage]) for stage, n in by_stage.items()
    }
    assert figures["outside"] == sum(1 for s in schools if s.pk not in grouped)
    if role == "district":  # only 市南's own schools
        assert {r["code"] for r in figures["by_district"]} == {world.shinan.district_id}


def test_cooperation_types_count_the_members_of_the_day(world):
    build(world)
    figures = dashboard_figures(user=world.users["city"], day=DAY)["types"]
    expected = Counter(
        (m.relation_type, m.relation_subtype)
        for m in Membership.objects.filter(role="member")
        if m.is_active_on(DAY)
    )
    found = {
        (t["type"], s["subtype"]): s["count"]
        for t in figures["types"]
        for s in t["subtypes"]
        if s["count"]
    }
    assert found == dict(expected)
    assert figures["total"] == sum(expected.values())


@pytest.mark.parametrize("role", ["city", "district"])
def test_weak_school_shares_per_group_and_overall(world, role):
    """Policy A-4: weak schools among each group's members on the day."""
    build(world)
    PolicyParameters.objects.create(min_weak_share=Decimal("0.250"))
    user = world.users[role]
    weak = dashboard_figures(user=user, day=DAY)["weak"]
    seen = _in_being(_groups_seen(user, DAY), DAY)
    members: dict[int, list] = defaultdict(list)
    for m in Membership.objects.filter(role="member").select_related("school"):
        if m.group_id in seen and m.is_active_on(DAY):
            members[m.group_id].append(m.school.is_weak)
    rows = {r["pk"]: r for r in weak["rows"]}
    assert set(rows) == seen
    for pk, row in rows.items():
        flags = members.get(pk, [])
        assert (row["members"], row["weak"]) == (len(flags), sum(flags))
        assert row["below"] == (not flags or sum(flags) / len(flags) < 0.25)
    assert weak["members"] == sum(len(f) for f in members.values())
    assert weak["weak"] == sum(sum(f) for f in members.values())
    assert weak["minimum"] == Decimal("25.0")


def test_cards_by_year_count_those_issued_by_the_day(world):
    build(world)
    cards = dashboard_figures(user=world.users["city"], day=DAY)["cards"]
    end = timezone.make_aware(datetime.datetime(2025, 7, 1))
    expected: dict[int, Counter] = defaultdict(Counter)
    for card in Card.objects.all():
        if card.issued_at < end:
            expected[timezone.localtime(card.issued_at).year][card.level] += 1
    assert {r["year"]: (r["yellow"], r["red"]) for r in cards} == {
        y: (c["yellow"], c["red"]) for y, c in expected.items()
    }


@pytest.mark.parametrize("role", ["city", "district", "finance"])
def test_subsidies_add_up_the_ledgers_settled_by_the_day(world, role):
    """Policy F-1, F-2, F-4, read through funding's own scope (ledger_list_for_user)."""
    from funding.overview.selectors import ledger_list_for_user

    build(world)
    user = world.users[role]
    day = D(2025, 1, 31)  # the 2024 ledgers are confirmed (10 Jan), not yet locked (10 Feb)
    rows = {r["year"]: r for r in dashboard_figures(user=user, day=day)["subsidies"]}
    end = timezone.make_aware(datetime.datetime(2025, 2, 1))
    expected: dict[int, list] = defaultdict(lambda: [Decimal(0)] * 3)
    for ledger in ledger_list_for_user(user=user):
        if ledger.status in ("confirmed", "locked") and ledger.confirmed_at < end:
            sums = expected[ledger.fiscal_year]
            sums[0] += ledger.total_f1 + ledger.total_f2 + ledger.total_f4
            if ledger.status == "locked" and ledger.locked_at < end:
                sums[1] += ledger.total
    assert {y: (r["total"], r["locked"]) for y, r in rows.items()} == {
        y: (s[0], s[1]) for y, s in expected.items()
    }
    assert 2025 not in rows  # a draft is not counted
    if role != "district":
        assert rows[2024]["locked"] == 0 and rows[2023]["locked"] > 0


def test_figures_are_as_of_the_chosen_day(world, login):
    """A member who left on 1 January 2024 counts in 2023, not after (the membership API)."""
    build(world)
    city = world.users["city"]
    before = dashboard_figures(user=city, day=D(2023, 12, 31))["types"]["total"]
    after = dashboard_figures(user=city, day=D(2024, 1, 1))["types"]["total"]
    assert before == after + 1
    response = login(city).get(URL, {"on": "2023-12-31"})
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "2023-12-31" in title
    header = html[html.index('data-testid="print-header"') :][:600]
    assert "2023-12-31" in header
    assert "2023-12-31" in html[html.index('data-testid="dashboard-title"') :][:200]


def test_a_bad_day_falls_back_to_today_and_says_so(world, login):
    response = login(world.users["city"]).get(URL, {"on": "1800-01-01"})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert "已按今天统计" in response.content.decode()


@pytest.mark.parametrize("role", ["city", "district"])
def test_cycles_in_progress_are_those_open_on_the_day(world, login, role):
    """Policy A-1: the cycles created by the day and not published by then, each with the
    number of the reader's groups it covers (counted here one by one)."""
    from assessments.cycles.models import Cycle, CycleGroup
    from tests.assessments.builders import make_cycle

    def at(*args):
        return timezone.make_aware(datetime.datetime(*args))

    from assessments.frameworks.defaults import build_framework

    framework = build_framework()
    running = make_cycle(world, status="inspection", created_at=at(2025, 3, 1), framework=framework)
    make_cycle(world, name="以后创建", created_at=at(2025, 9, 1), framework=framework)
    make_cycle(
        world,
        name="已发布",
        status="published",
        created_at=at(2024, 3, 1),
        published_at=at(2025, 1, 1),
        framework=framework,
    )
    published_later = make_cycle(
        world,
        name="统计日后发布",
        status="published",
        created_at=at(2024, 3, 1),
        published_at=at(2025, 12, 1),
        framework=framework,
    )
    make_cycle(
        world,
        name="崂山的周期",
        authority=world.laoshan,
        groups=[world.other_group],
        created_at=at(2025, 3, 1),
        framework=framework,
    )
    user = world.users[role]
    cycles = dashboard_figures(user=user, day=DAY)["cycles"]
    seen = _groups_seen(user, DAY)
    end = at(2025, 7, 1)
    expected = {}
    for cycle in Cycle.objects.all():
        if cycle.created_at >= end or (cycle.published_at and cycle.published_at < end):
            continue
        covered = sum(
            1
            for entry in CycleGroup.objects.filter(cycle=cycle)
            if user.sees_everything or entry.group_id in seen
        )
        if user.sees_everything or covered or cycle.authority_id == user.authority_id:
            expected[cycle.pk] = covered
    assert {c["pk"]: c["groups"] for c in cycles} == expected
    assert running.pk in expected and published_later.pk in expected
    assert ("崂山的周期" in [c["name"] for c in cycles]) is (role == "city")
    html = login(user).get(URL, {"on": "2025-06-30"}).content.decode()
    assert running.name in html[html.index('data-testid="cycles"') :]


# --- access, page, charts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("city", True),
        ("district", True),
        ("auditor", True),
        ("admin", True),
        ("finance", True),
        ("principal", False),
        ("member", False),
        ("staffing", False),
    ],
)
def test_who_may_open_the_statistics(world, login, role, allowed):
    """Policy A-1: the supervising authorities; schools see their own group's pages."""
    user = world.users[role]
    assert can_view_dashboard(user).allowed is allowed
    client = login(user)
    for url in (URL, reverse("dashboard:schools-outside"), reverse("dashboard:export")):
        assert client.get(url).status_code == (200 if allowed else 403), url
    home = client.get("/").content.decode()
    assert ('data-testid="nav-dashboard"' in home) is allowed


def test_the_menu_marks_the_statistics_section(world, login):
    html = login(world.users["district"]).get(URL).content.decode()
    menu = html[html.index('data-testid="menu"') :]
    menu = menu[: menu.index("</ul>")]
    assert re.findall(r'aria-current="page"[^>]*>([^<]+)</a>', menu) == ["统计"]


def test_charts_come_from_the_vendored_library_and_a_static_file(world, login):
    build(world)
    html = login(world.users["city"]).get(URL, {"on": "2025-06-30"}).content.decode()
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/dashboard.js" in html
    assert "cdn" not in html.lower()
    # the one <script> without src is the JSON data, never code
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert scripts == ['<script id="dashboard-charts" type="application/json">']
    for canvas in re.findall(r'<canvas data-chart="([a-z_]+)"', html):
        assert f'"{canvas}"' in html[html.index('id="dashboard-charts"') :]
    assert not inline_scripts(html.replace(scripts[0], ""))
    from django.conf import settings

    vendor = settings.BASE_DIR / "static" / "vendor" / "chartjs"
    assert "MIT" in (vendor / "LICENSE").read_text()


def test_every_chart_has_its_numbers_in_a_table(world, login):
    build(world)
    response = login(world.users["city"]).get(URL, {"on": "2025-06-30"})
    html = response.content.decode()
    charts = response.context["charts"]
    assert set(charts) == {
        "groups",
        "coverage_district",
        "coverage_stage",
        "types",
        "weak",
        "cards",
        "subsidies",
    }
    for testid in (
        "group-years",
        "coverage-district",
        "coverage-stage",
        "types",
        "weak-summary",
        "cards",
        "subsidies",
    ):
        assert f'data-testid="{testid}"' in html


def test_schools_in_no_group_are_listed_and_linked(world, login):
    build(world, scale=2)
    user = world.users["district"]
    response = login(user).get(reverse("dashboard:schools-outside"), {"on": "2025-06-30"})
    grouped = _in_a_group(DAY)
    expected = sorted((s.name, s.pk) for s in _own_schools(user) if s.pk not in grouped)
    listed = [(s.name, s.pk) for s in response.context["page_obj"]]
    assert listed == expected[: len(listed)] and len(listed) == len(expected)
    html = response.content.decode()
    for _name, pk in expected:
        assert reverse("members:school-detail", args=[pk]) in html
    assert "崂山独立学校" not in html  # another district's


def test_the_page_speaks_english(world, login):
    user = world.users["city"]
    user.language = "en"
    user.save()
    build(world)
    html = login(user).get(URL, {"on": "2025-06-30"}).content.decode()
    assert "Statistics" in html and "Coverage" in html
    assert "统计日期" not in html


# --- export --------------------------------------------------------------------------------------


def test_the_export_has_one_sheet_per_figure_with_the_pages_numbers(world, login):
    build(world)
    response = login(world.users["city"]).get(reverse("dashboard:export"), {"on": "2025-06-30"})
    assert response.status_code == 200
    assert "dashboard-2025-06-30.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == [
        "集团数量",
        "A-5 目标",
        "覆盖率（区市）",
        "覆盖率（学段）",
        "合作类型",
        "薄弱学校占比",
        "黄牌红牌",
        "经费",
        "进行中的评估周期",
    ]
    figures = dashboard_figures(user=world.users["city"], day=DAY)
    years = list(book["集团数量"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in years] == [
        (r["year"], r["in_being"]) for r in figures["years"]["rows"]
    ]
    money = list(book["经费"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], Decimal(str(r[4]))) for r in money] == [
        (r["year"], r["total"]) for r in figures["subsidies"]
    ]
    coverage = list(book["覆盖率（区市）"].iter_rows(min_row=2, values_only=True))
    assert coverage[-1][1:3] == (figures["coverage"]["total"], figures["coverage"]["in_group"])


def test_a_districts_export_holds_its_scope_only(world, login):
    build(world)
    response = login(world.users["district"]).get(reverse("dashboard:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert "A-5 目标" not in book.sheetnames
    districts = [r[0] for r in book["覆盖率（区市）"].iter_rows(min_row=2, values_only=True)]
    assert districts == ["市南区", "合计"]


# --- queries and cache ---------------------------------------------------------------------------


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _measure(client, user):
    counts = {}
    for name, url in (
        ("page", URL),
        ("outside", reverse("dashboard:schools-outside")),
        ("export", reverse("dashboard:export")),
    ):
        cache.clear()
        inbox_counts(user)  # the menu's count is cached apart (issue 8)
        counts[name] = _count(client, url, {"on": "2025-06-30"})
    counts["page cached"] = _count(client, URL, {"on": "2025-06-30"})
    return counts


# Measured (city / district): page 13 / 15 (session, user, the district's authority and
# visible-group ids; years 2, coverage 2, types 1, weak 1 + the parameters, cards 1, ledgers 1
# and a district's ledger keys 1, cycles 1), cached 6 / 8, schools outside 6 / 7, export 12 / 15.
CEILINGS = {"page": 15, "outside": 7, "export": 15, "page cached": 8}


@pytest.mark.parametrize("role", ["city", "district"])
def test_queries_do_not_grow_with_the_data(client, world, role):
    """Aggregated in the database: the same number of queries at two data sizes."""
    user = User.objects.get(pk=world.users[role].pk)
    client.force_login(user)
    build(world)
    for url in (URL, reverse("dashboard:schools-outside")):
        client.get(url)  # warm per-process caches
    small = _measure(client, user)
    build(world, scale=15)
    large = _measure(client, user)
    assert large == small
    assert large["page cached"] < large["page"]
    for name, n in large.items():
        assert n <= CEILINGS[name], (name, n)


def test_the_registry_figures_follow_a_change_at_once(world, login):
    """Cached per scope and day like the home page's, replaced when the registry changes."""
    client = login(world.users["city"])
    first = client.get(URL, {"on": "2025-06-30"}).context["figures"]["coverage"]["total"]
    SchoolFactory(authority=world.shinan)
    again = client.get(URL, {"on": "2025-06-30"}).context["figures"]["coverage"]["total"]
    assert again == first + 1


def test_two_officers_of_one_district_share_one_computation(world):
    from tests.factories import UserFactory

    other = UserFactory(username="t-district-2", role="district_staff", authority=world.shinan)
    a = dashboard_scope(user=world.users["district"], day=DAY)
    b = dashboard_scope(user=other, day=DAY)
    assert a.key == b.key
    assert dashboard_scope(user=world.users["city"], day=DAY).key != a.key
