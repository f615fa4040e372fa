"""Exports in a real browser (issue 8): the group list's 导出 Excel button downloads a workbook
that openpyxl opens, with the Chinese header row and the group's Chinese name; a large export
goes through the background job page to the same file."""

import io

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADERS = ["集团编号", "集团名称", "核心校", "成员校", "学校标识码", "所在区（市）", "身份"]


def _workbook(download) -> list[list]:
    with open(download.path(), "rb") as file:
        sheet = openpyxl.load_workbook(io.BytesIO(file.read())).active
    assert sheet.freeze_panes == "A2"
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_group_list_exports_an_excel_file(page: Page, live_server, transactional_db, world):
    base = live_server.url
    log_in(page, base, world.users["district"].username, PASSWORD)
    page.goto(f"{base}/groups/")
    with page.expect_download() as info:
        page.get_by_role("button", name="导出 Excel").click()
    download = info.value
    assert download.suggested_filename.startswith("group-members-")
    assert download.suggested_filename.endswith(".xlsx")
    rows = _workbook(download)
    assert rows[0][: len(HEADERS)] == HEADERS
    assert {row[1] for row in rows[1:]} == {world.group.name}  # 测试核心教育集团, nothing of 崂山
    assert world.member_school.name in {row[3] for row in rows[1:]}


def test_a_large_export_runs_as_a_job(
    page: Page, live_server, transactional_db, world, settings, tmp_path
):
    settings.EXPORT_ASYNC_THRESHOLD = 1
    base = live_server.url
    log_in(page, base, world.users["city"].username, PASSWORD)
    page.goto(f"{base}/groups/")
    page.get_by_role("button", name="导出 Excel").click()
    expect(page.locator("h1")).to_contain_text("导出")
    page.get_by_role("button", name="开始导出").click()
    status = page.locator("#export-status")
    expect(status).to_contain_text("文件已生成", timeout=15_000)
    page.screenshot(path=str(tmp_path / "export-job.png"), full_page=True)
    with page.expect_download() as info:
        status.get_by_role("link", name="下载").click()
    rows = _workbook(info.value)
    assert rows[0][: len(HEADERS)] == HEADERS
    assert world.group.name in {row[1] for row in rows[1:]}
