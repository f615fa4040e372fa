"""Issue 3 in a real browser (Chromium): one whole founding (L-1, L-2) and one yellow-then-red
card (L-6), each step done by the person who does it, through the real login form, in a
browser context of their own.

1. A 市南 core principal drafts a founding with two proposed members from 市北 and 崂山, uploads
   plan, agreement and charter, submits; 市北 and 崂山 staff consent (L-1); 市南 staff see the
   policy checks with their clause IDs (A-4 warns), must give a written justification, approve;
   the group exists with its members; city staff acknowledge the filing (L-2).
2. 市南 staff warn a member with a yellow card, the member principal rectifies, staff reject the
   rectification with a new deadline, the member rectifies again, staff escalate to red: the
   membership ends "红牌淘汰"."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from groups.applications.models import Application, Consent
from groups.applications.workflows import ApplicationStatus, ConsentStatus
from groups.cards.models import Card
from groups.cards.workflows import CardStatus
from groups.filings.models import Filing
from groups.filings.workflows import FilingStatus
from groups.registry.models import EducationGroup, Membership
from members.models import User
from tests.conftest import PASSWORD
from tests.factories import SchoolFactory, UserFactory
from tests.groups.workflow_helpers import MINIMAL_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = MINIMAL_PDF


@pytest.fixture
def open_as(browser: Browser, browser_context_args, live_server):
    """open_as(user) -> a page in a fresh browser context, signed in through the login form."""
    contexts = []

    def _open(user: User) -> Page:
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_test_id("whoami")).to_contain_text(user.username)
        return page

    yield _open
    for context in contexts:
        context.close()


def alert(page: Page, text: str) -> None:
    """The flash message shown after a POST-redirect (role=alert in base.html)."""
    expect(page.locator("main .alert", has_text=text).first).to_be_visible()


def shoot(page: Page, shots: Path, name: str) -> Path:
    path = shots / name
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 20_000, "the screenshot looks blank"
    return path


@pytest.fixture
def shots(tmp_path_factory) -> Path:
    """Where the screenshots go: E2E_SCREENSHOT_DIR if set (to look at them), else a tmp dir."""
    if os.environ.get("E2E_SCREENSHOT_DIR"):
        path = Path(os.environ["E2E_SCREENSHOT_DIR"])
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


# --- 1. founding: principal drafts → two authorities consent → district approves → city files --


def test_founding_through_consents_approval_and_city_filing(open_as, world, tmp_path, shots):
    today = timezone.localdate()
    core = SchoolFactory(name="青岛新建核心学校", authority=world.shinan, principal_name="王立新")
    founder = UserFactory(username="t-founder", role=User.Role.CORE_PRINCIPAL, school=core)
    north = SchoolFactory(name="市北拟加入学校", authority=world.shibei)
    east = SchoolFactory(name="崂山拟加入学校", authority=world.laoshan)
    shibei_staff = UserFactory(
        username="t-shibei", role=User.Role.DISTRICT_STAFF, authority=world.shibei
    )
    laoshan_staff = UserFactory(
        username="t-laoshan", role=User.Role.DISTRICT_STAFF, authority=world.laoshan
    )
    name = "青岛新建核心学校教育集团"
    documents = {}
    for kind, filename in (
        ("plan", "集团化办学方案.pdf"),
        ("agreement", "合作办学协议.pdf"),
        ("charter", "集团章程.pdf"),
    ):
        documents[kind] = tmp_path / filename
        documents[kind].write_bytes(PDF)

    # The principal drafts (L-1).
    principal = open_as(founder)
    principal.get_by_test_id("nav-inbox").click()  # its name carries the count (issue 8)
    principal.get_by_role("link", name="申请成立集团").click()
    expect(principal.locator("h1")).to_contain_text("申请成立教育集团")
    principal.get_by_label("拟定集团名称").fill(name)
    principal.get_by_label("集团特色").fill("科技创新")
    principal.get_by_role("button", name="创建草稿").click()
    alert(principal, "已创建草稿")
    expect(principal.get_by_test_id("status")).to_have_text("草稿")
    application_url = principal.url

    for school in (north, east):
        section = principal.locator("details", has_text="添加学校")
        section.locator("summary").click()
        # the picker searches (issue 7: no list of every school): type, then choose a result
        section.get_by_test_id("school-search").fill(school.name)
        choice = section.locator("select[name=school] option", has_text=school.name)
        expect(choice).to_have_count(1)
        section.locator("select[name=school]").select_option(value=choice.get_attribute("value"))
        section.get_by_label("合作类型").select_option(label="融合型")
        section.get_by_label("合作子类型").select_option(label="融合复制型")
        section.get_by_role("button", name="添加").click()
        alert(principal, f"已添加拟加入学校：{school.name}")
    members = principal.get_by_test_id("proposed-members")
    expect(members).to_contain_text(north.name)
    expect(members).to_contain_text(east.name)

    for label, path in (
        ("集团化办学方案", documents["plan"]),
        ("合作办学协议", documents["agreement"]),
        ("集团章程", documents["charter"]),
    ):
        principal.get_by_label("材料类别").select_option(label=label)
        principal.get_by_label("文件").set_input_files(str(path))
        principal.get_by_role("button", name="上传", exact=True).click()
        # posted with a progress bar (static/js/forms.js): the next page comes after the upload
        expect(principal.get_by_test_id("attachments")).to_contain_text(path.name)
        alert(principal, "材料已上传")
    attachments = principal.get_by_test_id("attachments")
    for path in documents.values():
        expect(attachments).to_contain_text(path.name)

    principal.get_by_test_id("submit").click()
    alert(principal, "已提交")
    expect(principal.get_by_test_id("status")).to_have_text("待成员校主管部门出具意见")
    expect(principal.locator("main")).to_contain_text("当前等待：")
    expect(principal.get_by_test_id("consents")).to_contain_text(world.shibei.name)
    expect(principal.get_by_test_id("consents")).to_contain_text(world.laoshan.name)

    # Each proposed member's authority consents, in parallel (L-1).
    for staff, authority in ((shibei_staff, world.shibei), (laoshan_staff, world.laoshan)):
        page = open_as(staff)
        page.get_by_test_id("nav-inbox").click()  # its name carries the count (issue 8)
        row = page.get_by_test_id("inbox").locator("tr", has_text=name)
        expect(row).to_contain_text("待出具意见")
        row.get_by_role("link", name=name).click()
        expect(page.locator("main")).to_contain_text(f"{authority.name}的意见")
        agree = page.get_by_label("同意", exact=True)
        expect(agree).not_to_have_css("appearance", "none")  # a radio the user can see
        agree.check()
        page.get_by_role("button", name="提交意见").click()
        alert(page, "已记录贵单位的意见")
        consent_row = page.get_by_test_id("consents").locator("tr", has_text=authority.name)
        expect(consent_row).to_contain_text("同意")
    expect(page.get_by_test_id("status")).to_have_text("待审批")

    # 市南 staff decide: the checks show their clauses; A-4 warns, so a justification is needed.
    district = open_as(world.users["district"])
    district.get_by_test_id("nav-inbox").click()  # its name carries the count (issue 8)
    row = district.get_by_test_id("inbox").locator("tr", has_text=name)
    expect(row).to_contain_text("待审批")
    row.get_by_role("link", name=name).click()
    expect(district.get_by_test_id("status")).to_have_text("待审批")
    checks = district.get_by_test_id("checks").first
    for clause in ("G-1", "L-1", "G-3", "A-4"):
        expect(checks.locator(".clause-tag", has_text=clause).first).to_be_visible()
    expect(checks.locator("tr.table-warning", has_text="A-4")).to_contain_text("薄弱学校占成员校")
    expect(checks).to_contain_text("提示（批准须书面说明）")
    form = district.get_by_test_id("decision-form")
    approve = form.get_by_label("批准", exact=True)
    expect(approve).not_to_have_css("appearance", "none")
    approve.check()
    form.get_by_label("审批意见").fill("材料齐全，同意成立。")
    shoot(district, shots, "founding-decision.png")
    form.get_by_role("button", name="提交审批结果").click()
    # Refused without a justification: the message says why, the input is kept.
    form = district.get_by_test_id("decision-form")
    expect(form).to_contain_text("批准前须填写书面说明")
    expect(form.get_by_label("审批意见")).to_have_value("材料齐全，同意成立。")
    expect(form.get_by_label("批准", exact=True)).to_be_checked()
    form.get_by_label("对提示事项的书面说明").fill("两校均为新建学校，次年吸纳薄弱学校。")
    form.get_by_role("button", name="提交审批结果").click()
    alert(district, "审批已完成")
    expect(district.get_by_test_id("status")).to_have_text("已批准")
    expect(district.get_by_test_id("decision")).to_contain_text("两校均为新建学校")
    expect(district.get_by_test_id("decision-form")).to_have_count(0)

    district.locator("main dl").get_by_role("link", name=name).click()
    expect(district.locator("h1")).to_contain_text(name)
    group_members = district.get_by_test_id("members")
    for school in (core, north, east):
        expect(group_members.locator("tr", has_text=school.name)).to_have_count(1)
    expect(group_members.locator("tr", has_text=north.name)).to_contain_text(
        today.strftime("%Y-%m-%d")
    )

    # The city acknowledges the district's filing (L-2): filing is not approval.
    city = open_as(world.users["city"])
    city.locator("nav").get_by_role("link", name="报备", exact=True).click()
    filing_row = city.get_by_test_id("filing-row").filter(has_text=name)
    expect(filing_row).to_contain_text("已报备")
    expect(filing_row).to_contain_text(world.shinan.name)
    filing_row.get_by_role("link", name="办理").click()
    expect(city.locator("h1")).to_contain_text("办理报备")
    city.get_by_label("办理结果").select_option(label="确认（已知悉，予以备案）")
    city.get_by_label("意见").fill("已知悉，请按章程规范运行。")
    city.get_by_role("button", name="提交", exact=True).click()
    alert(city, "已办理报备")
    expect(city.get_by_test_id("filing-row").filter(has_text=name)).to_contain_text("已确认")

    district.locator("nav").get_by_role("link", name="报备", exact=True).click()
    own_row = district.get_by_test_id("filing-row").filter(has_text=name)
    expect(own_row).to_contain_text("已确认")
    expect(own_row).to_contain_text("已知悉")
    own_row.get_by_role("link", name=f"{name}成立报备").click()
    expect(district.get_by_test_id("filing-remarks")).to_contain_text("请按章程规范运行")
    expect(district.get_by_test_id("history")).to_contain_text(world.users["city"].username)

    principal.goto(application_url)
    expect(principal.get_by_test_id("status")).to_have_text("已批准")

    # The database tells the same story, with who did what.
    application = Application.objects.get(proposed_name=name)
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by == world.users["district"]
    assert application.justification == "两校均为新建学校，次年吸纳薄弱学校。"
    group = EducationGroup.objects.get(name=name)
    assert application.group == group
    assert (group.core_school, group.authority, group.founded_on) == (core, world.shinan, today)
    open_memberships = {
        m.school: m for m in Membership.objects.filter(group=group, left_on__isnull=True)
    }
    assert set(open_memberships) == {core, north, east}
    assert open_memberships[core].role == Membership.Role.CORE
    for school in (north, east):
        assert open_memberships[school].joined_on == today
        assert open_memberships[school].relation_subtype == "T-1a"
    filing = Filing.objects.get(group=group)
    assert filing.status == FilingStatus.ACKNOWLEDGED
    assert (filing.filed_by, filing.handled_by) == (world.users["district"], world.users["city"])
    consents = {c.authority: c for c in Consent.objects.filter(application=application)}
    assert consents[world.shibei].status == ConsentStatus.GIVEN
    assert consents[world.shibei].decided_by == shibei_staff
    assert consents[world.laoshan].decided_by == laoshan_staff
    history_users = set(application.history.values_list("history_user__username", flat=True))
    assert {"t-founder", "t-laoshan", "t-district"} <= history_users
    decision_row = application.history.filter(status=ApplicationStatus.APPROVED).get()
    assert decision_row.history_user == world.users["district"]
    assert decision_row.history_change_reason == "材料齐全，同意成立。"
    assert filing.history.filter(
        status=FilingStatus.ACKNOWLEDGED, history_user=world.users["city"]
    ).exists()
    assert Membership.history.filter(school=north, history_user=world.users["district"]).exists()


# --- 2. yellow card → rectification → rejected → red card (L-6) --------------------------------


def test_yellow_card_rectified_rejected_then_red_expels(open_as, world, shots):
    today = timezone.localdate()
    school = world.member_school
    first_deadline = today + datetime.timedelta(days=30)
    second_deadline = today + datetime.timedelta(days=15)

    # 市南 staff (the core's authority) issue a yellow card from the group page.
    staff = open_as(world.users["district"])
    staff.locator("nav").get_by_role("link", name="教育集团", exact=True).click()
    staff.get_by_role("link", name=world.group.name, exact=True).click()
    staff.get_by_test_id("members").locator("tr", has_text=school.name).get_by_role(
        "link", name="黄牌/红牌"
    ).click()
    expect(staff.locator("h1")).to_contain_text("发出黄牌或红牌")
    expect(staff.locator("main")).to_contain_text(school.name)
    staff.get_by_label("级别").select_option(label="黄牌")
    staff.get_by_label("事由").select_option(label="不履行合作办学协议")
    staff.get_by_label("情况说明 / 红牌理由").fill("连续两学期未参加集团联合教研。")
    staff.get_by_label("整改期限（黄牌）").fill(first_deadline.isoformat())
    staff.get_by_role("button", name="发出", exact=True).click()
    alert(staff, "已发出黄牌预警")
    expect(staff.get_by_test_id("card-status")).to_have_text("黄牌预警中")
    yellow_url = staff.url

    # The member principal sees it in the inbox and responds.
    member = open_as(world.users["member"])
    member.get_by_test_id("nav-inbox").click()  # its name carries the count (issue 8)
    row = member.get_by_test_id("inbox").locator("tr", has_text="黄牌待整改")
    expect(row).to_contain_text(first_deadline.isoformat())
    row.get_by_role("link", name="不履行合作办学协议").click()
    expect(member.get_by_test_id("card-status")).to_have_text("黄牌预警中")
    expect(member.get_by_test_id("escalate-form")).to_have_count(0)
    member.get_by_test_id("respond-form").get_by_label("整改情况").fill(
        "已指定教研组长，参加本学期全部联合教研。"
    )
    member.get_by_role("button", name="提交整改材料").click()
    alert(member, "已提交整改材料，等待审核")
    expect(member.get_by_test_id("card-status")).to_have_text("整改待审核")

    # Staff find it in their inbox, reject the rectification with a new deadline.
    staff.get_by_test_id("nav-inbox").click()  # its name carries the count (issue 8)
    staff.get_by_test_id("inbox").locator("tr", has_text="整改待审核").get_by_role(
        "link", name=school.name
    ).click()
    expect(staff.get_by_test_id("card-status")).to_have_text("整改待审核")
    reject = staff.get_by_test_id("reject-form")
    reject.get_by_label("不通过的理由").fill("未提供教研记录。")
    reject.get_by_label("新的整改期限").fill(second_deadline.isoformat())
    reject.get_by_role("button", name="整改不通过").click()
    alert(staff, "整改不通过，已设定新的整改期限")
    expect(staff.get_by_test_id("card-status")).to_have_text("黄牌预警中")
    expect(staff.locator("main dl")).to_contain_text(second_deadline.isoformat())

    # The member rectifies again; staff judge it insufficient and escalate to red with a
    # reason: the membership ends, reason 红牌淘汰 (policy L-6).
    member.reload()
    member.get_by_test_id("respond-form").get_by_label("整改情况").fill("已补交部分教研记录。")
    member.get_by_role("button", name="提交整改材料").click()
    alert(member, "已提交整改材料，等待审核")
    staff.reload()
    escalate = staff.get_by_test_id("escalate-form")
    escalate.get_by_label("红牌理由").fill("整改期内再次缺席，且拒不提供材料。")
    escalate.get_by_role("button", name="发出红牌").click()
    staff.get_by_role("dialog").get_by_role("button", name="确认").click()  # irreversible: asks
    alert(staff, "已发出红牌")
    expect(staff.get_by_test_id("card-status")).to_have_text("红牌淘汰")
    expect(staff.locator("main dl")).to_contain_text("整改期内再次缺席")
    red_url = staff.url
    assert red_url != yellow_url
    shoot(staff, shots, "red-card.png")

    staff.locator("main dl").get_by_role("link", name=world.group.name).click()
    expect(staff.get_by_test_id("members").locator("tr", has_text=school.name)).to_have_count(0)
    former = staff.locator("table", has=staff.get_by_role("columnheader", name="离开原因"))
    former_row = former.locator("tr", has_text=school.name)
    expect(former_row).to_contain_text("红牌淘汰")
    expect(former_row).to_contain_text(today.isoformat())

    # The expelled school's principal can still read the red card.
    member.goto(red_url)
    expect(member.get_by_test_id("card-status")).to_have_text("红牌淘汰")
    expect(member.locator("main")).to_contain_text("整改期内再次缺席")
    expect(member.get_by_test_id("respond-form")).to_have_count(0)

    membership = Membership.objects.get(pk=world.membership.pk)
    assert (membership.left_on, membership.end_reason) == (today, Membership.EndReason.EXPULSION)
    yellow = Card.objects.get(membership=membership, level=Card.Level.YELLOW)
    red = Card.objects.get(membership=membership, level=Card.Level.RED)
    assert (yellow.status, red.status) == (CardStatus.ESCALATED, CardStatus.RED_ISSUED)
    assert red.escalated_from == yellow
    assert yellow.deadline == second_deadline
    assert yellow.history.filter(
        status=CardStatus.UNDER_REVIEW, history_user=world.users["member"]
    ).exists()
    assert yellow.history.filter(
        status=CardStatus.YELLOW_ISSUED,
        review_note="未提供教研记录。",
        history_user=world.users["district"],
    ).exists()
    assert red.issued_by == world.users["district"]
