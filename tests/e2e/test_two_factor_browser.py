"""Two-factor sign-in (issue 12) in a real browser, enforced as in production: a city officer
signs in with the password, is sent to enrolment, reads the QR code's key off the page, types
the authenticator's code and gets ten recovery codes; next time the sign-in asks for a code;
after a lost phone the administrator resets it with a reason and the officer enrols again. Every
two-factor page fits 1366 and 390 px in Chinese and English. With SHOTS_DIR set, each page is
saved there as a screenshot."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from members.models import SecondFactorEvent, User
from tests.conftest import PASSWORD
from tests.e2e.test_frameworks_browser import _check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret: str, steps: int = 0) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps
    return f"{totp.token():06d}"


def _password(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()


@pytest.fixture
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_an_officer_enrols_signs_in_with_a_code_and_is_reset_after_losing_the_phone(
    page: Page, live_server, world, enforced, browser
):
    base = live_server.url
    officer = world.users["city"]
    _password(page, base, officer.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/\?next=%2F$"))
    expect(page.get_by_test_id("two-factor-required")).to_be_visible()
    expect(page.get_by_test_id("two-factor-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("two-factor-secret").inner_text().strip()

    page.fill("input[name=token]", "000000")
    page.get_by_test_id("two-factor-enrol-submit").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码不正确")

    page.fill("input[name=token]", _code(secret))
    page.get_by_test_id("two-factor-enrol-submit").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("recovery-codes-done").click()
    expect(page).to_have_url(f"{base}/")

    # The next sign-in asks for the code.
    page.get_by_test_id("whoami").click()
    page.get_by_test_id("logout").click()
    _password(page, base, officer.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    page.fill("input[name=token]", _code(secret, 1))
    page.get_by_test_id("two-factor-verify-submit").click()
    expect(page).to_have_url(f"{base}/")

    # The phone is lost: the administrator (verified in their own browser) resets it.
    admin_context = browser.new_context(locale="zh-CN")
    admin_page = admin_context.new_page()
    _password(admin_page, base, world.users["admin"].username)
    admin_secret = admin_page.get_by_test_id("two-factor-secret").inner_text().strip()
    admin_page.fill("input[name=token]", _code(admin_secret))
    admin_page.get_by_test_id("two-factor-enrol-submit").click()
    admin_page.get_by_test_id("recovery-codes-done").click()
    admin_page.goto(f"{base}/accounts/two-factor/reset/{officer.pk}/")
    admin_page.fill("textarea[name=reason]", "手机遗失，已电话回拨核实本人")
    admin_page.get_by_test_id("two-factor-reset-submit").click()
    expect(admin_page.locator(".alert-success")).to_contain_text("已重置")
    expect(admin_page.get_by_text("手机遗失，已电话回拨核实本人")).to_be_visible()
    event = SecondFactorEvent.objects.get(user=officer, kind="reset")
    assert event.actor == world.users["admin"]

    # The officer's next page asks them to enrol again.
    page.goto(f"{base}/groups/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))

    for lang in ("zh", "en"):
        User.objects.update(language="en" if lang == "en" else "zh-hans")
        page.goto(f"{base}/accounts/two-factor/enrol/")
        _check(page, "2fa-enrol", lang)
        admin_page.goto(f"{base}/accounts/two-factor/")
        _check(admin_page, "2fa-settings", lang)
        admin_page.goto(f"{base}/accounts/two-factor/reset/{officer.pk}/")
        _check(admin_page, "2fa-reset", lang)
    admin_context.close()
