"""Dispatched staff (policy F-4), income against spending (policy F-3) and awards (policy F-5)
in a real browser: each page, in Chinese and in English, at 1366 and 390 px, has no horizontal
overflow and no serious axe-core violation; the principal records a spending with its receipt
through the page. SHOTS_DIR=<folder> keeps a screenshot of each page."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from funding.awards.models import Award
from funding.awards.services import award_record
from funding.dispatches.models import Dispatch
from funding.dispatches.services import dispatch_create
from funding.ledgers.services import ledgers_compute
from funding.rates.models import RateTable
from funding.spending.models import Spending
from funding.spending.services import spending_record
from tests.conftest import PASSWORD
from tests.e2e.test_browser import log_in
from tests.e2e.test_layout_browser import AXE, axe_violations
from tests.factories import MembershipFactory, SchoolFactory
from tests.groups.workflow_helpers import MINIMAL_PDF, pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date
SHOTS = os.environ.get("SHOTS_DIR")


def _data(world) -> None:
    RateTable.objects.create(
        authority=world.shibei,
        fiscal_year=2025,
        subsidy_per_member=Decimal("1"),
        transport_per_month=Decimal("300"),
        lodging_per_month=Decimal("500"),
    )
    RateTable.objects.create(
        authority=world.shinan,
        fiscal_year=2025,
        subsidy_per_member=Decimal("60000"),
        transport_per_month=Decimal("280"),
        lodging_per_month=Decimal("420"),
    )
    near = SchoolFactory(name="青岛市市南区实验小学分校（东部校区）", authority=world.shinan)
    MembershipFactory(group=world.group, school=near, joined_on=D(2025, 3, 20))
    principal = world.users["principal"]
    for name, role, school, start, end in (
        ("王海涛", Dispatch.Role.EXECUTIVE_PRINCIPAL, world.member_school, D(2024, 9, 1), None),
        ("李静", Dispatch.Role.KEY_TEACHER, near, D(2025, 9, 1), D(2026, 1, 31)),
        ("张伟", Dispatch.Role.MANAGER, world.member_school, D(2023, 2, 1), D(2024, 7, 31)),
    ):
        dispatch_create(
            group=world.group,
            school_id=school.pk,
            person_name=name,
            role=role,
            starts_on=start,
            ends_on=end,
            actor=principal,
        )
    for category, amount, day, note in (
        (Spending.Category.TRAINING, "12800.00", D(2025, 4, 12), "骨干教师跨校跟岗培训（两期）"),
        (Spending.Category.EQUIPMENT, "36500.50", D(2025, 6, 3), "成员校创客实验室设备购置"),
    ):
        spending_record(
            group=world.group,
            category=category,
            amount=Decimal(amount),
            spent_on=day,
            note=note,
            receipt=pdf("发票.pdf"),
            actor=principal,
        )
    ledgers_compute(year=2025, actor=world.users["city"])
    for level, title in (
        (Award.Level.CITY, "青岛市集团化办学先进集体"),
        (Award.Level.PROVINCIAL, "山东省优秀教学团队"),
    ):
        award_record(
            group=world.group,
            recipient_kind=Award.RecipientKind.GROUP,
            recipient_name="",
            title=title,
            level=level,
            year=2025,
            amount=Decimal("50000"),
            actor=world.users["city"],
        )


def _check(page: Page, name: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (name, width)
    assert axe_violations(page) == [], name
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_f3_f4_f5_pages_fit_a_phone_and_a_laptop(page: Page, live_server, world, language):
    """Policies F-3, F-4, F-5: no overflow at 1366 and 390 px, no serious axe violation."""
    _data(world)
    principal = world.users["principal"]
    principal.language = language
    principal.save(update_fields=["language"])
    city = world.users["city"]
    city.language = language
    city.save(update_fields=["language"])
    page.context.add_init_script(path=str(AXE))
    base = live_server.url
    pages = {
        "dispatch-list": f"/funding/dispatches/groups/{world.group.pk}/?year=2025",
        "dispatch-create": f"/funding/dispatches/groups/{world.group.pk}/new/",
        "spending-list": f"/funding/spending/groups/{world.group.pk}/2025/",
        "award-list": "/funding/awards/",
    }
    for who, user in (("principal", principal), ("city", city)):
        page.context.clear_cookies()
        log_in(page, base, user.username, PASSWORD)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages.items():
                if who == "city" and name in ("dispatch-create", "spending-list"):
                    continue
                if who == "principal" and name == "award-list":
                    continue
                page.goto(base + path)
                _check(page, f"{name}-{who}-{language}-{width}")
            if who == "city":
                page.goto(base + "/funding/awards/new/")
                _check(page, f"award-create-city-{language}-{width}")


def test_f3_the_principal_records_a_spending_with_its_receipt(
    page: Page, live_server, world, tmp_path
):
    """Policy F-3: through the page — amount, date, purpose and a receipt — the row appears
    with its receipt and the balance moves."""
    base = live_server.url
    log_in(page, base, world.users["principal"].username, PASSWORD)
    page.goto(f"{base}/funding/spending/groups/{world.group.pk}/2025/")
    form = page.get_by_test_id("spending-form")
    form.locator("select[name=category]").select_option("activities")
    form.locator("input[name=amount]").fill("880")
    form.locator("input[name=spent_on]").fill("2025-05-20")
    form.locator("input[name=note]").fill("研学实践交通费")
    receipt = tmp_path / "凭证.pdf"
    receipt.write_bytes(MINIMAL_PDF)
    form.locator("input[name=receipt]").set_input_files(str(receipt))
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("spending-row")).to_have_count(1)
    expect(page.get_by_test_id("receipt-link")).to_have_text("凭证.pdf")
    expect(page.get_by_test_id("spending-total")).to_contain_text("880.00")
    expect(page.get_by_test_id("balance")).to_contain_text("-880.00")
