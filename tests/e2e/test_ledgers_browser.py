"""Issue 9 in a real browser: one fiscal year walked by the people who do it (policy F-1, F-2).
The core principal opens the group's year, computes it and opens a line's explanation; the 市南
bureau confirms the ledger it pays; a finance reviewer locks it (the page asks first) and the
archived statement downloads as a PDF with the group's Chinese name in it; the XLSX export is
taken when the ledger lines' export is registered. Screenshots at 1366 px and 390 px go to
/tmp/shots-ledgerpages/; no page is wider than the screen."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, expect

from funding.agreements.models import Agreement
from funding.ledgers.models import Ledger
from funding.rates.models import RateTable
from members.models import User
from qingdao_groups.core.exports import registered_exports
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, SchoolFactory, UserFactory
from tests.pdf_tools import assert_cjk_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2025
SHOTS = Path("/tmp/shots-ledgerpages")
WIDE = "() => document.documentElement.scrollWidth - window.innerWidth"


def _sign_in(browser: Browser, browser_context_args, live_server, user, width=1366):
    context = browser.new_context(
        **browser_context_args | {"viewport": {"width": width, "height": 900}},
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return context, page


def _shoot(page, name: str) -> None:
    """The page at 1366 px and at 390 px (a phone), full length; neither overflows."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate(WIDE) <= 0, f"{name} is wider than {width}px"
    page.set_viewport_size({"width": 1366, "height": 900})


def _data(world):
    RateTable.objects.create(
        authority=world.shinan, fiscal_year=YEAR, subsidy_per_member=Decimal("60000")
    )
    RateTable.objects.create(
        authority=world.shibei, fiscal_year=YEAR, subsidy_per_member=Decimal("50000")
    )
    for name, nature, joined in (
        ("青岛市南实验小学", "public", datetime.date(YEAR, 3, 20)),
        ("青岛市南育才学校", "public", datetime.date(2023, 9, 1)),
        ("青岛市南民办启明学校", "private", datetime.date(2024, 1, 1)),
    ):
        school = SchoolFactory(name=name, authority=world.shinan, nature=nature)
        MembershipFactory(group=world.group, school=school, joined_on=joined)
    Agreement.objects.create(
        group=world.group,
        membership=world.membership,
        title="市北成员校合作办学协议",
        fee=Decimal("10000"),
        period="yearly",
        starts_on=datetime.date(YEAR, 7, 1),
        ends_on=datetime.date(YEAR + 2, 6, 30),
        payer="school",
    )


def test_a_year_is_computed_explained_confirmed_locked_and_its_statement_downloaded(
    browser: Browser, browser_context_args, live_server, world, tmp_path
):
    _data(world)
    base = live_server.url
    year_url = f"{base}/funding/ledgers/groups/{world.group.pk}/{YEAR}/"

    # The core principal computes the year and asks why the first subsidy is what it is.
    context, page = _sign_in(browser, browser_context_args, live_server, world.users["principal"])
    page.goto(year_url)
    expect(page.get_by_test_id("no-ledgers")).to_be_visible()
    page.get_by_role("button", name="计算本年度").click()
    expect(page.locator("main .alert-success")).to_contain_text("新建 2 本台账", timeout=30_000)
    line = page.get_by_test_id("ledger-line").filter(has_text="青岛市南实验小学")
    explain = line.get_by_test_id("line-explain")
    expect(explain.get_by_test_id("line-formula")).to_be_hidden()
    explain.locator("summary").click()
    expect(explain.get_by_test_id("line-formula")).to_have_text(
        "60,000.00 元/年 × 9/12 个月 = 45,000.00 元"
    )
    expect(explain).to_contain_text("《意见》五、（三）")
    expect(explain).to_contain_text("加入集团日期")
    expect(
        page.get_by_test_id("ledger-line").filter(has_text="青岛市南民办启明学校")
    ).to_contain_text("民办成员校")
    expect(page.get_by_test_id("income")).to_contain_text("110,000.00")  # 45,000 + 60,000 + 5,000
    _shoot(page, "group-year")
    context.close()

    ledger = Ledger.objects.get(group=world.group, authority=world.shinan, fiscal_year=YEAR)
    ledger_url = f"{base}/funding/ledgers/{ledger.pk}/"

    # The 市南 bureau confirms what it pays.
    context, page = _sign_in(browser, browser_context_args, live_server, world.users["district"])
    page.goto(ledger_url)
    page.get_by_role("button", name="确认台账").click()
    expect(page.get_by_test_id("ledger-status").first).to_have_text("已确认")
    context.close()

    # A finance reviewer locks it; the page asks first.
    finance = UserFactory(
        username="t-finance-2",
        role=User.Role.FINANCE_REVIEWER,
        last_name="财",
        first_name="审核",
    )
    context, page = _sign_in(browser, browser_context_args, live_server, finance)
    page.goto(ledger_url)
    _shoot(page, "ledger-confirmed")
    page.get_by_role("button", name="锁定台账").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("确定锁定该台账")
    dialog.get_by_role("button", name="确认").click()
    # Locking renders and archives the statement in the same transaction: allow for a slow PDF.
    expect(page.get_by_test_id("ledger-status").first).to_have_text("已锁定", timeout=60_000)

    # The archived statement downloads as a PDF with the group's Chinese name in it.
    link = page.get_by_test_id("official-document-download")
    expect(link).to_contain_text("经费台账结算单")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "statement.pdf"
    info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert_cjk_pdf(data, world.group.name, "青岛市南实验小学")
    _shoot(page, "ledger-locked")

    # 复核: the locked figures are reproduced from the history.
    page.get_by_test_id("verify-link").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("完全一致")
    _shoot(page, "ledger-verify")

    # The ledger lines' export, when the part of issue 9 that registers it is there.
    if "ledger-lines" in registered_exports():
        page.goto(ledger_url)
        with page.expect_download() as info:
            page.get_by_role("button", name="导出 Excel").click()
        with open(info.value.path(), "rb") as file:
            sheet = openpyxl.load_workbook(io.BytesIO(file.read())).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert any("青岛市南实验小学" in str(cell) for row in rows[1:] for cell in row)
    context.close()

    # The same year in English fits a phone too.
    principal = world.users["principal"]
    principal.language = "en"
    principal.save(update_fields=["language"])
    context, page = _sign_in(browser, browser_context_args, live_server, principal)
    page.goto(year_url)
    expect(page.get_by_role("button", name="Compute this year")).to_be_visible()
    page.get_by_test_id("line-explain").first.locator("summary").click()
    _shoot(page, "group-year-en")
    context.close()
