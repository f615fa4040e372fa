"""A city user in a real browser: log in, open a group, see its members; switch to English."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state()


def test_city_user_opens_a_group_and_sees_its_members(
    page: Page, live_server, transactional_db, world, tmp_path
):
    base = live_server.url
    log_in(page, base, world.users["city"].username, PASSWORD)

    expect(page).to_have_url(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("home-heading")).to_contain_text("您好")
    expect(page.get_by_role("heading", name="需要关注")).to_be_visible()

    page.locator("nav").get_by_role("link", name="教育集团", exact=True).click()
    expect(page.locator("h1")).to_contain_text("教育集团")
    page.get_by_role("link", name=world.group.name, exact=True).click()

    expect(page.locator("h1")).to_contain_text(world.group.name)
    row = page.get_by_test_id("members").locator("tr", has_text=world.member_school.name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("聚合型")

    shot = tmp_path / "group-detail.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000, "the screenshot looks blank"


def test_language_button_switches_to_english(page: Page, live_server, transactional_db, world):
    base = live_server.url
    log_in(page, base, world.users["city"].username, PASSWORD)
    page.goto(f"{base}/groups/")
    expect(page.locator("h1")).to_contain_text("教育集团")

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Education groups")
    page.get_by_role("link", name=world.group.name, exact=True).click()
    expect(
        page.get_by_test_id("members").locator("tr", has_text=world.member_school.name)
    ).to_contain_text("Aggregation")


def test_wrong_password_shows_a_chinese_error(page: Page, live_server, transactional_db, world):
    base = live_server.url
    log_in(page, base, world.users["city"].username, "not-the-password")

    expect(page).to_have_url(f"{base}/accounts/login/")
    expect(page.locator("main form")).to_contain_text("请输入一个正确的")
    expect(page.locator("input[name=username]")).to_have_value(world.users["city"].username)
