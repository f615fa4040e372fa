"""Assessment frameworks (policy A-1 … A-4; issue 10) in a real browser: city staff copy the
published framework, add a derived indicator through the form and publish; every framework
page fits 1366 and 390 px in Chinese and in English (no horizontal overflow). With SHOTS_DIR
set, each page is saved there as a screenshot."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assessments.frameworks.defaults import build_framework
from assessments.frameworks.models import Framework
from members.models import User
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR")
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def _check(page: Page, name: str, lang: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        assert page.evaluate(OVERFLOW) <= 0, (name, lang, width)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{lang}-{width}.png", full_page=True)


def test_a1_copy_edit_and_publish_a_framework_in_the_browser(page: Page, live_server, world):
    base = live_server.url
    published = build_framework()
    log_in(page, base, world.users["city"].username)
    page.goto(f"{base}/assessments/frameworks/{published.pk}/")
    page.get_by_test_id("copy-button").click()
    expect(page.get_by_test_id("status")).to_contain_text("草稿")
    draft = Framework.objects.get(code=published.code, revision=2)
    dim = draft.dimensions.get(code="M")
    page.goto(f"{base}/assessments/frameworks/{draft.pk}/dimensions/{dim.pk}/indicators/add/")
    page.fill("#id_code", "M5")
    page.fill("#id_name", "新吸纳成员校")
    page.select_option("#id_source", "derived")
    page.select_option("#id_derived_key", "admissions_count")
    page.select_option("#id_rule", "linear")
    page.fill("#id_full_at", "2")
    page.fill("#id_zero_at", "0")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("2 所 及以上得满分")).to_be_visible()
    page.get_by_test_id("publish").click()
    page.get_by_role("dialog").get_by_role("button", name="确认").click()
    expect(page.get_by_test_id("status")).to_contain_text("已发布")

    pages = [
        ("framework-list", "principal", "/assessments/frameworks/"),
        ("framework-detail", "principal", f"/assessments/frameworks/{published.pk}/"),
        ("framework-draft", "city", f"/assessments/frameworks/{draft.pk}/"),
        (
            "indicator-edit",
            "city",
            f"/assessments/frameworks/{draft.pk}/dimensions/{dim.pk}/indicators/add/",
        ),
        ("framework-edit", "city", f"/assessments/frameworks/{draft.pk}/edit/"),
    ]
    third = Framework.objects.get(code=published.code, revision=2)
    assert third.status == "published"
    from assessments.frameworks.services import framework_copy

    editable = framework_copy(source=third, actor=world.users["city"])
    pages[2] = ("framework-draft", "city", f"/assessments/frameworks/{editable.pk}/")
    pages[3] = (
        "indicator-add",
        "city",
        f"/assessments/frameworks/{editable.pk}/dimensions/"
        f"{editable.dimensions.get(code='M').pk}/indicators/add/",
    )
    pages[4] = ("framework-edit", "city", f"/assessments/frameworks/{editable.pk}/edit/")
    for lang in ("zh", "en"):
        User.objects.update(language="en" if lang == "en" else "zh-hans")
        for name, role, path in pages:
            log_in(page, base, world.users[role].username)
            page.goto(base + path)
            _check(page, name, lang)
