"""A group's dossier (案卷, policy A-1; issue 10): the ZIP an auditor takes away holds the
group's reports, official documents, the founding and admission uploads, its documents, the
decisions with their reasons, its ledgers and its history, each listed in 目录.csv with a SHA-256
that matches the bytes. It is written by the export jobs' worker (eager Celery in the tests) with
its files counted as progress, and downloaded by its owner only."""

import csv
import datetime
import hashlib
import io
import tempfile
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.dossier.services import dossier_write, safe_name
from assessments.reports.models import Report
from funding.ledgers.models import Ledger, LedgerLine
from funding.ledgers.services import ledgers_compute
from funding.rates.models import RateTable
from groups.applications.documents import REPLY, REPLY_TEMPLATE
from groups.charter.models import GroupDocument
from qingdao_groups.core.archive import documents_of, issue_document, register_document_kind
from qingdao_groups.models import Attachment, ExportJob, Notification
from tests.assessments.builders import make_cycle
from tests.groups import workflow_helpers as h

pytestmark = pytest.mark.django_db

REPORT_KIND = "dossier_test_report"
register_document_kind(REPORT_KIND, label="评估报告", can_view=lambda user, owner: True)


def _decided_founding(world):
    """A founding approved with a reason and conditions: its group, 批复, uploads, documents."""
    built = h.founding_ready(world)
    app = built.refresh()
    from groups.applications.services import application_decide

    application_decide(
        application=app,
        action="approve_with_conditions",
        actor=built.decider,
        expected_version=app.version,
        reason="=符合集团化办学条件，同意。",  # a formula-looking reason is neutralised in the CSV
        conditions="一年内完成章程修订并报备。",
        justification="",
    )
    return built.refresh()


def _report(world, group, number: int, cycle=None) -> Report:
    """A report row and its archived PDF (the reports feature's producer stands in here)."""
    cycle = cycle or make_cycle(world, groups=[group])
    report = Report.objects.create(
        cycle=cycle, scope=Report.Scope.GROUP, group=group, framework=cycle.framework, number=number
    )
    reply = documents_of(group.applications.get(kind="founding")).get(kind=REPLY)
    issue_document(
        owner=report,
        kind=REPORT_KIND,
        authority=world.city,
        title=f"{group.name}评估报告（第{number}版）",
        template=REPLY_TEMPLATE,
        context=reply.data,
    )
    return report


@pytest.fixture
def dossier_group(world):
    app = _decided_founding(world)
    group = app.group
    RateTable.objects.create(
        authority=world.shibei, fiscal_year=2025, subsidy_per_member=Decimal("60000")
    )
    ledgers_compute(year=2025, group_ids=[group.pk])
    cycle = make_cycle(world, groups=[group])
    _report(world, group, 1, cycle)
    _report(world, group, 2, cycle)
    return group


def _zip(group, user, progress=None) -> tuple[zipfile.ZipFile, str]:
    file = tempfile.TemporaryFile()  # noqa: SIM115 (read by the returned ZipFile)
    name = dossier_write(group_id=group.pk, user=user, file=file, progress=progress)
    file.seek(0)
    return zipfile.ZipFile(file), name


