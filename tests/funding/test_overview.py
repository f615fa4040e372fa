"""The funding overview pages (issue 9): each role's landing page, an authority's year, the city's
totals and chart, every ledger, the exports of any ledger view and the city's computation of a
year in the worker (policy F-1, F-2, F-4)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.agreements.models import Agreement
from funding.ledgers.models import Ledger, LedgerLine
from funding.ledgers.services import ledger_confirm, ledger_lock, ledgers_compute
from funding.overview.charts import nice_ceiling, year_chart
from funding.overview.selectors import city_figures
from funding.rates.models import RateTable
from members.models import User
from qingdao_groups.core.inbox import inbox_counts
from qingdao_groups.models import Notification
from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db

YEAR = 2025


def rates(world, year=YEAR):
    """市南 pays 60,000 a year per public member (F-1); 市北 pays transport and lodging (F-4)."""
    RateTable.objects.create(
        authority=world.shinan, fiscal_year=year, subsidy_per_member=Decimal("60000")
    )
    RateTable.objects.create(
        authority=world.shibei,
        fiscal_year=year,
        subsidy_per_member=Decimal("1"),
        transport_per_month=Decimal("300"),
        lodging_per_month=Decimal("500.005"),
    )


def funded_world(world, year=YEAR):
    """The world's group with a public 市南 member from 20 March (F-1: 9 months of 12 → 45,000.00)
    and the 市北 member's yearly fee of 10,000 from 1 July (F-2: 6 months → 5,000.00)."""
    rates(world, year)
    same = SchoolFactory(name="市南公办成员", authority=world.shinan, nature="public")
    MembershipFactory(group=world.group, school=same, joined_on=datetime.date(year, 3, 20))
    Agreement.objects.create(
        group=world.group,
        membership=world.membership,
        title="协议",
        fee=Decimal("10000"),
        period="yearly",
        starts_on=datetime.date(year, 7, 1),
        ends_on=datetime.date(year + 2, 6, 30),
        payer="school",
    )
    ledgers_compute(year=year, actor=world.users["principal"])
    return Ledger.objects.get(group=world.group, authority=world.shinan, fiscal_year=year)


def grow(world, groups: int, year=YEAR) -> None:
    """More 市南 groups, each with public 市南 members, computed: more ledgers and lines."""
    for _ in range(groups):
        group = EducationGroupFactory(core_school=SchoolFactory(authority=world.shinan))
        for _m in range(3):
            MembershipFactory(
                group=group,
                school=SchoolFactory(authority=world.shinan, nature="public"),
                joined_on=datetime.date(year - 1, 9, 1),
            )
    ledgers_compute(year=year, actor=world.users["city"])


# --- landing page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "says"),
    [
        ("principal", "测试核心教育集团"),
        ("district", "待确认"),
        ("city", "全市经费汇总"),
        ("finance", "待锁定"),
        ("auditor", "全部台账"),
        ("staffing", "S-1"),
        ("member", "F-2"),
    ],
)
def test_each_role_lands_on_what_to_do_next(login, world, role, says):
    """Policy F-1 … F-4, S-1: the menu's funding page tells each role where to go."""
    funded_world(world)
    response = login(world.users[role]).get(reverse("funding:overview"))
    assert response.status_code == 200
    assert says in response.content.decode()


def test_district_is_told_how_many_ledgers_wait_for_it(login, world):
    """Policy F-1: the paying authority confirms; its landing page counts the drafts."""
    funded_world(world)
    page = login(world.users["district"]).get(reverse("funding:overview")).content.decode()
    drafts = Ledger.objects.filter(authority=world.shinan, status="draft").count()
    assert f"{drafts} 本台账待确认" in page
    assert reverse("funding:authority-year", args=[world.shinan.pk, YEAR]) in page


# --- an authority's year ------------------------------------------------------------------------


def test_authority_year_lists_what_it_pays_with_drafts_first(login, world):
    """Policy F-1: one row per ledger the authority pays, the ones to confirm highlighted, and
    the year's totals by rule equal to the lines."""
    ledger = funded_world(world)
    grow(world, 2)
    first = Ledger.objects.filter(authority=world.shinan, fiscal_year=YEAR).exclude(pk=ledger.pk)
    other = first.first()
    ledger_confirm(ledger=other, actor=world.users["district"], expected_version=other.version)
    response = login(world.users["district"]).get(
        reverse("funding:authority-year", args=[world.shinan.pk, YEAR])
    )
    assert response.status_code == 200
    rows = response.context["page_obj"].object_list
    assert [r.status for r in rows] == sorted(
        (r.status for r in rows), key=["draft", "confirmed", "locked"].index
    )
    assert len(rows) == Ledger.objects.filter(authority=world.shinan, fiscal_year=YEAR).count()
    mine = next(r for r in rows if r.pk == ledger.pk)
    assert mine.by_rule == [Decimal("45000.00"), Decimal("0.00"), Decimal("0.00")]
    totals = response.context["totals"]
    lines = LedgerLine.objects.filter(ledger__authority=world.shinan, ledger__fiscal_year=YEAR)
    assert totals.total == lines.aggregate(s=Sum("amount"))["s"]
    assert totals.to_confirm == len(rows) - 1
    page = response.content.decode()
    assert 'data-to-confirm="1"' in page
    assert "45,000.00" in page


