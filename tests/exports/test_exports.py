"""The one export helper (issue 8): every list's export in XLSX and CSV, its headers in the
reader's language, its rows within the reader's scope and the page's filters, formulas kept as
text, the membership as of a day from `Membership.objects.active_on`, and a constant number of
queries whatever the number of rows."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from groups.applications.models import Application
from groups.cards.models import Card
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.registry.models import EducationGroup, Membership
from members.models import User
from qingdao_groups.core.exports import registered_exports
from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

KEYS = ["groups", "applications", "cards", "filings", "plans", "schools"]
ROLES = ["city", "district", "principal", "member", "auditor", "admin"]


def read_xlsx(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "CSV starts with a BOM (Excel reads it as UTF-8)"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export(client, key: str, fmt: str = "xlsx", **params) -> list[list]:
    response = client.get(reverse("exports:list", args=[key]), {"format": fmt, **params})
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content)
    return read_xlsx(content) if fmt == "xlsx" else read_csv(content)


@pytest.fixture
def items(world):
    """One application, card, filing and plan in the world's group (市南/市北) and one of each in
    the 崂山 group nobody acts for; names carry 'own'/'other' to be found in the files."""
    other_principal = UserFactory(role=User.Role.CORE_PRINCIPAL, school=world.other_core)
    other_membership = world.other_group.memberships.get(role="member")
    laoshan_staff = UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.laoshan)
    for which, core, group, authority, membership, principal, staff in (
        ("own", world.core, world.group, world.shinan, world.membership,
         world.users["principal"], world.users["district"]),
        ("other", world.other_core, world.other_group, world.laoshan, other_membership,
         other_principal, laoshan_staff),
    ):  # fmt: skip
        Application.objects.create(
            kind=Application.Kind.FOUNDING,
            applicant_school=core,
            proposed_name=f"{which}申请集团",
            deciding_authority=authority,
            created_by=principal,
        )
        Card.objects.create(
            membership=membership,
            group=group,
            level=Card.Level.YELLOW,
            status="yellow_issued",
            ground=Card.Ground.AGREEMENT,
            description="未履行协议",
            deadline=datetime.date(2099, 1, 1),
            issued_by=staff,
        )
        Filing.objects.create(
            authority=authority,
            kind=Filing.Kind.PROJECT,
            title=f"{which}报备项目",
            project_starts_on=datetime.date(2030, 1, 1),
            filed_on=datetime.date(2025, 3, 1),
            status=Filing.Status.FILED,
            filed_by=staff,
        )
        EnrollmentPlan.objects.create(
            school=core,
            year=2026,
            places=200,
            classes=5,
            catchment="测试片区",
            method=EnrollmentPlan.Method.CATCHMENT,
            status="filed",
            filed_by=principal,
        )
    return world


# --- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_list_exports_its_headers(client, world, key, fmt):
    client.force_login(world.users["city"])
    rows = export(client, key, fmt)
    with translation.override("zh-hans"):
        expected = [str(h) for h in registered_exports()[key].spec.headers]
    assert rows[0] == expected
    assert all("\u4e00" <= h[0] <= "\u9fff" for h in expected), expected  # Chinese headers


@pytest.mark.parametrize("key", ["groups", "applications", "cards", "filings", "plans"])
def test_headers_in_the_readers_language(client, world, key):
    """A reader of English gets English headers (the school list keeps the import's Chinese
    ones: the file re-imports)."""
    reader = world.users["city"]
    reader.language = "en"  # the reader's choice, kept on the account
    reader.save(update_fields=["language"])
    client.force_login(reader)
    rows = export(client, key, "csv", language="en")
    with translation.override("en"):
        expected = [str(h) for h in registered_exports()[key].spec.headers]
    assert rows[0] == expected
    assert not any("\u4e00" <= c <= "\u9fff" for h in expected for c in h), expected


def test_the_xlsx_header_row_is_frozen_and_bold(client, world):
    client.force_login(world.users["city"])
    response = client.get(reverse("exports:list", args=["groups"]), {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b


# --- scope --------------------------------------------------------------------------------

# What each role's export holds of the world's two groups: ("own" 市南 group, "other" 崂山 group).
SEES_BOTH = {"city", "auditor", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_group_members_export_respects_scope(client, world, role):
    client.force_login(world.users[role])
    rows = export(client, "groups")
    groups = {row[1] for row in rows[1:]}
    schools = {row[3] for row in rows[1:]}
    assert "测试核心教育集团" in groups
    assert {"青岛测试核心学校", "市北测试成员学校"} <= schools
    if role in SEES_BOTH:
        assert "崂山其他教育集团" in groups
    else:  # a district, a principal: no row of a group they do not see
        assert "崂山其他教育集团" not in groups
        assert not any("崂山" in str(cell) for row in rows[1:] for cell in row)


# Principals see no filings; member principals see their school's cards and plans only.
EXPECTED = {
    # key: {role: (own rows present, other rows present)}
    "applications": {
        "city": (True, True), "district": (True, False), "principal": (True, False),
        "member": (False, False), "auditor": (True, True), "admin": (True, True),
    },
    "filings": {
        "city": (True, True), "district": (True, False), "principal": (False, False),
        "member": (False, False), "auditor": (True, True), "admin": (True, True),
    },
}  # fmt: skip
MARKERS = {"applications": "申请集团", "filings": "报备项目"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["applications", "filings"])
def test_workflow_exports_respect_scope(client, items, role, key):
    client.force_login(items.users[role])
    texts = [" ".join(str(c) for c in row) for row in export(client, key)[1:]]
    own, other = EXPECTED[key][role]
    assert any(f"own{MARKERS[key]}" in t for t in texts) is own
    assert any(f"other{MARKERS[key]}" in t for t in texts) is other


@pytest.mark.parametrize("role", ROLES)
def test_card_and_plan_exports_respect_scope(client, items, role):
    client.force_login(items.users[role])
    cards = export(client, "cards", "csv")
    plans = export(client, "plans", "csv")
    card_schools = {row[1] for row in cards[1:]}
    plan_schools = {row[0] for row in plans[1:]}
    if role in SEES_BOTH:
        assert card_schools == {"市北测试成员学校", "崂山其他成员学校"}
        assert plan_schools == {"青岛测试核心学校", "崂山其他核心学校"}
    else:
        assert "崂山其他成员学校" not in card_schools
        assert "崂山其他核心学校" not in plan_schools
    if role in ("district", "principal", "member"):
        assert card_schools == {"市北测试成员学校"}


def test_district_export_has_no_row_of_another_district(client, world):
    """市南's officer exports the school list: every row is a school of its scope, none of 崂山."""
    client.force_login(world.users["district"])
    rows = export(client, "schools", "csv")
    assert rows[1:]
    assert not any("崂山" in " ".join(row) for row in rows[1:])