def _csv(zf: zipfile.ZipFile, path: str) -> list[list[str]]:
    data = zf.read(path)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_dossier_holds_what_it_should(world, dossier_group):
    """Policy A-1: reports (every version), the 批复, the founding uploads, the group's documents,
    decisions with reasons, ledger lines and the audit history, indexed with their hashes."""
    auditor = world.users["auditor"]
    seen = []
    zf, filename = _zip(dossier_group, auditor, lambda done, total: seen.append((done, total)))
    names = zf.namelist()
    assert filename.endswith(".zip") and dossier_group.name in filename
    assert names[0] == "README.txt" and names[-1] == "目录.csv"

    reports = [n for n in names if n.startswith("评估报告/")]
    assert len(reports) == 2 and all(n.endswith(".pdf") for n in reports)
    official = [n for n in names if n.startswith("正式文件/")]
    reply = documents_of(dossier_group.applications.get(kind="founding")).get(kind=REPLY)
    assert any(reply.number in n and "批复" in n for n in official)
    assert zf.read(next(n for n in official if reply.number in n)).startswith(b"%PDF")
    uploads = [n for n in names if n.startswith("申请材料/")]
    assert len(uploads) == len(h.FOUNDING_DOCUMENTS)
    assert any("集团章程" in n for n in uploads)
    group_docs = [n for n in names if n.startswith("集团文件/")]
    assert len(group_docs) == GroupDocument.objects.filter(group=dossier_group).count() >= 2

    # Chinese names carry the ZIP's UTF-8 flag.
    for info in zf.infolist():
        if not info.filename.isascii():
            assert info.flag_bits & 0x800

    decisions = _csv(zf, "决定及理由/申请审批.csv")
    assert decisions[0][0] == "申请类别"
    row = decisions[1]
    assert "'=符合集团化办学条件，同意。" in row  # formula neutralised
    assert "一年内完成章程修订并报备。" in row

    lines = _csv(zf, "台账/台账明细.csv")
    assert len(lines) - 1 == LedgerLine.objects.filter(ledger__group=dossier_group).count() > 0
    assert Ledger.objects.filter(group=dossier_group).exists()

    history = _csv(zf, "历史/审计日志.csv")
    assert history[0][:3] == ["时间", "操作人", "操作"]
    assert len(history) > 3

    index = _csv(zf, "目录.csv")
    assert index[0][-1] == "SHA-256"
    listed = {row[0]: row for row in index[1:]}
    assert set(listed) == set(names) - {"目录.csv"}
    for path, row in listed.items():
        data = zf.read(path)
        assert row[-1] == hashlib.sha256(data).hexdigest()
        assert int(row[-2]) == len(data)
    assert listed[next(n for n in official if reply.number in n)][3] == reply.number

    # Progress went file by file up to the total.
    total = len(names)
    assert seen[-1] == (total, total)
    assert [d for d, _t in seen] == list(range(total + 1))


def test_a_core_principal_gets_the_story_not_the_audit_log(world, dossier_group):
    """The audit log is for those who oversee the group (can_view_group_audit); the group's own
    principal takes the story (集团历程) instead."""
    from members.models import User
    from tests.factories import UserFactory

    principal = UserFactory(
        username="dossier-core", role=User.Role.CORE_PRINCIPAL, school=dossier_group.core_school
    )
    zf, _name = _zip(dossier_group, principal)
    assert "历史/集团历程.csv" in zf.namelist()
    assert "历史/审计日志.csv" not in zf.namelist()


