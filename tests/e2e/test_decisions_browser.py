"""Deciding in a real browser (issue 8, policy L-1, A-4, G-1):

1. the data changes after submission; the deciding officer opens the application and sees the
   policy checks run again, beside the submitted ones, with the change marked;
2. two officers of the deciding bureau decide at once: one approves, the other's 不予批准 asks
   for confirmation first (a modal: Escape cancels, the button confirms) and then lands on the
   application with "已由 <name> 于 <time> 批准" and the state now;
3. a file is uploaded with a progress bar and the page after it is the application's, with the
   message, as after a normal post."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from groups.applications.models import Application
from members.models import User
from tests.conftest import PASSWORD
from tests.e2e.conftest import policy_complaints
from tests.factories import MembershipFactory, UserFactory
from tests.groups import workflow_helpers as h
from tests.test_uploads import make_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser: Browser, browser_context_args, live_server):
    """open_as(user) -> a page in a fresh browser context, signed in through the login form."""
    contexts = []
    watched: list[list[str]] = []  # each page's security-header complaints (tests/e2e/conftest.py)

    def _open(user: User, **context_args) -> Page:
        context = browser.new_context(**(browser_context_args | context_args))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(8_000)
        watched.append(policy_complaints(page))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    yield _open
    for context in contexts:
        context.close()
    assert [c for complaints in watched for c in complaints] == []


@pytest.fixture
def shots(tmp_path_factory) -> Path:
    if os.environ.get("E2E_SCREENSHOT_DIR"):
        path = Path(os.environ["E2E_SCREENSHOT_DIR"])
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


def test_decision_page_marks_checks_that_changed_since_submission(
    open_as, world, live_server, shots
):
    built = h.founding_ready(world)
    # After submission one proposed school joined another group (G-1, a hard rule) and the
    # other became a weak school (A-4, a figure).
    MembershipFactory(school=built.members[0], joined_on=datetime.date(2024, 9, 1))
    school = built.members[1]
    school.is_weak, school.weak_rated_year = True, 2022
    school.save()

    page = open_as(built.decider)
    page.goto(f"{live_server.url}/applications/{built.application.pk}/")
    compared = page.get_by_test_id("checks-compared")
    expect(compared.get_by_test_id("checks-changed")).to_be_visible()
    new_failure = compared.locator("tr[data-change=new_failure]")
    expect(new_failure).to_have_count(1)
    expect(new_failure).to_contain_text("G-1")
    expect(new_failure).to_contain_text("新出现的问题")
    changed = compared.locator("tr[data-change=changed]")
    expect(changed).to_contain_text("A-4")
    expect(changed).to_contain_text("数据有变化")
    form = page.get_by_test_id("decision-form")
    expect(form).to_contain_text("不能批准")
    page.screenshot(path=str(shots / "decision-live-checks.png"), full_page=True)

    # Approving is refused on the live checks, with what was typed kept.
    form.get_by_label("批准", exact=True).check()
    form.get_by_label("审批意见").fill("同意成立")
    form.get_by_role("button", name="提交审批结果").click()
    expect(page.get_by_test_id("decision-form")).to_contain_text("不能批准")
    expect(page.get_by_label("审批意见")).to_have_value("同意成立")
    assert h.fresh(built.application).status == Application.Status.UNDER_DECISION


def test_two_officers_decide_at_once_and_the_loser_is_told(open_as, world, live_server, shots):
    built = h.founding_ready(world)
    winner = built.decider
    winner.last_name, winner.first_name = "李", "娜"
    winner.save()
    loser = UserFactory(
        username="t-second-officer",
        role=User.Role.DISTRICT_STAFF,
        authority=world.shinan,
        last_name="周",
        first_name="平",
    )
    url = f"{live_server.url}/applications/{built.application.pk}/"
    first, second = open_as(winner), open_as(loser)
    first.goto(url)
    second.goto(url)

    # The second officer starts to reject: the modal asks first; Escape cancels it.
    form = second.get_by_test_id("decision-form")
    form.get_by_label("不予批准", exact=True).check()
    form.get_by_label("审批意见").fill("材料不全")
    form.get_by_role("button", name="提交审批结果").click()
    dialog = second.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确定不予批准")
    expect(dialog.get_by_role("button", name="取消", exact=True)).to_be_focused()
    second.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(form.get_by_role("button", name="提交审批结果")).to_be_focused()
    assert h.fresh(built.application).status == Application.Status.UNDER_DECISION

    # Meanwhile the first officer approves.
    form1 = first.get_by_test_id("decision-form")
    form1.get_by_label("批准", exact=True).check()
    form1.get_by_label("审批意见").fill("同意成立")
    form1.get_by_role("button", name="提交审批结果").click()
    expect(first.get_by_test_id("status")).to_have_text("已批准")

    # The second officer confirms the rejection (from the keyboard) and is told who decided.
    second.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="确认").click()
    decided = h.fresh(built.application)
    when = timezone.localtime(decided.decided_at).strftime("%Y-%m-%d %H:%M")
    message = second.locator("main .alert", has_text="已由")
    expect(message).to_have_text(f"该申请已由 李娜 于 {when} 批准。当前状态：已批准。")
    expect(second).to_have_url(url)
    expect(second.get_by_test_id("status")).to_have_text("已批准")
    expect(second.get_by_test_id("decision-form")).to_have_count(0)
    second.screenshot(path=str(shots / "decision-lost.png"), full_page=True)
    assert decided.status == Application.Status.APPROVED
    assert decided.decided_by_id == winner.pk

    # Reloading the page does not post again.
    second.reload()
    expect(second.locator("main .alert", has_text="已由")).to_have_count(0)


def test_upload_shows_progress_and_lands_on_the_application(open_as, world, live_server, tmp_path):
    built = h.founding_draft(world, documents=())
    page = open_as(built.principal)
    url = f"{live_server.url}/applications/{built.application.pk}/"
    page.goto(url)
    big = tmp_path / "集团章程.pdf"
    big.write_bytes(make_pdf(padding=2_000_000))
    form = page.locator("form[enctype='multipart/form-data']")
    form.get_by_label("材料类别").select_option("charter")
    form.get_by_label("文件").set_input_files(str(big))
    with page.expect_request(lambda r: r.method == "POST" and "/upload/" in r.url) as posted:
        form.get_by_role("button", name="上传").click()
    assert posted.value.headers.get("x-requested-with") == "XMLHttpRequest"  # with progress
    expect(page.locator("main .alert", has_text="材料已上传")).to_be_visible()
    expect(page).to_have_url(url)
    expect(page.get_by_test_id("attachments")).to_contain_text("集团章程.pdf")
    # The button of a new form is usable again (the page is a new one).
    expect(page.locator("form[enctype='multipart/form-data'] button[type=submit]")).to_be_enabled()
