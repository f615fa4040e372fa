"""The funding overview pages in a real browser (issue 9): the landing page, an authority's year,
the city's totals with its SVG chart and every ledger, in Chinese and English, at 1366 and
390 px: no horizontal overflow and no serious or critical axe-core violation. With SHOTS_DIR set,
each page is also saved as a full-page screenshot there (for a person to look at)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from funding.ledgers.services import ledgers_compute
from tests.conftest import PASSWORD
from tests.e2e.test_layout_browser import axe_violations, sign_in, with_axe
from tests.funding.test_overview import YEAR, funded_world, grow, rates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]


def _pages(world) -> dict[str, list[str]]:
    authority_year = f"/funding/authorities/{world.shinan.pk}/{YEAR}/"
    return {
        "city": ["/funding/", "/funding/city/", "/funding/all-ledgers/", authority_year],
        "district": ["/funding/", authority_year],
        "principal": ["/funding/", "/funding/all-ledgers/"],
        "finance": ["/funding/"],
    }


def test_overview_pages_fit_and_read_in_both_languages(browser: Browser, live_server, world):
    funded_world(world)
    rates(world, YEAR - 1)
    ledgers_compute(year=YEAR - 1, actor=world.users["city"])
    grow(world, 3)
    shots = Path(os.environ["SHOTS_DIR"]) if os.environ.get("SHOTS_DIR") else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    problems = []
    for role, paths in _pages(world).items():
        user = world.users[role]
        for language in ("zh-hans", "en"):
            user.language = language
            user.save(update_fields=["language"])
            context = with_axe(browser.new_context(locale="zh-CN"))
            page = context.new_page()
            page.set_default_timeout(10_000)
            sign_in(page, live_server.url, user.username, PASSWORD)
            for path in paths:
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(f"{live_server.url}{path}")
                    at = f"{role} {language} {width}px {path}"
                    wide = page.evaluate("() => document.documentElement.scrollWidth")
                    if wide > width:
                        problems.append(f"{at}: {wide}px wide")
                    if shots:
                        name = path.strip("/").replace("/", "_") or "funding"
                        page.screenshot(
                            path=str(shots / f"{role}-{language}-{width}-{name}.png"),
                            full_page=True,
                        )
                problems += [f"{role} {language} {path}: {v}" for v in axe_violations(page)]
            context.close()
    assert problems == []
