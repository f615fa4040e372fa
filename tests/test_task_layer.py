"""The task layer with a real worker on a real Redis (issue 10).

* a worker killed with SIGKILL in the middle of a long idempotent task: the broker delivers the
  message again to a new worker (acks late, visibility timeout) and the work is there exactly
  once (parametrized by task name: see KILL_CASES);
* with Redis stopped, a request that enqueues answers within BROKER_TIMEOUT and a margin, and
  the task runs exactly once after Redis is back and the relay has run;
* a task that kills its worker every time is given up after TASK_MAX_DELIVERIES deliveries,
  recorded in its TaskOutbox row, not redelivered forever.

Each test starts its own `redis-server` on a free port and `celery -A qingdao_groups worker`
subprocesses on the test's PostgreSQL database (a `transaction=True` test: what the test writes
is committed, so the worker sees it). Without the redis-server binary they are skipped, except
in CI (CI=… or REQUIRE_REDIS=1), where they fail instead. On SQLite (an in-memory test database
no other process can open) they are skipped.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from celery import _state as celery_state
from django.conf import settings
from django.db import connection
from django.urls import reverse

from qingdao_groups.core import tasks
from qingdao_groups.core.tasks import enqueue, relay_task_outbox
from qingdao_groups.models import ExportJob, Notification, TaskOutbox
from qingdao_groups.settings.base import broker_transport_options
from tests.task_probe import TABLE
from tests.test_outbox import PrivateRedis

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
VISIBILITY_TIMEOUT = 2  # seconds, the test workers' (production: CELERY_VISIBILITY_TIMEOUT)
MAX_DELIVERIES = 3
MARGIN = 1.5  # seconds above BROKER_TIMEOUT a request may take on a busy machine

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_ci() -> bool:
    return os.environ.get("REQUIRE_REDIS") == "1" or bool(os.environ.get("CI"))


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if _in_ci():
            pytest.fail("redis-server is not installed (required in CI)")
        pytest.skip("redis-server is not installed")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot open the SQLite test database")
    (tmp_path / "redis").mkdir()
    server = PrivateRedis(binary, tmp_path / "redis")
    server.url = f"redis://127.0.0.1:{server.port}/14"
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def web_app(redis_server, monkeypatch):
    """This process publishes as a web process does: the project's settings, not eager, with
    the private Redis as its broker (and the Redis transport options of the settings)."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    import qingdao_groups.tasks  # noqa: F401
    import tests.task_probe  # noqa: F401

    previous_current = celery_state.get_current_app()
    previous_default = celery_state.default_app
    app = Celery("qingdao_groups_task_layer_test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_server.url,
        broker_transport_options=broker_transport_options(redis_server.url),
        result_backend=None,
        task_always_eager=False,
    )
    app.set_current()
    celery_state.set_default_app(app)
    with app.connection_for_write() as conn:
        conn.transport  # noqa: B018  the transport's import is not a wait on the broker
    tasks.resume_publishing()
    try:
        yield app
    finally:
        tasks.resume_publishing()
        app.close()
        previous_current.set_current()
        celery_state.set_default_app(previous_default)


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    """`celery -A qingdao_groups worker` in its own process group, on the test database."""

    count = 0

    def __init__(self, broker_url: str, folder: Path, *, pool: str = "solo"):
        Worker.count += 1
        self.log = folder / f"worker-{Worker.count}.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CELERY_", "CACHE_URL", "DJANGO_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="qingdao_groups.settings.local",
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=broker_url,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            TASK_MAX_DELIVERIES=str(MAX_DELIVERIES),
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            TASK_PROBE_DIR=str(folder),
            PYTHONPATH=str(ROOT),
        )
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "qingdao_groups",
                    "worker",
                    "-P",
                    pool,
                    "-c",
                    "1",
                    "-I",
                    "tests.task_probe",
                    "-n",
                    f"probe{Worker.count}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while "ready." not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"the worker did not start:\n{self.text()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the whole process group: no warm shutdown, no acknowledgement."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(tmp_path, redis_server):
    started: list[Worker] = []

    def start(pool: str = "solo") -> Worker:
        worker = Worker(redis_server.url, tmp_path, pool=pool)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


# --- (1) SIGKILL in the middle of a long idempotent task ----------------------------------------


@dataclasses.dataclass
class KillCase:
    """A task to kill mid-run. `kwargs(world, folder)` builds its arguments, `count(kwargs)` how
    many times its work is there afterwards (1 expected), `killed_at` the file the worker leaves
    when it is time to kill it (the probe's own markers; `prerun-<task>` for any real task,
    killed `delay` seconds after it started)."""

    task: str
    kwargs: Callable[[object, Path], dict]
    count: Callable[[dict], int]
    killed_at: str
    delay: float = 0.0
    needs_world: bool = False


def _probe_rows(kwargs: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {TABLE} WHERE a = %s AND b = %s",  # noqa: S608
            [kwargs["a"], kwargs["b"]],
        )
        return cursor.fetchone()[0]


def _probe_kwargs(pause: str) -> Callable[[object, Path], dict]:
    def kwargs(world, folder: Path) -> dict:
        return {"a": 7, "b": 11, "folder": str(folder), "pause": pause}

    return kwargs


def _report_kwargs(world) -> dict:
    from tests.assessments.builders import make_published_cycle

    cycle = make_published_cycle(world, groups=[world.group])
    return {"cycle_id": cycle.pk, "group_id": world.group.pk}


def _report_rows(kw: dict) -> int:
    from assessments.reports.models import Report
    from qingdao_groups.models import OfficialDocument

    reports = Report.objects.filter(
        cycle_id=kw["cycle_id"], group_id=kw["group_id"], scope=Report.Scope.GROUP
    )
    documents = OfficialDocument.objects.filter(
        kind="assessment_report", owner_id__in=reports.values("pk")
    )
    assert documents.count() == reports.count()
    return reports.count()


KILL_CASES = [
    # Killed before the write: the second delivery writes the row.
    KillCase(
        "tests.task_probe.keyed_write", _probe_kwargs("started"), _probe_rows, killed_at="started"
    ),
    # Killed after the write, before the acknowledgement: the second delivery finds it.
    KillCase(
        "tests.task_probe.keyed_write", _probe_kwargs("written"), _probe_rows, killed_at="written"
    ),
    # A group's assessment report, killed half a second into its rendering: after the
    # restart the report and its archived PDF are there exactly once.
    KillCase(
        "assessments.report_generate",
        lambda world, folder: _report_kwargs(world),
        lambda kw: _report_rows(kw),
        killed_at="prerun-assessments.report_generate",
        delay=0.5,
        needs_world=True,
    ),
]


@pytest.fixture
def probe_table(db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id serial PRIMARY KEY, a int, b int)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


@pytest.mark.parametrize("case", KILL_CASES, ids=[f"{c.task}-{c.killed_at}" for c in KILL_CASES])
def test_a_killed_worker_leaves_the_work_done_exactly_once(
    case, request, tmp_path, web_app, workers, probe_table
):
    world = request.getfixturevalue("world") if case.needs_world else None
    kwargs = case.kwargs(world, tmp_path)
    first = workers()
    row = enqueue(case.task, **kwargs)  # no transaction: committed, published at once
    marker = tmp_path / case.killed_at
    _wait(marker.exists, 60, f"{case.killed_at} in the first worker")
    time.sleep(case.delay)
    first.kill()
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.deliveries == 1 and row.finished_at is None

    (tmp_path / "go").touch()  # the next delivery need not wait
    time.sleep(VISIBILITY_TIMEOUT + 1)  # the message is the broker's to hand out again
    workers()

    def finished() -> bool:
        row.refresh_from_db()
        return row.finished_at is not None

    _wait(finished, 60, "the redelivered task to finish")
    assert case.count(kwargs) == 1
    assert row.deliveries == 2 and row.gave_up_at is None
    assert relay_task_outbox() == 0  # nothing left to publish


# --- (2) Redis stopped: the request answers, the task runs once when Redis is back -------------


def test_with_redis_stopped_a_request_answers_and_its_task_runs_once_later(
    client, world, settings, web_app, redis_server, workers, caplog
):
    settings.EXPORT_ASYNC_THRESHOLD = 1
    redis_server.stop()
    client.force_login(world.users["city"])
    started = time.monotonic()
    response = client.post(reverse("exports:start", args=["groups"]), {"format": "csv"})
    took = time.monotonic() - started
    assert response.status_code == 302
    assert took < settings.BROKER_TIMEOUT + MARGIN, f"the request took {took:.1f} s"
    row = TaskOutbox.objects.get()
    job = ExportJob.objects.get()
    assert row.task == "qingdao_groups.export_job_run" and row.kwargs == {"job_id": job.pk}
    assert row.dispatched_at is None and row.attempts == 1 and row.last_error
    # The next request does not even try (publishing paused): the relay will.
    started = time.monotonic()
    client.post(reverse("exports:start", args=["groups"]), {"format": "xlsx"})
    assert time.monotonic() - started < settings.BROKER_TIMEOUT
    assert TaskOutbox.objects.filter(dispatched_at__isnull=True).count() == 2
    assert relay_task_outbox() == 0  # still down: nothing marked dispatched
    assert TaskOutbox.objects.filter(dispatched_at__isnull=True).count() == 2

    redis_server.start()
    workers()
    far = TaskOutbox.objects.order_by("-next_attempt_at").first().next_attempt_at
    assert relay_task_outbox(now=far) == 2  # the beat's run, once its backoff has passed
    assert relay_task_outbox(now=far) == 0

    def done() -> bool:
        return ExportJob.objects.filter(status=ExportJob.Status.DONE).count() == 2

    _wait(done, 60, "both export jobs to be written")
    time.sleep(1)
    assert all(r.deliveries == 1 and r.finished_at for r in TaskOutbox.objects.all())
    assert Notification.objects.filter(user=world.users["city"]).count() == 2  # once each


# --- (3) The redelivery cap --------------------------------------------------------------------


def test_a_task_that_kills_its_worker_every_time_is_given_up(tmp_path, web_app, workers):
    workers(pool="prefork")  # each kill takes one pool process; the worker requeues the message
    row = enqueue("tests.task_probe.die", folder=str(tmp_path))

    def given_up() -> bool:
        row.refresh_from_db()
        return row.gave_up_at is not None

    _wait(given_up, 90, "the task to be given up")
    assert row.deliveries == MAX_DELIVERIES + 1
    assert f"gave up after {MAX_DELIVERIES} deliveries" in row.last_error
    runs = len(list(tmp_path.glob("run-*")))
    assert runs == MAX_DELIVERIES
    time.sleep(VISIBILITY_TIMEOUT + 2)  # and it is not delivered again
    row.refresh_from_db()
    assert row.deliveries == MAX_DELIVERIES + 1
    assert len(list(tmp_path.glob("run-*"))) == MAX_DELIVERIES


def test_the_time_limits_stay_below_the_visibility_timeout():
    """A task still running when Redis hands its message out again would run twice at once."""
    options = broker_transport_options("redis://127.0.0.1:6379/0")
    assert options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_TIME_LIMIT < settings.CELERY_VISIBILITY_TIMEOUT
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
