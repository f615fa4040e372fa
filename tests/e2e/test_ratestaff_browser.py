"""Rate tables (policy F-1, F-4) and staffing requests (policy S-1, S-2) in a real browser: a
district saves a new version from the form, the staffing office marks a request handled, and
every page of theirs fits 1366 and 390 px in Chinese and in English (no horizontal overflow).
With SHOTS_DIR set, each page is saved there as a screenshot."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from funding.ledgers.services import ledgers_compute
from funding.rates.models import RateTable
from funding.rates.services import rate_table_create_version
from funding.staffing.models import StaffingRequest
from funding.staffing.services import staffing_request_submit
from members.models import User
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR")
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def _data(world):
    v1 = rate_table_create_version(
        authority=world.shinan,
        fiscal_year=2025,
        actor=world.users["district"],
        subsidy_per_member=Decimal("60000"),
        stage_rates={"junior": Decimal("80000")},
        transport_per_month=Decimal("300"),
        lodging_per_month=Decimal("500"),
        note="青教发〔2025〕3号",
    )
    member = SchoolFactory(name="市南公办成员学校", authority=world.shinan, nature="public")
    MembershipFactory(group=world.group, school=member, joined_on=datetime.date(2024, 1, 1))
    ledgers_compute(year=2025, actor=world.users["city"])
    principal = world.users["principal"]
    principal.rank = User.Rank.SECOND
    principal.save()
    staffing = staffing_request_submit(
        group=world.group,
        kind=StaffingRequest.Kind.QUOTA,
        count=4,
        reason="派出 3 名骨干教师到成员校任教，本校教学岗位缺编，申请增加教师编制",
        actor=principal,
    )
    return v1, staffing


def _check(page: Page, name: str, lang: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        assert page.evaluate(OVERFLOW) <= 0, (name, lang, width)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{lang}-{width}.png", full_page=True)


def test_f1_s1_rate_and_staffing_pages_in_the_browser(page: Page, live_server, world):
    """Policy F-1, F-4, S-1, S-2: the district saves version 2 from the form (values copied from
    version 1); the staffing office handles a request; no page overflows at 1366 or 390 px."""
    base = live_server.url
    v1, staffing = _data(world)

    log_in(page, base, world.users["district"].username)
    page.goto(f"{base}/funding/rates/{world.shinan.pk}/2025/new/")
    expect(page.locator("#id_subsidy_per_member")).to_have_value("60000.00")
    page.fill("#id_subsidy_per_member", "-5")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("不能为负数")
    page.fill("#id_subsidy_per_member", "70000")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.get_by_test_id("in-force")).to_be_visible()
    assert RateTable.objects.filter(authority=world.shinan).count() == 2

    log_in(page, base, world.users["staffing"].username)
    page.goto(f"{base}/funding/staffing/{staffing.pk}/")
    page.fill("#id_note", "已纳入 2026 年编制调整计划")
    page.get_by_role("button", name="标记为已处理").click()
    expect(page.get_by_test_id("status")).to_contain_text("已处理")
    other = staffing_request_submit(
        group=world.group,
        kind=StaffingRequest.Kind.SENIOR_POST,
        count=1,
        reason="增设高级教师岗位",
        actor=world.users["principal"],
    )

    pages = [
        ("rate-list", "city", "/funding/rates/"),
        ("rate-detail", "principal", f"/funding/rates/{v1.pk}/"),
        ("rate-create", "district", f"/funding/rates/{world.shinan.pk}/2025/new/"),
        ("staffing-list", "staffing", "/funding/staffing/"),
        ("staffing-detail", "staffing", f"/funding/staffing/{other.pk}/"),
        ("staffing-create", "principal", "/funding/staffing/new/"),
        (
            "principal-rank",
            "city",
            f"/funding/staffing/principals/{world.users['principal'].pk}/rank/",
        ),
    ]
    for lang in ("zh", "en"):
        User.objects.update(language="en" if lang == "en" else "zh-hans")
        for name, role, path in pages:
            log_in(page, base, world.users[role].username)
            page.goto(base + path)
            _check(page, name, lang)
