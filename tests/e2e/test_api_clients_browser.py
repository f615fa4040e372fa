"""API clients (issue 11) in a real browser: the city's administrator registers a district's
system, copies the key shown once, the key reads that district's groups as of a date over HTTP
and files with the city (D-1); the key is rotated and the client stopped, after which the key
gets 401. Every client page and the API documentation pages fit 1366 and 390 px in Chinese and
English. With SHOTS_DIR set, each page is saved there as a screenshot."""

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from api.models import ApiClient
from members.models import User
from tests.e2e.test_frameworks_browser import OVERFLOW, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR")


def _call(url: str, token: str, *, data: bytes | None = None, content_type: str = ""):
    request = urllib.request.Request(url, data=data)
    request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310  (the test's own server)
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _check(page: Page, name: str, lang: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.wait_for_load_state("networkidle")
        assert page.evaluate(OVERFLOW) <= 0, (name, lang, width)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/api-{name}-{lang}-{width}.png", full_page=True)


def test_a_district_system_gets_a_key_reads_and_files_then_loses_it(page: Page, live_server, world):
    base = live_server.url
    log_in(page, base, world.users["admin"].username)
    page.get_by_test_id("whoami").click()
    page.get_by_test_id("nav-api-clients").click()
    page.get_by_test_id("client-create").click()
    page.fill("#id_name", "市南区教育管理平台")
    page.select_option("#id_authority", str(world.shinan.pk))
    page.check("input[name=scopes][value='registry:read']")
    page.check("input[name=scopes][value='filings:write']")
    page.fill("#id_contact", "王老师 0532-00000000")
    page.get_by_role("button", name="登记并签发密钥").click()
    expect(page.get_by_test_id("new-key")).to_contain_text("只显示这一次")
    token = page.get_by_test_id("new-key-value").inner_text().strip()
    client = ApiClient.objects.get()
    assert client.authority == world.shinan and token.startswith("qg_")

    status, body = _call(f"{base}/api/v1/groups/?as_of=2025-09-01", token)
    assert status == 200, body
    assert [g["code"] for g in body["results"]] == [world.group.code]
    status, body = _call(
        f"{base}/api/v1/filings/",
        token,
        data=json.dumps({"kind": "policy", "title": "市南区集团化办学配套政策"}).encode(),
        content_type="application/json",
    )
    assert status == 201 and body["status"] == "filed"

    page.reload()  # shown once: gone on the next view
    expect(page.get_by_test_id("new-key")).to_have_count(0)
    expect(page.get_by_text("/api/v1/filings/")).to_be_visible()  # the call log
    page.get_by_text("签发新密钥（轮换）").click()
    page.get_by_test_id("rotate").click()
    new_token = page.get_by_test_id("new-key-value").inner_text().strip()
    assert new_token != token
    assert _call(f"{base}/api/v1/schools/", token)[0] == 401
    assert _call(f"{base}/api/v1/schools/", new_token)[0] == 200
    page.get_by_test_id("client-revoke").click()
    page.get_by_role("dialog").get_by_role("button", name="确认").click()
    expect(page.get_by_text("已停用").first).to_be_visible()
    status, body = _call(f"{base}/api/v1/schools/", new_token)
    assert status == 401 and body["code"] == "key_refused"

    pages = [
        ("client-list", "/api/clients/"),
        ("client-create", "/api/clients/new/"),
        ("client-detail", f"/api/clients/{client.pk}/"),
        ("docs", "/api/docs/"),
        ("redoc", "/api/redoc/"),
    ]
    for lang in ("zh", "en"):
        User.objects.update(language="en" if lang == "en" else "zh-hans")
        log_in(page, base, world.users["city"].username)
        for name, path in pages:
            page.goto(base + path)
            _check(page, name, lang)