def test_authority_year_filters_by_status_and_group(login, world):
    funded_world(world)
    grow(world, 2)
    client = login(world.users["city"])
    url = reverse("funding:authority-year", args=[world.shinan.pk, YEAR])
    found = client.get(url, {"q": "测试核心"}).context["page_obj"].object_list
    assert [r.group_id for r in found] == [world.group.pk]
    assert not client.get(url, {"status": "locked"}).context["page_obj"].object_list


def test_another_district_and_principals_do_not_see_an_authority_year(login, world):
    """404 outside the scope; the staffing office reads no money (403)."""
    funded_world(world)
    url = reverse("funding:authority-year", args=[world.laoshan.pk, YEAR])
    assert login(world.users["district"]).get(url).status_code == 404
    assert login(world.users["principal"]).get(url).status_code == 404
    assert login(world.users["staffing"]).get(url).status_code == 403
    assert login(world.users["finance"]).get(url).status_code == 200


# --- the city -----------------------------------------------------------------------------------


def test_city_totals_equal_the_sum_of_the_ledgers(login, world):
    """Policy F-1, F-2, F-4: the city's totals by year, by authority, locked or not, add up to the
    ledgers' totals to the fen."""
    shinan = funded_world(world)
    grow(world, 3)
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)
    figures = city_figures()
    all_total = Ledger.objects.aggregate(s=Sum("total"))["s"]
    assert figures.total.total == all_total
    assert figures.by_year[YEAR].locked == shinan.total
    assert figures.by_year[YEAR].open == all_total - shinan.total
    assert sum(t.total for _a, _n, t in figures.by_authority) == all_total
    for authority_id, _name, totals in figures.by_authority:
        assert (
            totals.total
            == Ledger.objects.filter(authority_id=authority_id).aggregate(s=Sum("total"))["s"]
        )
    by_rule = dict(
        LedgerLine.objects.values_list("rule").annotate(s=Sum("amount")).values_list("rule", "s")
    )
    assert figures.total.by_rule["F-1"] == by_rule["F-1"]
    assert figures.total.by_rule["F-2"] == by_rule["F-2"] == Decimal("5000.00")
    page = login(world.users["city"]).get(reverse("funding:city")).content.decode()
    assert f'data-testid="city-total">{all_total:,.2f}<' in page
    assert "已锁定" in page and "未锁定" in page


def test_city_page_is_fresh_after_a_lock(login, world):
    """The cached totals follow the ledgers: a lock moves the amount from 未锁定 to 已锁定."""
    shinan = funded_world(world)
    before = city_figures()
    assert before.by_year[YEAR].locked == 0
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)
    assert city_figures().by_year[YEAR].locked == shinan.total


def test_city_chart_is_server_made_svg_in_both_languages(login, world):
    funded_world(world)
    funded_world_next = world.group  # a second year: 2026's rates and a recomputation
    rates(world, YEAR + 1)
    ledgers_compute(year=YEAR + 1, actor=world.users["city"])
    assert funded_world_next
    city = world.users["city"]
    page = login(city).get(reverse("funding:city")).content.decode()
    assert "<svg" in page and "<script" not in page.split("<main", 1)[-1].split("</main>")[0]
    assert "成员校专项奖补" in page and "万元" in page
    city.language = "en"
    city.save()
    english = login(city).get(reverse("funding:city")).content.decode()
    assert "<svg" in english and "2026" in english


def test_chart_scale():
    assert nice_ceiling(Decimal("45000")) == Decimal("50000")
    assert nice_ceiling(Decimal("120000")) == Decimal("200000")
    assert year_chart([], {}) is None


def test_city_page_is_for_those_who_see_the_city(login, world):
    assert login(world.users["district"]).get(reverse("funding:city")).status_code == 403
    assert login(world.users["staffing"]).get(reverse("funding:city")).status_code == 403
    assert login(world.users["finance"]).get(reverse("funding:city")).status_code == 200


# --- every ledger -------------------------------------------------------------------------------


