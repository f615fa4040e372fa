"""Issue 8, "Language and layout", in a real browser (Chromium).

- Every main page, for every demo role, in Chinese and in English: no horizontal overflow at
  1280, 1366 and 390 px (asserted in the page), the menu on one line at 1280 px and wider and
  collapsed on a phone, and an axe-core scan (vendored in tests/e2e/vendor/axe-core) with no
  serious or critical violation.
- The language chosen with the button follows the person across logout and another browser.
- Printing hides the menu and the buttons and prints the page's identity and the date.
- The skip link, the focus ring, the user menu, the current page marked in the menu."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from members.models import User
from qingdao_groups.demo.data import DEMO_PASSWORD
from tests.conftest import PASSWORD
from tests.e2e.conftest import policy_complaints

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ROLES = ["city", "district", "principal", "member", "auditor", "admin"]
WIDTHS = [1280, 1366, 390]
LISTS = ["/groups/", "/schools/", "/applications/", "/cards/", "/filings/", "/enrollment-plans/"]
MAIN_PAGES = ["/", "/applications/inbox/", *LISTS, "/accounts/password_change/"]

MEASURE = """() => {
  const doc = document.documentElement;
  const menu = document.querySelector('[data-testid=menu]');
  const shown = menu && menu.offsetParent !== null;
  const tops = shown
    ? new Set([...menu.querySelectorAll(':scope > li')].map(li => Math.round(li.getBoundingClientRect().top)))
    : new Set();
  const bar = document.querySelector('[data-testid=main-nav] > .container-fluid');
  const rows = new Set([...bar.children].filter(el => el.offsetParent !== null)
    .map(el => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2)));
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, menuShown: shown,
          menuLines: tops.size, barRows: rows.size};
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def axe_violations(page: Page) -> list[str]:
    """Serious and critical violations on the page; axe is loaded by the context's init script
    (with_axe), so it is sent to the browser once, not once per page."""
    return page.evaluate(AXE_RUN)


def with_axe(context):
    context.add_init_script(path=str(AXE))
    return context


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def switch_language(page: Page, to: str) -> None:
    button = page.get_by_test_id("language-switch").locator(f"button[value={to}]")
    with page.expect_navigation():
        button.click()


def detail_pages(page: Page, base: str) -> list[str]:
    """The first row's page of each list the role may open."""
    found = []
    for path in LISTS:
        response = page.goto(base + path)
        if response is None or response.status != 200:
            continue
        hrefs = page.eval_on_selector_all(
            "main table a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        rows = [h for h in hrefs if h.startswith(path) and h != path and "?" not in h]
        if rows:
            found.append(rows[0])
    return found


@pytest.fixture
def demo(transactional_db):
    """The demo data (every role with something to do, long real names): seeded per test."""
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())


def check_pages(page: Page, base: str, where: str, paths: list[str]) -> tuple[int, list[str]]:
    """Open each page: no overflow at any width, the menu on one line at 1280 px and wider and
    collapsed on a phone, no serious axe violation. Returns (pages opened, problems)."""
    problems: list[str] = []
    opened = 0
    for path in paths:
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = page.goto(base + path)
        if response is None or response.status != 200:
            # A list the role may not open (filings for a principal) is not one of its pages.
            assert path == "/filings/" and where.split()[0] in {"principal", "member"}, where
            continue
        opened += 1
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            m = page.evaluate(MEASURE)
            at = f"{where} {path} at {width}px"
            if m["scrollWidth"] > m["innerWidth"]:
                problems.append(f"{at}: {m['scrollWidth']}px wide")
            if width >= 1280 and not (m["menuShown"] and m["menuLines"] == 1):
                problems.append(f"{at}: the menu takes {m['menuLines']} lines")
            if width >= 1280 and m["barRows"] != 1:
                problems.append(f"{at}: the menu bar has {m['barRows']} rows")
            if width < 992 and m["menuShown"]:
                problems.append(f"{at}: the menu is not collapsed")
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        problems += [f"{where} {path}: {v}" for v in axe_violations(page)]
    # On a phone the scan runs on a stacked list too (the cards' labels, the toggler).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/groups/")
    problems += [f"{where} /groups/ at 390px: {v}" for v in axe_violations(page)]
    return opened, problems


