"""Assessment reports produced from a published cycle (assessments/reports; policy A-1 … A-5;
issue 10): idempotent production, new versions, the archived PDF (Chinese text, embedded CJK
font, SHA-256, /verify/<code>), the summaries, the worker's path and the export command."""

import hashlib
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.cycles.models import Score
from assessments.frameworks.models import Indicator
from assessments.reports import data as report_data
from assessments.reports import services
from assessments.reports.models import Report
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.models import OfficialDocument
from tests.assessments.builders import make_cycle, make_published_cycle
from tests.pdf_tools import assert_cjk_pdf, pdf_text

pytestmark = pytest.mark.django_db


def _pdf(report: Report) -> tuple[OfficialDocument, bytes]:
    document = report.documents.get()
    pdf = OfficialDocument.objects.filter(pk=document.pk).values_list("pdf", flat=True).get()
    return document, bytes(pdf)


def test_a_group_report_is_produced_once_archived_and_verifiable_A1_A2(world, client):
    cycle = make_published_cycle(world, groups=[world.group])
    first = services.report_generate(cycle.pk, world.group.pk)
    again = services.report_generate(cycle.pk, world.group.pk)
    assert again.pk == first.pk and first.number == 1
    assert Report.objects.filter(cycle=cycle, group=world.group).count() == 1
    document, pdf = _pdf(first)
    assert OfficialDocument.objects.filter(owner_id=first.pk, kind=services.KIND).count() == 1
    assert document.sha256 == hashlib.sha256(pdf).hexdigest() and document.size == len(pdf)
    text = assert_cjk_pdf(pdf, world.group.name, world.group.code, document.code, "核心校")
    flat = text.replace(" ", "")
    pages = flat.count("\f")
    # the report's identity and page numbers on every page (@page margin boxes)
    assert flat.count(f"核验码{document.code}") >= pages and "第1页/共" in flat
    assert flat.count("第1版") >= pages
    # the data it was computed from is archived with it: the bonus item for the core school
    data = document.data["report"]
    assert data["result"]["bonus"] == str(cycle.entries.get(group=world.group).bonus)
    assert data["cycle"]["framework"]["revision"] == cycle.framework.revision
    response = client.get(reverse("verify", kwargs={"code": document.code}))
    assert response.status_code == 200
    assert document.sha256 in response.content.decode()


def test_regenerating_makes_version_2_with_a_new_code_and_both_verify(world, client):
    cycle = make_published_cycle(world, groups=[world.group])
    first = services.report_generate(cycle.pk, world.group.pk)
    second = services.report_generate(cycle.pk, world.group.pk, regenerate=True)
    assert (first.number, second.number) == (1, 2)
    d1, pdf1 = _pdf(first)
    d2, pdf2 = _pdf(second)
    assert d1.code != d2.code and d1.number != d2.number
    assert "第2版" in pdf_text(pdf2).replace(" ", "")
    for code in (d1.code, d2.code):
        assert client.get(reverse("verify", kwargs={"code": code})).status_code == 200
    # without regenerate the latest version is the answer
    assert services.report_generate(cycle.pk, world.group.pk).pk == second.pk


def test_reports_need_a_published_cycle(world):
    cycle = make_cycle(world)
    with pytest.raises(RuleRefusal):
        services.report_generate(cycle.pk, world.group.pk)


def test_the_group_report_draws_out_core_quality_A3_and_weak_share_A4(world):
    cycle = make_published_cycle(world, groups=[world.group])
    # the core school's quality fails: the grade is capped
    Score.objects.filter(
        entry__cycle=cycle, indicator__code="C1", indicator__kind=Indicator.Kind.PASS_FAIL
    ).update(passed=False)
    from assessments.cycles.results import store_results

    store_results(cycle)
    data = report_data.group_report_data(cycle, world.group)
    assert data["a3"]["passed"] is False
    assert data["result"]["grade"] in ("qualified", "unqualified")
    assert any(i["code"] == "C1" and i["failed"] for i in data["a3"]["indicators"])
    assert data["a4"]["value"] != ""  # the weak-school share with its inputs in words
    assert "薄弱学校" in data["a4"]["inputs"]
    flags = data["flags"]
    assert flags and flags[0]["status_label"] == "未采纳" and flags[0]["reply"]