def test_ledger_list_is_scoped_per_role(login, world):
    """Auditors see every ledger; district staff what their authority pays or approves; the core
    principal their group's (policy F-3)."""
    funded_world(world)
    grow(world, 1)

    def listed(role, **params):
        response = login(world.users[role]).get(reverse("funding:ledger-list"), params)
        return {ledger.pk for ledger in response.context["page_obj"].object_list}

    everything = set(Ledger.objects.values_list("pk", flat=True))
    assert listed("auditor") == everything
    group = set(Ledger.objects.filter(group=world.group).values_list("pk", flat=True))
    assert listed("principal") == group
    district = (
        set(Ledger.objects.filter(authority=world.shinan).values_list("pk", flat=True)) | group
    )
    assert listed("district") == district
    assert listed("auditor", authority=world.shibei.pk) == set(
        Ledger.objects.filter(authority=world.shibei).values_list("pk", flat=True)
    )
    assert listed("auditor", year=YEAR + 1) == set()
    assert listed("auditor", q="测试核心") == group


# --- exports ------------------------------------------------------------------------------------


def _xlsx(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_lines_export_reads_back_with_chinese_headers_and_exact_amounts(login, world):
    """Issue 9: XLSX of any ledger view, Chinese headers, amounts to the fen; the lines add up
    to the ledgers' totals (policy F-1, F-2, F-4)."""
    funded_world(world)
    client = login(world.users["auditor"])
    url = reverse("exports:list", args=["ledger-lines"])
    header, rows = _xlsx(client.get(url, {"format": "xlsx", "year": YEAR}))
    assert header[:4] == ("台账编号", "集团", "财政年度", "付款教育行政部门")
    assert "金额（元）" in header and "计算过程" in header and "调整行" in header
    amount = header.index("金额（元）")
    total = sum(Decimal(str(row[amount])).quantize(Decimal("0.01")) for row in rows)
    assert total == Ledger.objects.filter(fiscal_year=YEAR).aggregate(s=Sum("total"))["s"]
    assert len(rows) == LedgerLine.objects.filter(ledger__fiscal_year=YEAR).count()
    rules = {row[header.index("政策条款")] for row in rows}
    assert {"F-1", "F-2"} <= rules
    # one ledger, by its id
    shinan = Ledger.objects.get(group=world.group, authority=world.shinan)
    header, rows = _xlsx(client.get(url, {"format": "xlsx", "ledger": shinan.pk}))
    assert {row[0] for row in rows} == {shinan.pk}
    assert sum(Decimal(str(row[amount])) for row in rows) == shinan.total
    # a group's year
    _h, rows = _xlsx(client.get(url, {"format": "xlsx", "group": world.group.pk, "year": YEAR}))
    assert {row[1] for row in rows} == {world.group.name}
    # an authority's year, as CSV
    csv = client.get(url, {"format": "csv", "authority": world.shinan.pk, "year": YEAR})
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("台账编号,集团")
    assert "45000.00" in text


def test_ledgers_export_one_row_per_ledger_with_sums_by_rule(login, world):
    funded_world(world)
    client = login(world.users["finance"])
    url = reverse("exports:list", args=["ledgers"])
    header, rows = _xlsx(client.get(url, {"format": "xlsx"}))
    assert "F-1 成员校专项奖补（元）" in header and "合计（元）" in header
    assert len(rows) == Ledger.objects.count()
    f1, f2, f4, total = (
        header.index(h)
        for h in (
            "F-1 成员校专项奖补（元）",
            "F-2 合作协议费用（元）",
            "F-4 派驻人员补助（元）",
            "合计（元）",
        )
    )
    for row in rows:
        parts = sum(Decimal(str(row[i])).quantize(Decimal("0.01")) for i in (f1, f2, f4))
        assert parts == Decimal(str(row[total])).quantize(Decimal("0.01"))


def test_exports_stay_within_what_the_reader_sees(login, world):
    funded_world(world)
    url = reverse("exports:list", args=["ledger-lines"])
    _h, rows = _xlsx(
        login(world.users["principal"]).get(url, {"format": "xlsx", "authority": world.laoshan.pk})
    )
    assert rows == []
    assert login(world.users["staffing"]).get(url, {"format": "xlsx"}).status_code == 403


def test_export_buttons_carry_the_authority_and_year(login, world):
    funded_world(world)
    page = (
        login(world.users["district"])
        .get(reverse("funding:authority-year", args=[world.shinan.pk, YEAR]))
        .content.decode()
    )
    assert f'name="authority" value="{world.shinan.pk}"' in page
    assert f'name="year" value="{YEAR}"' in page


# --- computing the city's year ------------------------------------------------------------------


def test_city_computes_a_year_in_the_worker_and_is_notified(
    login, world, django_capture_on_commit_callbacks
):
    """Policy F-1, F-2, F-4: the city bureau computes the whole year; under eager Celery the
    task runs once the request's transaction commits (the task outbox, issue 10) and the
    officer gets a notice linking to the year's totals."""
    rates(world)
    city = world.users["city"]
    with django_capture_on_commit_callbacks(execute=True):
        response = login(city).post(reverse("funding:compute-year"), {"year": YEAR})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('funding:city')}?year={YEAR}"
    assert Ledger.objects.filter(fiscal_year=YEAR).exists()
    assert Ledger.objects.filter(fiscal_year=YEAR).first().computed_by_id == city.pk
    notice = Notification.objects.get(user=city)
    assert f"?year={YEAR}" in notice.url
    again = login(city).post(reverse("funding:compute-year"), {"year": YEAR})
    assert again.status_code == 302
    assert (
        Ledger.objects.filter(fiscal_year=YEAR).count()
        == Ledger.objects.filter(fiscal_year=YEAR, sequence=1).count()
    )  # idempotent: no duplicate ledgers