def test_every_main_page_fits_and_passes_the_accessibility_scan(
    browser: Browser, browser_context_args, live_server, demo
):
    """Every demo role, first in Chinese, then in English (switched with the button)."""
    base = live_server.url
    problems: list[str] = []
    opened = 0
    for role in ROLES:
        context = with_axe(browser.new_context(**browser_context_args))
        page = context.new_page()
        page.set_default_timeout(10_000)
        complaints = policy_complaints(page)
        sign_in(page, base, role, DEMO_PASSWORD)
        paths = MAIN_PAGES + detail_pages(page, base)
        for language, lang in (("zh-hans", "zh-CN"), ("en", "en")):
            page.goto(base + "/")
            if language == "en":
                switch_language(page, "en")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            count, found = check_pages(page, base, f"{role} {language}", paths)
            opened += count
            problems += found
        problems += complaints
        context.close()
    assert opened >= 120, opened
    assert not problems, "\n".join(problems)


def test_a_phone_shows_list_rows_as_labelled_cards(page: Page, live_server, world):
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, world.users["city"].username, PASSWORD)
    expect(page.get_by_test_id("menu")).to_be_hidden()
    page.goto(f"{base}/groups/")
    cell = page.locator("main table tbody tr").first.locator("td").nth(1)
    expect(cell).to_have_attribute("data-label", "编号")
    assert page.locator("main table thead").bounding_box()["height"] <= 1
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"编号"'
    page.get_by_role("button", name="菜单").click()
    expect(page.get_by_test_id("menu")).to_be_visible()


def test_the_language_chosen_follows_the_person(
    browser: Browser, browser_context_args, live_server, world
):
    base = live_server.url
    user = world.users["district"]
    first = browser.new_context(**browser_context_args)
    page = first.new_page()
    sign_in(page, base, user.username, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")  # a zh-CN browser and
    switch_language(page, "en")  # an account that never chose: Chinese, until English is chosen
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("language-switch").locator("button")).to_have_text("中文")
    page.get_by_test_id("whoami").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    sign_in(page, base, user.username, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    first.close()

    # Another browser, whose Accept-Language says English for a person who chose Chinese, and
    # Chinese for the person who chose English: the account decides.
    second = browser.new_context(**browser_context_args)
    page = second.new_page()
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    sign_in(page, base, user.username, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Hello")
    second.close()
    user.refresh_from_db()
    assert user.language == "en"

    english = browser.new_context(**{**browser_context_args, "locale": "en-US"})
    page = english.new_page()
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    sign_in(page, base, world.users["city"].username, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    english.close()


def test_a_printed_detail_page_has_no_menu_and_says_what_and_when(page: Page, live_server, world):
    base = live_server.url
    sign_in(page, base, world.users["city"].username, PASSWORD)
    page.goto(f"{base}/groups/{world.group.pk}/")
    header = page.get_by_test_id("print-header")
    expect(header).to_be_hidden()
    expect(page.get_by_test_id("main-nav")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.get_by_test_id("main-nav")).to_be_hidden()
    expect(header).to_be_visible()
    expect(header).to_contain_text("青岛市中小学集团化办学管理系统")
    expect(header).to_contain_text(world.group.code)
    expect(header).to_contain_text(timezone.localdate().isoformat())
    expect(page.locator("h1")).to_contain_text(world.group.name)
    visible_buttons = page.locator("main .btn:visible, main form:visible")
    expect(visible_buttons).to_have_count(0)
    pdf = page.pdf(format="A4")
    assert pdf[:5] == b"%PDF-"


def test_keyboard_skip_link_focus_ring_and_current_page(page: Page, live_server, world):
    base = live_server.url
    sign_in(page, base, world.users["district"].username, PASSWORD)
    page.goto(f"{base}/schools/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    outline = skip.evaluate("a => getComputedStyle(a).outlineStyle")
    assert outline not in ("", "none"), outline
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/schools/#main")

    current = page.get_by_test_id("menu").locator("[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_text("学校")

    # The long role line lives in the user menu, shown on demand.
    role_line = page.get_by_test_id("user-role")
    expect(role_line).to_be_hidden()
    page.get_by_test_id("whoami").click()
    expect(role_line).to_be_visible()
    expect(role_line).to_contain_text(str(User.Role.DISTRICT_STAFF.label))
    expect(page.get_by_test_id("user-menu").get_by_role("link", name="修改密码")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_be_visible()


def test_the_login_page_passes_the_scan_in_both_languages(
    browser: Browser, browser_context_args, live_server, transactional_db
):
    context = with_axe(browser.new_context(**browser_context_args))
    page = context.new_page()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.evaluate(MEASURE)["scrollWidth"] <= width
        assert axe_violations(page) == []
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert axe_violations(page) == []
    context.close()