def _count_build(group, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _zip(group, user)
    return len(ctx.captured_queries)


def test_building_the_zip_takes_a_fixed_number_of_queries(world, dossier_group):
    """One query per kind of content, whatever the number of files of each kind."""
    auditor = world.users["auditor"]
    before = _count_build(dossier_group, auditor)
    app = dossier_group.applications.get(kind="founding")
    cycle = Report.objects.filter(group=dossier_group).first().cycle
    for n in (3, 4, 5):
        _report(world, dossier_group, n, cycle)
    for i in range(3):
        att = Attachment(
            owner=app,
            kind="other",
            version=i + 1,
            original_name=f"补充材料{i}.pdf",
            content_type="application/pdf",
            size=4,
            sha256="0" * 64,
            uploaded_by=world.users["admin"],
        )
        att.file.save(f"extra{i}.pdf", ContentFile(b"%PDF"), save=False)
        att.save()
        GroupDocument.objects.create(
            group=dossier_group,
            kind="rules",
            version=i + 1,
            title="内部管理制度",
            text="第一条 …",
            adopted_on=datetime.date(2025, 9, 1),
        )
    after = _count_build(dossier_group, auditor)
    assert after == before


def test_the_job_runs_counts_files_notifies_and_downloads_for_its_owner_only(
    client, world, dossier_group, django_capture_on_commit_callbacks
):
    auditor = world.users["auditor"]
    client.force_login(auditor)
    page = client.get(reverse("dossier:request", args=[dossier_group.pk]))
    assert page.status_code == 200
    assert reverse("dossier:start", args=[dossier_group.pk]) in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossier:start", args=[dossier_group.pk]))
    job = ExportJob.objects.get(user=auditor)
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert (job.key, job.fmt, job.status) == ("dossier", "zip", "done")
    assert job.rows_total == job.rows_done and job.rows_total > 5
    assert job.percent == 100

    notice = Notification.objects.get(user=auditor)
    assert notice.url == reverse("exports:job", args=[job.pk]) and "案卷" in notice.message

    job_page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "个文件" in job_page and "hx-get" not in job_page
    assert reverse("dossier:request", args=[dossier_group.pk]) in job_page
    download = client.get(reverse("exports:job-download", args=[job.pk]))
    assert download.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(zf.namelist()) == job.rows_total
    assert "目录.csv" in zf.namelist()

    client.force_login(world.users["city"])
    assert client.get(reverse("exports:job-download", args=[job.pk])).status_code == 404

    # The purge removes the file when it expires (the exports' own beat task).
    from qingdao_groups.core.exports.jobs import exports_purge_expired

    assert exports_purge_expired(now=timezone.now() + datetime.timedelta(days=2)) == 1
    assert ExportJob.objects.get(pk=job.pk).status == "expired"


def test_a_running_job_shows_files_done_of_total(client, world):
    job = ExportJob.objects.create(
        user=world.users["auditor"],
        key="dossier",
        params={"group": world.group.pk},
        fmt="zip",
        status=ExportJob.Status.RUNNING,
        rows_total=40,
        rows_done=10,
    )
    client.force_login(world.users["auditor"])
    html = client.get(reverse("exports:job-status", args=[job.pk])).content.decode()
    assert "hx-get" in html and 'value="25"' in html and "10 / 40" in html


def test_an_english_reader_gets_english_headers(world, dossier_group):
    from django.utils import translation

    auditor = world.users["auditor"]
    auditor.language = "en"
    with translation.override("en"):
        zf, _name = _zip(dossier_group, auditor)
    assert _csv(zf, "目录.csv")[0][0] == "File"


def test_group_page_links_the_dossier_for_those_who_may_export(client, world):
    url = reverse("dossier:request", args=[world.group.pk])
    for role, shown in (("auditor", True), ("principal", True), ("member", False)):
        client.force_login(world.users[role])
        html = client.get(reverse("groups:group-detail", args=[world.group.pk])).content.decode()
        assert (url in html) is shown, role


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_take_a_fixed_number_of_queries(client, world):
    auditor = world.users["auditor"]
    client.force_login(auditor)
    request_url = reverse("dossier:request", args=[world.group.pk])

    def job(total: int) -> ExportJob:
        return ExportJob.objects.create(
            user=auditor,
            key="dossier",
            params={"group": world.group.pk},
            fmt="zip",
            status=ExportJob.Status.RUNNING,
            rows_total=total,
        )

    first = job(3)
    _page_queries(client, request_url)  # warm (content types, sessions)
    one_page = _page_queries(client, request_url)
    one_job = _page_queries(client, reverse("exports:job", args=[first.pk]))
    for _ in range(6):
        job(300)
    assert _page_queries(client, request_url) == one_page
    assert _page_queries(client, reverse("exports:job", args=[job(3000).pk])) == one_job


def test_safe_names():
    assert safe_name('a/b\\c:d*e?"f<g>h|') == "a_b_c_d_e_f_g_h"
    assert safe_name("  ..  ") == "_"
