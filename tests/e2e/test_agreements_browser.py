"""Members' cooperation agreements in a real browser (policy F-2): the core principal records a
payment through the agreement page; every agreement page fits at 1366 and 390 px in Chinese and
in English with no serious accessibility violation. Screenshots go to SHOTS_DIR when set
(e.g. /tmp/shots-agreements) for a person to look at."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from funding.agreements.models import Agreement, Receivable
from funding.agreements.services import agreement_create, payment_record
from funding.ledgers.services import ledgers_compute
from groups.charter.models import GroupDocument
from members.models import User
from tests.conftest import PASSWORD
from tests.e2e.test_layout_browser import axe_violations, sign_in, with_axe
from tests.factories import MembershipFactory, SchoolFactory
from tests.test_uploads import make_pdf, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "")
WIDTHS = [1366, 390]


def _agreements(world) -> Agreement:
    principal = world.users["principal"]
    agreement = agreement_create(
        group=world.group,
        school_id=world.member_school.pk,
        title="市北测试成员学校合作办学协议（2025—2028）",
        fee=Decimal("12000"),
        period="yearly",
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2028, 3, 31),
        payer="authority",
        due_month=12,
        note="按年支付，每年12月底前付清。",
        file=upload(make_pdf(), "市北测试成员学校合作办学协议.pdf"),
        actor=principal,
    )
    second = SchoolFactory(name="青岛市北区第二实验小学（崂山路校区）", authority=world.shibei)
    MembershipFactory(group=world.group, school=second, joined_on=datetime.date(2024, 9, 1))
    agreement_create(
        group=world.group,
        school_id=second.pk,
        title="第二实验小学合作协议",
        fee=Decimal("3000"),
        period="per_term",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2027, 8, 31),
        payer="school",
        due_month=6,
        actor=principal,
    )
    document = GroupDocument(
        group=world.group,
        kind=GroupDocument.Kind.AGREEMENT,
        version=1,
        title="测试核心教育集团合作办学协议（成立时）",
        original_name="合作办学协议.pdf",
        adopted_on=datetime.date(2019, 9, 1),
    )
    document.file.save("agreement.pdf", ContentFile(make_pdf()), save=False)
    document.save()
    for year in (2024, 2025):
        ledgers_compute(year=year, actor=principal)
    payment_record(
        receivable=Receivable.objects.get(agreement=agreement, fiscal_year=2025),
        amount=Decimal("4000"),
        paid_on=datetime.date(2025, 11, 20),
        note="第一笔",
        actor=principal,
    )
    return agreement


def _shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_f2_principal_records_a_payment_and_pages_fit(
    browser, browser_context_args, live_server, world
):
    agreement = _agreements(world)
    receivable = Receivable.objects.get(agreement=agreement, fiscal_year=2025)
    base = live_server.url
    pages = {
        "list": f"/funding/agreements/groups/{world.group.pk}/?year=2025",
        "detail": f"/funding/agreements/{agreement.pk}/",
        "create": f"/funding/agreements/groups/{world.group.pk}/new/",
        "edit": f"/funding/agreements/{agreement.pk}/edit/",
        "receivables": "/funding/agreements/receivables/",
    }
    problems: list[str] = []
    for language in ("zh-hans", "en"):
        User.objects.filter(pk=world.users["principal"].pk).update(language=language)
        context = with_axe(browser.new_context(**browser_context_args))
        page = context.new_page()
        page.set_default_timeout(5_000)
        sign_in(page, base, "t-principal", PASSWORD)
        for name, path in pages.items():
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(base + path)
                assert response is not None and response.status == 200, path
                size = page.evaluate(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]"
                )
                if size[0] > size[1]:
                    problems.append(f"{language} {name} at {width}px: {size[0]}px wide")
                _shoot(page, f"{name}-{language}-{width}")
            problems += [f"{language} {name}: {v}" for v in axe_violations(page)]
        context.close()
    assert not problems, problems

    # The principal (the payee) pays off 2025 through the page: above the balance is refused.
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    User.objects.filter(pk=world.users["principal"].pk).update(language="zh-hans")
    sign_in(page, base, "t-principal", PASSWORD)
    page.goto(base + pages["detail"])
    form = page.get_by_test_id("payment-form")
    form.locator("select[name=pay-receivable]").select_option(str(receivable.pk))
    form.locator("input[name=pay-amount]").fill("5000.01")
    form.locator("input[name=pay-paid_on]").fill("2025-12-20")
    form.locator("button[type=submit]").click()
    expect(page.get_by_text("超过 2025 年度应收款的未收余额 5,000.00 元")).to_be_visible()
    form = page.get_by_test_id("payment-form")
    form.locator("input[name=pay-amount]").fill("5000.00")
    form.locator("button[type=submit]").click()
    expect(page.get_by_text("已登记 2025 年度到账 5,000.00 元。")).to_be_visible()
    context.close()