# --- the page's filters --------------------------------------------------------------------


def test_export_honours_the_list_filters(client, items):
    client.force_login(items.users["city"])
    rows = export(client, "groups", q="崂山")
    assert {row[1] for row in rows[1:]} == {"崂山其他教育集团"}
    rows = export(client, "filings", district="laoshan")
    assert [row[2] for row in rows[1:]] == ["other报备项目"]
    closed = export(client, "cards", state="closed")
    assert closed[1:] == []


def test_the_list_page_offers_both_formats_with_its_filters(client, world):
    client.force_login(world.users["district"])
    html = client.get(reverse("groups:group-list"), {"q": "测试", "page": "1"}).content.decode()
    assert reverse("exports:list", args=["groups"]) in html
    assert 'name="format" value="xlsx"' in html and 'name="format" value="csv"' in html
    assert '<input type="hidden" name="q" value="测试">' in html
    assert 'name="page"' not in html.split("export-buttons")[1].split("</form>")[0]
    assert 'type="date" name="on"' in html


# --- formulas -------------------------------------------------------------------------------


def test_formulas_are_neutralised(client, world):
    SchoolFactory(name='=HYPERLINK("http://x","点我")', authority=world.shinan)
    MembershipFactory(
        group=world.group,
        school=SchoolFactory(name="=1+1学校", authority=world.shinan),
    )
    client.force_login(world.users["city"])
    response = client.get(reverse("exports:list", args=["groups"]), {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c for row in book.active.iter_rows(min_row=2) for c in row if c.value == "=1+1学校"]
    assert cells and all(c.data_type == "s" for c in cells)  # text, not a formula
    rows = export(client, "groups", "csv")
    assert "'=1+1学校" in {row[3] for row in rows[1:]}
    schools = export(client, "schools", "xlsx")
    assert '=HYPERLINK("http://x","点我")' in {row[0] for row in schools[1:]}


# --- as of a day ---------------------------------------------------------------------------


def test_members_as_of_a_day_are_active_on_that_day(client, world):
    """One row per membership in force on the chosen day, exactly what `active_on` says."""
    group = world.group
    left = SchoolFactory(name="已退出学校", authority=world.shinan)
    MembershipFactory(
        group=group,
        school=left,
        joined_on=datetime.date(2020, 9, 1),
        left_on=datetime.date(2024, 9, 1),
        end_reason=Membership.EndReason.EXIT,
    )
    MembershipFactory(
        group=group,
        school=SchoolFactory(name="新加入学校", authority=world.shinan),
        joined_on=datetime.date(2024, 9, 1),
    )
    MembershipFactory(
        group=group,
        school=SchoolFactory(name="拟退出学校", authority=world.shinan),
        joined_on=datetime.date(2021, 3, 1),
        left_on=datetime.date(2099, 1, 1),
        end_reason=Membership.EndReason.EXIT,
    )
    client.force_login(world.users["district"])
    for day in (datetime.date(2019, 9, 1), datetime.date(2024, 8, 31), datetime.date(2024, 9, 1)):
        rows = export(client, "groups", on=day.isoformat())
        got = sorted((row[1], row[3]) for row in rows[1:])
        expected = sorted(
            Membership.objects.active_on(day)
            .filter(group=group)
            .values_list("group__name", "school__name")
        )
        assert got == expected, day
    rows = export(client, "groups", "csv", on="2024-08-31")
    states = {row[3]: row[11] for row in rows[1:]}
    assert states["已退出学校"] == "拟退出" and states["市北测试成员学校"] == "在册"
    assert {row[3]: row[10] for row in rows[1:]}["已退出学校"] == "2024-09-01"


def test_a_bad_date_is_said_on_the_list_page(client, world):
    client.force_login(world.users["city"])
    url = reverse("exports:list", args=["groups"])
    response = client.get(url, {"format": "xlsx", "on": "2024-13-45", "q": "测试"}, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("groups:group-list"))
    assert "q=" in response.redirect_chain[0][0]
    assert "不是有效的日期" in response.content.decode()


def test_an_unknown_list_or_format(client, world):
    client.force_login(world.users["city"])
    assert client.get(reverse("exports:list", args=["nothing"])).status_code == 404
    response = client.get(reverse("exports:list", args=["groups"]), {"format": "pdf"})
    assert response.status_code == 400


# --- queries --------------------------------------------------------------------------------


def _export_queries(client, key: str) -> int:
    client.get(reverse("exports:list", args=[key]), {"format": "csv"})  # warm (ContentType …)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("exports:list", args=[key]), {"format": "csv"})
        b"".join(response.streaming_content)
    return len(queries)


def test_an_export_runs_the_same_queries_for_ten_times_the_rows(client, world):
    client.force_login(world.users["city"])
    before = {key: _export_queries(client, key) for key in KEYS}
    for _ in range(10):
        group = EducationGroupFactory(core_school=SchoolFactory(authority=world.shinan))
        for _ in range(3):
            MembershipFactory(group=group, school=SchoolFactory(authority=world.shibei))
    after = {key: _export_queries(client, key) for key in KEYS}
    assert after == before
    assert EducationGroup.objects.count() == 12


def test_rows_are_read_as_plain_values(world, monkeypatch):
    """No model object is built per row: the export reads values_list."""
    from qingdao_groups.core.exports import ExportQuery

    user = world.users["city"]
    for key, export in registered_exports().items():
        query = export.query(user, __import__("django.http").http.QueryDict())
        assert isinstance(query, ExportQuery)
        rows = list(query.rows())
        assert all(not hasattr(cell, "_meta") for row in rows for cell in row), key
        with translation.override("zh-hans"):
            assert all(len(row) == len(export.spec.columns) for row in rows), key


def test_dates_are_dates(client, items):
    items.users["city"].refresh_from_db()
    client.force_login(items.users["city"])
    rows = export(client, "applications")
    created = rows[1][7]
    assert isinstance(created, datetime.datetime)  # an Excel date cell
    assert created.date() == timezone.localdate()