def test_summaries_per_district_and_for_the_city_with_targets_A4_A5(world):
    cycle = make_published_cycle(world)
    reports = services.reports_produce_for_cycle(cycle)
    scopes = sorted(r.scope for r in reports)
    assert scopes.count("group") == 2 and scopes.count("city") == 1
    assert scopes.count("district") == 2  # 市南 and 崂山 approve one group each
    city = next(r for r in reports if r.scope == Report.Scope.CITY)
    document, pdf = _pdf(city)
    data = document.data["report"]
    assert data["count"] == 2 and sum(row["count"] for row in data["distribution"]) == 2
    assert [t["target"] for t in data["targets"]["targets"]] == [10, 30]
    assert "share" in data["weak"]
    assert_cjk_pdf(pdf, world.group.name, world.other_group.name, "目标")
    # idempotent: nothing new on a second run
    assert len(services.reports_produce_for_cycle(cycle)) == 5
    assert Report.objects.filter(cycle=cycle).count() == 5


def test_publication_requests_reports_after_the_commit(world, django_capture_on_commit_callbacks):
    """The worker's path (eager in tests), through the task outbox: one task per group, then
    the summaries; nothing before the commit."""
    from qingdao_groups.models import TaskOutbox

    cycle = make_published_cycle(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.reports_request_for_cycle(cycle)
        assert not Report.objects.filter(cycle=cycle).exists()  # nothing before the commit
        assert TaskOutbox.objects.filter(task="assessments.reports_for_cycle").count() == 1
    assert Report.objects.filter(cycle=cycle, scope="group").count() == 2
    assert Report.objects.filter(cycle=cycle, scope="city").count() == 1


def test_export_report_writes_the_archived_bytes(world, tmp_path):
    cycle = make_published_cycle(world, groups=[world.group])
    out = tmp_path / "report.pdf"
    call_command("export_report", world.group.code, "--out", str(out))
    report = Report.objects.get(cycle=cycle, group=world.group)  # produced on the way
    document, pdf = _pdf(report)
    assert out.read_bytes() == pdf
    assert hashlib.sha256(out.read_bytes()).hexdigest() == document.sha256
    call_command("export_report", world.group.code, "--out", str(out))  # nothing new
    assert Report.objects.filter(cycle=cycle, group=world.group).count() == 1


def test_export_report_says_what_is_missing(world, tmp_path):
    with pytest.raises(CommandError, match="没有编号"):
        call_command("export_report", "NO-SUCH", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="还没有已发布的评估周期"):
        call_command("export_report", world.other_group.code, "--out", str(tmp_path / "x.pdf"))


def test_inputs_in_words_reads_every_metric():
    from assessments.frameworks import derived

    for key in derived.METRICS:
        assert report_data.inputs_in_words(key, {"on": "2025-08-31"})
    assert report_data.inputs_in_words(
        "weak_share", {"on": "2025-08-31", "members": 4, "weak": 1}
    ) == ("截至2025-08-31在册成员校4所，其中薄弱学校1所")


def test_a_twenty_page_report_renders(world):
    """The bench's 20-page report (pdf20_s) is made from the same template."""
    from qingdao_groups.bench.reports import long_report_pdf

    pdf, pages = long_report_pdf(pages=20)
    assert pages >= 20
    assert_cjk_pdf(pdf, "教育集团")


def test_chart_geometry_stays_within_its_frame():
    from assessments.reports import charts

    data = {
        "dimensions": [{"name": "办学质量", "percent": "120", "score": "36", "weight": "30"}],
        "trend": [
            {"cycle": "a", "year": 2024, "total": "70"},
            {"cycle": "b", "year": 2025, "total": D("80")},
        ],
    }
    bars = charts.dimension_bars(data)
    assert float(bars["bars"][0]["width"]) <= bars["right"] - bars["left"]
    line = charts.trend_line(data)
    assert len(line["points"]) == 2 and line["polyline"]