def test_only_the_city_computes_the_whole_year(login, world):
    for role in ("district", "finance", "auditor", "principal"):
        response = login(world.users[role]).post(reverse("funding:compute-year"), {"year": YEAR})
        assert response.status_code == 403, role
    assert not Ledger.objects.exists()


def test_a_bad_year_is_refused_with_a_message(login, world):
    response = login(world.users["city"]).post(
        reverse("funding:compute-year"), {"year": "12345"}, follow=True
    )
    assert "财政年度" in response.content.decode()
    assert not Ledger.objects.exists()


# --- queries do not grow with the data ----------------------------------------------------------


# Ceilings per page: session, user, and the page's own queries (the menu's work-list count is
# counted before, as tests/test_query_counts.py does). The city's figures computed: the
# generation and two GROUP BY queries.
CEILINGS = {"authority-year": 10, "ledger-list": 8, "overview": 6, "city": 6}


def _count(client, user, url) -> int:
    cache.clear()
    inbox_counts(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["city", "district", "auditor"])
def test_overview_pages_keep_their_queries_whatever_the_data(client, world, role):
    funded_world(world)
    user = User.objects.get(pk=world.users[role].pk)
    client.force_login(user)
    urls = {
        "authority-year": reverse("funding:authority-year", args=[world.shinan.pk, YEAR]),
        "ledger-list": reverse("funding:ledger-list"),
        "overview": reverse("funding:overview"),
    }
    if role != "district":
        urls["city"] = reverse("funding:city")
    for url in urls.values():
        client.get(url)
    small = {name: _count(client, user, url) for name, url in urls.items()}
    grow(world, 30)
    large = {name: _count(client, user, url) for name, url in urls.items()}
    assert large == small
    for name, n in large.items():
        assert n <= CEILINGS[name], (name, n)


def test_city_totals_cached_cost_one_query(client, world):
    """Warm, the city's totals are read from the cache under the ledgers' generation."""
    funded_world(world)
    user = User.objects.get(pk=world.users["city"].pk)
    client.force_login(user)
    url = reverse("funding:city")
    cold = _count(client, user, url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) <= cold - 2


def test_a_large_lines_export_runs_as_a_job_within_the_readers_scope(
    client, world, settings, django_capture_on_commit_callbacks
):
    """Issue 9: a large export of ledger lines goes through the export helper's background job,
    keeps the authority and year it was asked with, and adds up to the ledgers' totals."""
    from qingdao_groups.models import ExportJob

    funded_world(world)
    grow(world, 2)
    settings.EXPORT_ASYNC_THRESHOLD = 2
    client.force_login(world.users["district"])
    url = reverse("exports:list", args=["ledger-lines"])
    offered = client.get(url, {"format": "xlsx", "authority": world.shinan.pk, "year": YEAR})
    assert reverse("exports:start", args=["ledger-lines"]) in offered.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exports:start", args=["ledger-lines"]),
            {"format": "xlsx", "authority": world.shinan.pk, "year": YEAR},
        )
    job = ExportJob.objects.get()
    assert job.status == "done"
    sheet = openpyxl.load_workbook(job.file.open("rb")).active
    rows = list(sheet.iter_rows(values_only=True))
    amount = rows[0].index("金额（元）")
    paid = Ledger.objects.filter(authority=world.shinan, fiscal_year=YEAR)
    assert len(rows) - 1 == LedgerLine.objects.filter(ledger__in=paid).count()
    assert sum(Decimal(str(r[amount])) for r in rows[1:]) == paid.aggregate(s=Sum("total"))["s"]
