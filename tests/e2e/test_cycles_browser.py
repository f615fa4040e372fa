"""Issue 10 in a real browser: an assessment cycle walked from opening to publication by the
city's staff and the world group's core principal (policy A-1 … A-2). City staff open the cycle
and start it; the core principal fills in the self-assessment, uploads evidence and submits;
city staff open inspection and score; the principal flags a factual error; city staff reject it
with a reply and publish; the principal reads the final result with the core school's bonus
item. Screenshots at 1366 px and 390 px in Chinese and English go to /tmp/cycles/; no page is
wider than the screen. Then, as issue 10's "done when" asks: the principal downloads the
published report's PDF (Chinese name in pdftotext, embedded CJK fonts in pdffonts), the
verification page confirms it, and the auditor's dossier ZIP opens with what it should."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from assessments.cycles.models import Cycle, CycleGroup
from assessments.frameworks.models import Indicator
from tests.assessments.cycle_helpers import PDF, default_framework
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/cycles")
WIDE = "() => document.documentElement.scrollWidth - window.innerWidth"


def _sign_in(browser: Browser, browser_context_args, live_server, user):
    context = browser.new_context(
        **browser_context_args | {"viewport": {"width": 1366, "height": 900}}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return context, page


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate(WIDE) <= 0, f"{name} is wider than {width}px"
    page.set_viewport_size({"width": 1366, "height": 900})


def _move(page, action: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(f"move-{action}").click()


def test_a_cycle_from_opening_to_publication(
    browser, browser_context_args, live_server, world, tmp_path
):
    framework = default_framework()
    manual = list(
        Indicator.objects.filter(dimension__framework=framework, source=Indicator.Source.MANUAL)
    )
    city_ctx, city = _sign_in(browser, browser_context_args, live_server, world.users["city"])
    city.get_by_test_id("nav-oversight").click()
    city.get_by_test_id("nav-cycles").click()
    _shoot(city, "cycle-list")
    city.get_by_test_id("cycle-create").click()
    city.fill("input[name=name]", "浏览器评估")
    city.select_option("select[name=framework]", str(framework.pk))
    for name, value in (
        ("period_start", "2024-09-01"),
        ("period_end", "2025-08-31"),
        ("self_assessment_due", "2025-09-30"),
        ("inspection_due", "2025-10-31"),
        ("factual_check_due", "2025-11-15"),
    ):
        city.fill(f"input[name={name}]", value)
    city.check(f"input[name=groups][value='{world.group.pk}']")
    city.get_by_test_id("cycle-form").locator("button[type=submit]").click()
    expect(city.get_by_test_id("cycle-status")).to_be_visible()
    _move(city, "start")
    cycle = Cycle.objects.get(name="浏览器评估")
    assert cycle.status == Cycle.Status.SELF_ASSESSMENT
    entry = CycleGroup.objects.get(cycle=cycle)
    _shoot(city, "cycle-detail")

    core_ctx, core = _sign_in(browser, browser_context_args, live_server, world.users["principal"])
    core.goto(f"{live_server.url}/assessments/cycles/parts/{entry.pk}/")
    core.get_by_test_id("self-edit").click()
    for ind in manual:
        if ind.kind == Indicator.Kind.PASS_FAIL:
            core.select_option(f"select[name=self_score_{ind.pk}]", "yes")
        else:
            core.fill(f"input[name=self_score_{ind.pk}]", "8")
        core.fill(f"textarea[name=self_note_{ind.pk}]", "按要求开展")
    _shoot(core, "self-form")
    with core.expect_navigation():
        core.get_by_test_id("self-form").locator("button[type=submit]").click()
    evidence = tmp_path / "佐证.pdf"
    evidence.write_bytes(PDF)
    for ind in manual:
        if ind.evidence_required:
            form = core.get_by_test_id("evidence-form")
            form.locator("select[name=indicator]").select_option(str(ind.pk))
            form.locator("input[name=file]").set_input_files(str(evidence))
            with core.expect_navigation():
                form.locator("button[type=submit]").click()
            expect(core.locator(".alert-success")).to_be_visible()
    with core.expect_navigation():
        core.get_by_test_id("self-submit").click()
    expect(core.get_by_test_id("self-actions")).to_have_count(0)

    _move(city, "to_inspection")
    city.goto(f"{live_server.url}/assessments/cycles/parts/{entry.pk}/")
    city.get_by_test_id("score-edit").click()
    for ind in manual:
        if ind.kind == Indicator.Kind.PASS_FAIL:
            city.select_option(f"select[name=score_{ind.pk}]", "yes")
        else:
            city.fill(f"input[name=score_{ind.pk}]", "7")
    _shoot(city, "score-form")
    with city.expect_navigation():
        city.get_by_test_id("score-form").locator("button[type=submit]").click()
    city.goto(f"{live_server.url}/assessments/cycles/{cycle.pk}/")
    _move(city, "to_factual_check")

    core.goto(f"{live_server.url}/assessments/cycles/parts/{entry.pk}/")
    expect(core.get_by_test_id("result")).to_be_visible()
    flag_form = core.get_by_test_id("flag-form")
    flag_form.locator("textarea[name=text]").fill("成员校数量有误")
    flag_form.locator("button[type=submit]").click()
    expect(core.get_by_test_id("flag")).to_have_count(1)

    city.goto(f"{live_server.url}/assessments/cycles/parts/{entry.pk}/")
    resolve = city.get_by_test_id("resolve-form")
    resolve.locator("select").first.select_option("reject")
    resolve.locator("textarea").fill("数据以系统登记为准")
    resolve.get_by_test_id("resolve").click()
    expect(city.get_by_test_id("flag-status")).to_have_text("未采纳")
    city.goto(f"{live_server.url}/assessments/cycles/{cycle.pk}/")
    _move(city, "publish")
    expect(city.get_by_test_id("cycle-status")).to_have_text("已发布")

    core.goto(f"{live_server.url}/assessments/cycles/parts/{entry.pk}/")
    expect(core.get_by_test_id("bonus")).to_be_visible()
    _shoot(core, "part-published")
    core.goto(f"{live_server.url}/groups/{world.group.pk}/")
    core.get_by_test_id("group-assessment-link").locator("a").click()
    expect(core.get_by_test_id("grade")).to_be_visible()
    _download_report_and_verify(core, browser, browser_context_args, live_server, world, cycle)
    _take_the_dossier(browser, browser_context_args, live_server, world, cycle)
    auditor = world.users["auditor"]
    auditor.language = "en"
    auditor.save()
    en_ctx, en = _sign_in(browser, browser_context_args, live_server, auditor)
    en.goto(f"{live_server.url}/assessments/cycles/parts/{entry.pk}/")
    _shoot(en, "part-en")
    en.goto(f"{live_server.url}/assessments/cycles/{cycle.pk}/")
    expect(en.get_by_test_id("cycle-status")).to_have_text("Published")
    _shoot(en, "cycle-en")
    en.goto(f"{live_server.url}/assessments/cycles/")
    _shoot(en, "list-en")
    for context in (city_ctx, core_ctx, en_ctx):
        context.close()


def _download_report_and_verify(page, browser, browser_context_args, live_server, world, cycle):
    """The publication produced the group's report (the worker's path, eager here): the core
    principal downloads its PDF from the page; its text holds the group's Chinese name, its
    fonts are embedded CJK; /verify/<code> (no login) confirms title and SHA-256 (A-1)."""
    import hashlib
    import re

    from tests.pdf_tools import assert_cjk_pdf

    page.goto(f"{live_server.url}/assessments/reports/cycle/{cycle.pk}/")
    page.get_by_test_id("report-list").get_by_role("link", name=world.group.name).click()
    expect(page.get_by_test_id("report-group")).to_have_text(world.group.name)
    with page.expect_download() as download_info:
        page.get_by_test_id("report-download").click()
    data = Path(download_info.value.path()).read_bytes()
    text = assert_cjk_pdf(data, world.group.name, world.group.code)
    code = re.search(r"核验码\s*[：:]?\s*([0-9A-Z]{10})", text)
    assert code, text
    visitor = browser.new_context(**browser_context_args)
    public = visitor.new_page()
    public.goto(f"{live_server.url}/verify/{code.group(1)}")
    expect(public.get_by_test_id("verify-title")).to_contain_text(world.group.name)
    expect(public.get_by_test_id("verify-sha256")).to_have_text(hashlib.sha256(data).hexdigest())
    visitor.close()


def _take_the_dossier(browser, browser_context_args, live_server, world, cycle):
    """The auditor takes the group's dossier (案卷) in the browser: the job runs, the page
    offers the download, and the ZIP opens with the published report's PDF, its index with
    matching SHA-256 sums and the group's history as CSV."""
    import csv
    import hashlib
    import io
    import zipfile

    context, page = _sign_in(browser, browser_context_args, live_server, world.users["auditor"])
    page.goto(f"{live_server.url}/groups/{world.group.pk}/")
    page.get_by_role("link", name="导出案卷").first.click()
    page.get_by_test_id("dossier-start").click()
    download_link = page.locator("#export-status a[download]")
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as download_info:
        download_link.click()
    archive = zipfile.ZipFile(download_info.value.path())
    names = archive.namelist()
    reports = [n for n in names if n.startswith("评估报告/") and n.endswith(".pdf")]
    assert reports, names
    assert any(n.startswith("历史/") and n.endswith(".csv") for n in names), names
    index = [n for n in names if n.endswith("目录.csv")]
    assert index, names
    # 目录.csv: path first, SHA-256 last (assessments/dossier/services.INDEX_SPEC)
    rows = list(csv.reader(io.StringIO(archive.read(index[0]).decode("utf-8-sig"))))[1:]
    sums = {row[0]: row[-1] for row in rows}
    for name in reports:
        assert hashlib.sha256(archive.read(name)).hexdigest() == sums[name]
    context.close()
