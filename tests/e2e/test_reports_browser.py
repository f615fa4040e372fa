"""Issue 10 in a real browser: a published cycle's group report (produced as the worker
produces it) is opened by the group's core principal, its PDF downloaded from the page: the
text (pdftotext) holds the group's Chinese name, the fonts (pdffonts) an embedded CJK font;
the verification page opened without login from the code printed in the PDF shows the SHA-256
of the download (policy A-1). Screenshots of the page go to /tmp/reports/ when asked
(REPORTS_SCREENSHOTS=1)."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from assessments.reports import services
from qingdao_groups.models import OfficialDocument
from tests.assessments.builders import make_published_cycle
from tests.e2e.test_official_documents_browser import _sign_in
from tests.pdf_tools import assert_cjk_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_a_published_report_and_verify_it(
    browser: Browser, browser_context_args, live_server, world, tmp_path
):
    cycle = make_published_cycle(world, groups=[world.group])
    report = services.report_generate(cycle.pk, world.group.pk)
    document = OfficialDocument.objects.get(owner_id=report.pk, kind=services.KIND)
    context, page = _sign_in(browser, browser_context_args, live_server, world.users["principal"])
    page.goto(f"{live_server.url}/assessments/reports/cycle/{cycle.pk}/")
    page.get_by_test_id("report-list").get_by_role("link", name=world.group.name).click()
    expect(page.get_by_test_id("report-group")).to_have_text(world.group.name)
    expect(page.get_by_test_id("report-code")).to_have_text(document.code)
    if os.environ.get("REPORTS_SCREENSHOTS") == "1":
        out = Path("/tmp/reports")
        out.mkdir(exist_ok=True)
        for language in ("zh", "en"):
            if language == "en":
                principal = world.users["principal"]
                principal.language = "en"
                principal.save(update_fields=["language"])
                page.reload()
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=out / f"report-{language}-{width}.png", full_page=True)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (language, width, overflow)
            page.goto(f"{live_server.url}/assessments/reports/cycle/{cycle.pk}/")
            page.screenshot(path=out / f"list-{language}-390.png", full_page=True)
            page.go_back()
    with page.expect_download() as download_info:
        page.get_by_test_id("report-download").click()
    path = tmp_path / "report.pdf"
    download_info.value.save_as(path)
    text = assert_cjk_pdf(path.read_bytes(), world.group.name, world.group.code)
    code = re.search(r"核验码\s*[：:]?\s*([0-9A-Z]{10})", text)
    assert code and code.group(1) == document.code, text
    digest = subprocess.run(
        ["sha256sum", str(path)], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    assert digest == document.sha256

    visitor = browser.new_context(**browser_context_args)
    public = visitor.new_page()
    public.goto(f"{live_server.url}/verify/{code.group(1)}")
    expect(public.get_by_test_id("verify-title")).to_contain_text(world.group.name)
    expect(public.get_by_test_id("verify-sha256")).to_have_text(digest)
    visitor.close()
    context.close()
