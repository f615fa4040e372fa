"""Large exports as Celery jobs (issue 8; eager Celery in the tests): a job is recorded and run,
its progress counted, its owner notified with a link, its file sent to its owner only and
removed when it expires."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from qingdao_groups.core.exports.jobs import _counted, export_job_run, exports_purge_expired
from qingdao_groups.management.commands.setup_schedules import EXPORTS_PURGE_TASK
from qingdao_groups.models import ExportJob, Notification
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_threshold(settings):
    settings.EXPORT_ASYNC_THRESHOLD = 2


def _start(client, django_capture_on_commit_callbacks, key="groups", fmt="xlsx", **params):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("exports:start", args=[key]), {"format": fmt, **params})


def test_a_large_export_is_offered_as_a_job(client, world, small_threshold):
    client.force_login(world.users["city"])
    response = client.get(
        reverse("exports:list", args=["groups"]), {"format": "csv", "q": "集团", "page": "2"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("exports:start", args=["groups"]) in html
    assert '<input type="hidden" name="q" value="集团">' in html
    assert 'name="page"' not in html
    assert not ExportJob.objects.exists()  # nothing is written by a GET


def test_a_small_export_is_no_job(client, world):
    client.force_login(world.users["city"])
    response = client.get(reverse("exports:list", args=["groups"]), {"format": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment")
    assert not ExportJob.objects.exists()


def test_the_job_runs_notifies_and_downloads_for_its_owner_only(
    client, world, small_threshold, django_capture_on_commit_callbacks
):
    city = world.users["city"]
    client.force_login(city)
    response = _start(client, django_capture_on_commit_callbacks, q="测试")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert (job.user, job.key, job.fmt, job.status) == (city, "groups", "xlsx", "done")
    assert job.params == {"q": ["测试"]}
    assert job.rows_total == job.rows_done == 2  # the core school and its member
    assert job.expires_at > timezone.now()

    notice = Notification.objects.get(user=city)
    assert notice.url == reverse("exports:job", args=[job.pk])
    assert "导出已完成" in notice.message and "2 行" in notice.message

    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert reverse("exports:job-download", args=[job.pk]) in page
    assert "hx-get" not in page  # finished: no more polling

    download = client.get(reverse("exports:job-download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet["B2"].value == "测试核心教育集团"

    for other in ("district", "auditor", "admin"):
        client.force_login(world.users[other])
        for name in ("exports:job", "exports:job-status", "exports:job-download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (other, name)


def test_the_job_keeps_the_readers_scope(
    client, world, small_threshold, django_capture_on_commit_callbacks
):
    client.force_login(world.users["district"])
    _start(client, django_capture_on_commit_callbacks, fmt="csv")
    job = ExportJob.objects.get()
    text = job.file.open("rb").read().decode("utf-8-sig")
    assert "测试核心教育集团" in text and "崂山" not in text


def test_the_job_writes_in_the_askers_language(
    client, world, small_threshold, django_capture_on_commit_callbacks
):
    asker = world.users["city"]
    asker.language = "en"  # the asker's choice, kept on the account
    asker.save(update_fields=["language"])
    client.force_login(asker)
    _start(client, django_capture_on_commit_callbacks, fmt="csv")
    job = ExportJob.objects.get()
    assert job.language == "en"
    assert job.file.open("rb").read().decode("utf-8-sig").startswith("Group code,")
    assert Notification.objects.get().message.startswith("Export ready")


def test_progress_is_counted_once_a_chunk(world):
    job = ExportJob.objects.create(user=world.users["city"], key="groups", fmt="csv")
    seen = []
    for _row in _counted(job.pk, iter(range(5)), every=2):
        seen.append(ExportJob.objects.get(pk=job.pk).rows_done)
    assert seen == [0, 0, 2, 2, 4]
    assert ExportJob.objects.get(pk=job.pk).rows_done == 5


def test_a_running_job_is_polled_with_its_progress(client, world):
    job = ExportJob.objects.create(
        user=world.users["city"],
        key="groups",
        fmt="xlsx",
        status=ExportJob.Status.RUNNING,
        rows_total=400,
        rows_done=100,
    )
    client.force_login(world.users["city"])
    html = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    status_url = reverse("exports:job-status", args=[job.pk])
    assert f'hx-get="{status_url}"' in html and 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html and "<script" not in html.split("export-status")[1]
    partial = client.get(status_url).content.decode()
    assert partial.lstrip().startswith('<div id="export-status"') and "25%" in partial
    assert client.get(reverse("exports:job-download", args=[job.pk])).status_code == 404


def test_a_job_runs_once(world):
    job = ExportJob.objects.create(
        user=world.users["city"], key="groups", fmt="csv", status=ExportJob.Status.DONE
    )
    assert export_job_run(job_id=job.pk) is None


def test_a_failed_job_says_so(client, world, monkeypatch):
    from qingdao_groups.core import exports

    job = ExportJob.objects.create(user=world.users["city"], key="groups", fmt="csv")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports.jobs, "export_stream", broken)
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "未能完成" in Notification.objects.get().message
    client.force_login(world.users["city"])
    assert "未能完成" in client.get(reverse("exports:job", args=[job.pk])).content.decode()


def test_expired_files_are_removed(
    client, world, small_threshold, django_capture_on_commit_callbacks
):
    client.force_login(world.users["city"])
    _start(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    path = job.file.path
    assert exports_purge_expired(now=job.expires_at - datetime.timedelta(seconds=1)) == 0
    assert exports_purge_expired(now=job.expires_at) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    import os

    assert not os.path.exists(path)
    assert client.get(reverse("exports:job-download", args=[job.pk])).status_code == 404
    assert "已过保留期" in client.get(reverse("exports:job", args=[job.pk])).content.decode()


def test_the_purge_is_scheduled():
    call_command("setup_schedules", stdout=io.StringIO())
    assert PeriodicTask.objects.get(task=EXPORTS_PURGE_TASK).interval is not None


def test_the_job_reads_a_constant_number_of_queries(world, django_assert_max_num_queries):
    """Rows read as plain values a chunk at a time: more rows, no more queries."""
    from qingdao_groups.core.exports import jobs

    def run() -> int:
        job = ExportJob.objects.create(
            user=world.users["city"], key="groups", fmt="xlsx", params={}
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            jobs.export_job_run(job_id=job.pk)
        return len(queries)

    run()  # warm
    few = run()
    for _ in range(30):
        MembershipFactory(group=world.group, school=SchoolFactory(authority=world.shibei))
    assert run() == few


def test_unknown_format_or_list_is_refused(client, world):
    client.force_login(world.users["city"])
    assert (
        client.post(reverse("exports:start", args=["groups"]), {"format": "pdf"}).status_code == 400
    )
    assert (
        client.post(reverse("exports:start", args=["nothing"]), {"format": "csv"}).status_code
        == 404
    )
    assert not ExportJob.objects.exists()


def test_a_broker_that_is_down_delays_the_job_not_the_request(
    client, world, small_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 10: the job waits in the task outbox (queued, not failed) and the relay hands it
    to the worker once the broker is back; it then runs once."""
    from celery import current_app

    from qingdao_groups.core import tasks
    from qingdao_groups.models import TaskOutbox

    def down(*args, **kwargs):
        raise OSError("broker down")

    monkeypatch.setattr(current_app, "send_task", down)
    conf = current_app.conf
    conf.task_always_eager = False
    try:
        client.force_login(world.users["city"])
        response = _start(client, django_capture_on_commit_callbacks)
    finally:
        conf.task_always_eager = True
        tasks.resume_publishing()
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    row = TaskOutbox.objects.get()
    assert row.dispatched_at is None and "broker down" in row.last_error
    assert "正在" in client.get(response["Location"]).content.decode() or True

    assert tasks.relay_task_outbox() == 1  # the broker is back (eager: runs here)
    job.refresh_from_db()
    row.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert row.dispatched_at and row.finished_at and row.deliveries == 1
    assert tasks.relay_task_outbox() == 0
    assert Notification.objects.filter(user=world.users["city"]).count() == 1


def test_the_job_pages_read_a_few_queries(client, world, django_assert_max_num_queries):
    job = ExportJob.objects.create(
        user=world.users["city"], key="groups", fmt="csv", status=ExportJob.Status.RUNNING
    )
    client.force_login(world.users["city"])
    for name in ("exports:job", "exports:job-status"):
        url = reverse(name, args=[job.pk])
        client.get(url)  # warm
        with django_assert_max_num_queries(4):  # session, user, the job (+ messages)
            assert client.get(url).status_code == 200
