"""Issue 8 in a real browser: the 市南 bureau approves a founding, downloads its 批复 from the
application page, and the PDF's text (pdftotext) holds the group's Chinese name and the 文号,
its fonts (pdffonts) are embedded CJK fonts, and its verification page — opened without login
from the code printed in the PDF — shows the SHA-256 that `sha256sum` computes of the download
(policy L-1)."""

import re
import subprocess

import pytest
from playwright.sync_api import Browser, expect

from groups.applications.models import Application
from qingdao_groups.models import OfficialDocument
from tests.conftest import PASSWORD
from tests.groups import workflow_helpers as h
from tests.pdf_tools import assert_cjk_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser: Browser, browser_context_args, live_server, user):
    context = browser.new_context(**browser_context_args, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())  # "are you sure?" of irreversible steps
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return context, page


def test_decide_download_the_reply_and_verify_it(
    browser: Browser, browser_context_args, live_server, world, tmp_path
):
    built = h.founding_ready(world)
    application = built.refresh()
    name = application.proposed_name
    context, page = _sign_in(browser, browser_context_args, live_server, built.decider)
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    form = page.get_by_test_id("decision-form")
    form.get_by_label("批准", exact=True).check()
    form.get_by_label("审批意见").fill("材料齐全，同意成立。")
    form.get_by_role("button", name="提交审批结果").click()
    expect(page.get_by_test_id("status")).to_have_text("已批准")
    assert Application.objects.get(pk=application.pk).status == "approved"

    # The 批复 is linked on the page the moment the decision is made.
    link = page.get_by_test_id("official-documents").get_by_role("link", name=name, exact=False)
    expect(link).to_contain_text(f"关于同意成立{name}的批复")
    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / "reply.pdf"
    download_info.value.save_as(path)
    data = path.read_bytes()

    document = OfficialDocument.objects.get(owner_id=application.pk, kind="application_reply")
    text = assert_cjk_pdf(data, name, document.number, "同意成立")
    code = re.search(r"核验码：\s*([0-9A-Z]{10})", text)
    assert code, text
    assert code.group(1) == document.code
    digest = subprocess.run(
        ["sha256sum", str(path)], capture_output=True, text=True, check=True
    ).stdout.split()[0]

    # Anyone holding the paper: a fresh browser, no login.
    visitor = browser.new_context(**browser_context_args)
    public = visitor.new_page()
    public.goto(f"{live_server.url}/verify/{code.group(1)}")
    expect(public.get_by_test_id("verify-number")).to_have_text(document.number)
    expect(public.get_by_test_id("verify-title")).to_contain_text(name)
    expect(public.get_by_test_id("verify-sha256")).to_have_text(digest)
    public.goto(f"{live_server.url}/verify/ZZZZZZZZZZ")
    expect(public.get_by_test_id("verify-unknown")).to_contain_text("未找到该核验码对应的文件")
    visitor.close()
    context.close()
