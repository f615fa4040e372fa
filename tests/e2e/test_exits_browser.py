"""Issue 8 in a real browser (Chromium): the duplicate-exit trap closed, and the school picker
showing a school that cannot be proposed greyed, with the group it belongs to.

1. A member principal starts an exit draft from the group page, goes back (the back button, then
   the group page): the group page links to the open exit and offers no second "申请退出"; the
   old form posted again is refused with a link to the open exit. The principal submits, the
   core school gives its opinion, and the principal withdraws the exit while the authority has
   it (policy L-5: at every step before the decision); the group page offers "申请退出" again.
2. A principal drafting a founding searches the picker: a school of another group is listed
   greyed and cannot be chosen, "已属 <group>"; a free school can. The subtype select offers
   only the chosen type's subtypes."""

import pytest
from playwright.sync_api import expect

from groups.applications.models import Application
from groups.applications.services import exit_opinion_record
from members.models import User
from tests.e2e.test_workflows_browser import alert, open_as, shoot, shots  # noqa: F401
from tests.factories import SchoolFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_duplicate_exit_trap_is_closed(open_as, world, live_server, shots):  # noqa: F811
    member = open_as(world.users["member"])
    group_url = f"{live_server.url}/groups/{world.group.pk}/"
    member.goto(group_url)
    row = member.get_by_test_id("members").locator("tr", has_text=world.member_school.name)
    row.get_by_test_id("new-exit").click()
    expect(member.locator("h1")).to_contain_text("申请退出集团")
    form_url = member.url
    member.get_by_label("申请理由").fill("办学质量提升，拟牵头组建新集团")
    member.get_by_role("button", name="创建草稿").click()
    alert(member, "已创建退出申请草稿")
    expect(member.get_by_test_id("status")).to_have_text("草稿")
    exit_url = member.url

    # Back to the form (the trap): posting it again creates nothing and leads to the open exit.
    member.go_back()
    expect(member).to_have_url(form_url)
    if member.get_by_label("申请理由").count():  # the browser kept the old form
        member.get_by_label("申请理由").fill("再提交一次")
        member.get_by_role("button", name="创建草稿").click()
    expect(member.get_by_test_id("open-exit")).to_contain_text("已有一份未办结的退出申请")
    member.get_by_test_id("open-exit").get_by_role("link").click()
    expect(member).to_have_url(exit_url)
    assert Application.objects.filter(kind="exit", membership=world.membership).count() == 1

    # The group page links to the open exit instead of offering a second one.
    member.goto(group_url)
    row = member.get_by_test_id("members").locator("tr", has_text=world.member_school.name)
    expect(row.get_by_test_id("open-exit")).to_contain_text("退出申请进行中")
    expect(row.get_by_test_id("open-exit")).to_contain_text("草稿")
    expect(member.get_by_test_id("new-exit")).to_have_count(0)
    shoot(member, shots, "exit-open-on-group-page.png")
    row.get_by_test_id("open-exit").click()
    expect(member).to_have_url(exit_url)

    # Submitted, the core school's opinion given: the authority has it; still withdrawable.
    member.get_by_test_id("submit").click()
    alert(member, "已提交")
    expect(member.get_by_test_id("status")).to_have_text("待核心校出具意见")
    application = Application.objects.get(kind="exit", membership=world.membership)
    exit_opinion_record(
        application=application,
        supports=True,
        opinion="同意该校退出",
        actor=world.users["principal"],
        expected_version=application.version,
    )
    member.reload()
    expect(member.get_by_test_id("status")).to_have_text("待审批")
    shoot(member, shots, "exit-under-decision-withdrawable.png")
    member.get_by_test_id("withdraw").click()
    member.get_by_role("dialog").get_by_role("button", name="确认").click()  # irreversible: asks
    alert(member, "已撤回")
    expect(member.get_by_test_id("status")).to_have_text("已撤回")
    expect(member.get_by_test_id("withdraw")).to_have_count(0)

    member.goto(group_url)
    expect(member.get_by_test_id("open-exit")).to_have_count(0)
    expect(member.get_by_test_id("new-exit")).to_have_count(1)


def test_the_picker_shows_a_busy_school_greyed(open_as, world, live_server, shots):  # noqa: F811
    core = SchoolFactory(name="青岛选择器核心学校", authority=world.shinan, principal_name="孙校长")
    founder = UserFactory(username="t-picker", role=User.Role.CORE_PRINCIPAL, school=core)
    free = SchoolFactory(name="市北空闲学校", authority=world.shibei)
    principal = open_as(founder)
    principal.goto(f"{live_server.url}/applications/new/founding/")
    principal.get_by_label("拟定集团名称").fill("青岛选择器核心学校教育集团")
    principal.get_by_label("集团特色").fill("科技创新")
    principal.get_by_role("button", name="创建草稿").click()
    alert(principal, "已创建草稿")

    section = principal.locator("details", has_text="添加学校")
    section.locator("summary").click()
    search = section.get_by_test_id("school-search")
    search.fill(world.member_school.name)
    busy = section.locator("select[name=school] option", has_text=world.member_school.name)
    expect(busy).to_have_count(1)
    expect(busy).to_be_disabled()
    expect(busy).to_contain_text(f"已属 {world.group.name}")
    shoot(principal, shots, "picker-busy-school.png")

    # The subtype select offers only the chosen type's subtypes (static/js/subtype-select.js).
    section.get_by_label("合作类型").select_option(label="联合型")
    offered = section.get_by_label("合作子类型").evaluate(
        "s => Array.from(s.options).filter(o => !o.hidden).map(o => o.value)"
    )
    assert offered == ["T-3a", "T-3b"]
    section.get_by_label("合作类型").select_option(label="聚合型")
    expect(section.get_by_label("合作子类型")).to_have_value("T-2a")

    search.fill(free.name)
    choice = section.locator("select[name=school] option", has_text=free.name)
    expect(choice).to_have_count(1)
    expect(choice).to_be_enabled()
    section.locator("select[name=school]").select_option(value=choice.get_attribute("value"))
    section.get_by_label("合作子类型").select_option(label="基础教育跨学段聚合")
    section.get_by_role("button", name="添加").click()
    alert(principal, f"已添加拟加入学校：{free.name}")
