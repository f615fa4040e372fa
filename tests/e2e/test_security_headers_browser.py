"""The Content-Security-Policy in a real browser (issue 12): the pages that carry the most script
work under it (the dashboard's Chart.js charts, Swagger UI and Redoc with their nonces), and
code the policy does not allow is refused and reported (which the `page` fixture's console
watch, tests/e2e/conftest.py, turns into a failure in every browser test)."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import policy_complaints
from tests.e2e.test_frameworks_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_its_charts(page: Page, live_server, world):
    log_in(page, live_server.url, world.users["city"].username)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("networkidle")
    drawn = page.evaluate(
        """() => [...document.querySelectorAll("canvas[data-chart]")].map(
               c => Boolean(window.Chart && window.Chart.getChart(c)) && c.width > 0)"""
    )
    assert drawn and all(drawn), drawn


def test_the_api_documentation_renders_under_the_policy(page: Page, live_server):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    page.goto(f"{live_server.url}/api/redoc/")
    expect(page.locator("[role=menu]").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/v1/groups/").first).to_be_attached()
    page.wait_for_timeout(500)  # the search worker starts after the page


def test_code_the_policy_does_not_allow_is_refused_and_reported(browser, live_server):
    """Checked on a page of its own, so the fixture's watch does not fail this test."""
    page = browser.new_page()
    complaints = policy_complaints(page)
    page.goto(f"{live_server.url}/accounts/login/")
    ran = page.evaluate(
        """() => {
             window.injected = false;
             const s = document.createElement("script");
             s.textContent = "window.injected = true";
             document.body.appendChild(s);
             const st = document.createElement("style");
             st.textContent = "body { background: red }";
             document.head.appendChild(st);
             return [window.injected, getComputedStyle(document.body).backgroundColor];
           }"""
    )
    assert ran[0] is False and ran[1] != "rgb(255, 0, 0)"
    page.wait_for_timeout(200)
    assert len(complaints) >= 2, complaints
    page.close()
