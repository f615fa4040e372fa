"""The work list in a real browser (issue 8): the city ticks two filings and acknowledges them
at once, the menu's count follows; a district reminds the city about its filing from the
follow-up view and sees the reminder logged on the filing's page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from groups.filings.models import Filing
from tests.conftest import PASSWORD
from tests.e2e.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _filing(world, title: str) -> Filing:
    today = timezone.localdate() - datetime.timedelta(days=1)
    return Filing.objects.create(
        authority=world.shinan,
        kind=Filing.Kind.POLICY,
        title=title,
        filed_on=today,
        first_filed_on=today,
        filed_by=world.users["district"],
    )


def test_city_acknowledges_filings_at_once_and_a_district_reminds(
    page: Page, live_server, transactional_db, world, browser
):
    """Policy L-2, D-1: bulk acknowledgement through the work list; a reminder logged."""
    base = live_server.url
    for title in ("报备甲", "报备乙", "报备丙"):
        _filing(world, title)
    log_in(page, base, world.users["city"].username, PASSWORD)
    expect(page.get_by_test_id("nav-inbox-count")).to_contain_text("3")
    page.get_by_test_id("nav-inbox").click()
    rows = page.get_by_test_id("inbox-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("还剩")
    page.get_by_role("checkbox", name="选择“报备甲”").check()
    page.get_by_role("checkbox", name="选择“报备乙”").check()
    page.get_by_test_id("bulk-ack").click()
    expect(page.get_by_role("alert").first).to_contain_text("已确认 2 件报备")
    expect(page.get_by_test_id("inbox-row")).to_have_count(1)
    expect(page.get_by_test_id("nav-inbox-count")).to_contain_text("1")

    district = browser.new_page(locale="zh-CN")
    log_in(district, base, world.users["district"].username, PASSWORD)
    district.goto(f"{base}/applications/inbox/?view=watch")
    row = district.get_by_test_id("inbox-row").filter(has_text="报备丙")
    row.get_by_test_id("remind").click()
    expect(district.get_by_role("alert").first).to_contain_text(f"已向 {world.city.name} 发出催办")
    district.get_by_role("link", name="报备丙").click()
    expect(district.get_by_test_id("reminder-row")).to_have_count(1)
    expect(district.get_by_test_id("reminders")).to_contain_text("手动")
