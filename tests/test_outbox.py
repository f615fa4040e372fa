"""No request waits on the broker, and no e-mail is lost or sent twice (issue 6, item 7).

Notices are written with their e-mail copies as Outbox rows in the caller's transaction; the
worker relays them. Here:

* the rows follow the caller's transaction, and the relay sends each exactly once, backing off
  while the mail server fails;
* with a private `redis-server` as the Celery broker, (a) stopped and (b) hung with SIGSTOP,
  every notifying action and page answers within 3 s with no server error; once Redis is back
  a real worker relays each e-mail exactly once, and relaying again sends nothing.

The Redis tests start their own `redis-server` on a free port (never the machine's Redis); they
skip without the binary, and fail instead when REQUIRE_REDIS=1 (CI).
"""

import contextlib
import datetime
import io
import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from smtplib import SMTPServerDisconnected

import pytest
from celery import Celery
from celery import _state as celery_state
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from groups.applications.models import Application
from groups.cards.models import Card
from groups.filings.models import Filing
from qingdao_groups.core import notifications
from qingdao_groups.core.notifications import backoff, notify, relay_outbox
from qingdao_groups.management.commands.setup_schedules import RELAY_OUTBOX_TASK
from qingdao_groups.models import Notification, Outbox
from qingdao_groups.settings.base import broker_transport_options
from tests.groups import workflow_helpers as h

ANSWER_WITHIN = 3.0  # seconds, whatever the broker does


@pytest.fixture(autouse=True)
def _nudges_start_fresh():
    notifications.resume_nudges()
    yield
    notifications.resume_nudges()


@pytest.fixture
def people(world):
    h.world_emails(world)
    return world


def pending() -> list[Outbox]:
    return list(Outbox.objects.filter(sent_at__isnull=True))


def message_ids() -> list[str]:
    return [m.extra_headers["Message-ID"] for m in mail.outbox]


# --- The outbox itself ----------------------------------------------------------------------------


def test_rows_are_written_in_the_callers_transaction(people):
    users = [people.users["city"], people.users["district"], people.users["auditor"]]
    people.users["auditor"].email = ""
    people.users["auditor"].save(update_fields=["email"])
    with contextlib.suppress(RuntimeError), transaction.atomic():
        notify(users, "回滚的通知")
        raise RuntimeError("the action fails after notifying")
    assert not Notification.objects.exists() and not Outbox.objects.exists()

    notify(users, "已保存的通知", "/cards/1/")
    assert Notification.objects.count() == 3
    rows = pending()  # the auditor has no address: no e-mail for them
    assert sorted(r.payload["to"][0] for r in rows) == [
        "t-city@example.cn",
        "t-district@example.cn",
    ]
    assert rows[0].payload["subject"] == "【集团化办学】已保存的通知"
    assert rows[0].payload["body"].endswith("/cards/1/")
    assert mail.outbox == []  # nothing leaves inside the transaction


def test_the_relay_sends_each_row_once(people):
    notify([people.users["city"], people.users["district"]], "请审核")
    assert relay_outbox() == 2
    assert relay_outbox() == 0
    assert len(mail.outbox) == 2 and len(set(message_ids())) == 2
    assert all(r.sent_at and r.attempts == 1 and r.last_error == "" for r in Outbox.objects.all())


def test_the_nudge_after_commit_relays_only_its_own_rows(
    people, django_capture_on_commit_callbacks
):
    notify([people.users["city"]], "早先的通知")  # its commit is never seen: left to the beat
    with django_capture_on_commit_callbacks(execute=True):
        notify([people.users["district"]], "新的通知")
    assert [m.to for m in mail.outbox] == [["t-district@example.cn"]]
    assert [r.payload["to"] for r in pending()] == [["t-city@example.cn"]]


class FlakyBackend(LocmemBackend):
    """The mail server, down while `down` is true."""

    down = True

    def send_messages(self, messages):
        if FlakyBackend.down:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_failing_mail_server_leaves_rows_pending_with_backoff_then_sends_once(
    people, settings, monkeypatch
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    monkeypatch.setattr(FlakyBackend, "down", True)
    notify([people.users["city"], people.users["district"]], "请审核")
    t0 = timezone.now()

    assert relay_outbox(now=t0) == 0
    rows = pending()
    assert len(rows) == 2 and {r.attempts for r in rows} == {1}
    assert {r.next_attempt_at for r in rows} == {t0 + datetime.timedelta(minutes=1)}
    assert "SMTPServerDisconnected" in rows[0].last_error

    assert relay_outbox(now=t0 + datetime.timedelta(seconds=59)) == 0  # not due yet
    assert {r.attempts for r in pending()} == {1}

    t1 = t0 + datetime.timedelta(minutes=1)
    assert relay_outbox(now=t1) == 0
    assert {(r.attempts, r.next_attempt_at) for r in pending()} == {
        (2, t1 + datetime.timedelta(minutes=2))
    }

    monkeypatch.setattr(FlakyBackend, "down", False)
    t2 = t1 + datetime.timedelta(minutes=2)
    assert relay_outbox(now=t2) == 2
    assert relay_outbox(now=t2 + datetime.timedelta(hours=5)) == 0
    assert len(mail.outbox) == 2 and len(set(message_ids())) == 2
    assert {(r.attempts, r.sent_at, r.last_error) for r in Outbox.objects.all()} == {(3, t2, "")}


def test_backoff_doubles_and_is_capped_at_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(50) == datetime.timedelta(hours=1)


def test_a_failing_nudge_is_swallowed_and_paused(people, monkeypatch, caplog):
    """A broker error on the nudge never reaches the request; the next requests skip the nudge
    for a while instead of paying the broker timeout again."""
    from celery import current_app
    from kombu.exceptions import OperationalError

    calls = []

    def broken(*args, **kwargs):
        calls.append(kwargs)
        raise OperationalError("Timeout reading from socket")

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(current_app, "send_task", broken)
    with caplog.at_level(logging.WARNING, logger=notifications.__name__):
        notifications.nudge_relay([1])
        notifications.nudge_relay([2])
    assert len(calls) == 1 and "nudge failed" in caplog.text


def test_messages_queued_before_the_outbox_are_still_sent_once(people):
    from qingdao_groups.tasks import send_notification_emails_task

    notice = Notification.objects.create(user=people.users["city"], message="旧队列中的通知")
    assert send_notification_emails_task(notification_ids=[notice.pk]) == 1
    assert send_notification_emails_task(notification_ids=[notice.pk]) == 0
    assert [m.to for m in mail.outbox] == [["t-city@example.cn"]]


def test_the_relay_is_scheduled_at_least_every_minute(db):
    call_command("setup_schedules", stdout=io.StringIO())
    task = PeriodicTask.objects.get(task=RELAY_OUTBOX_TASK)
    assert task.enabled and task.interval.schedule.run_every <= datetime.timedelta(minutes=1)


@pytest.mark.skipif(not h.ON_POSTGRES, reason="row locks are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_row_being_sent_by_another_relay_is_skipped_not_sent_twice(people):
    # Written directly: notify() outside a transaction would nudge (eagerly relay) at once.
    row = Outbox.objects.create(
        payload={"to": ["t-city@example.cn"], "subject": "请审核", "body": "请审核"}
    )
    locked, release = threading.Event(), threading.Event()

    def other_relay():
        try:
            with transaction.atomic():
                Outbox.objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_relay)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        assert relay_outbox() == 0 and mail.outbox == []
        assert time.monotonic() - started < 5  # skipped at once, not waited for
    finally:
        release.set()
        thread.join()
    assert relay_outbox() == 1 and relay_outbox() == 0
    assert len(mail.outbox) == 1


# --- A private Redis as the broker: stopped, then hung ------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free port, to stop, restart, hang and resume."""

    def __init__(self, binary: str, folder):
        self.binary, self.folder = binary, folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                pytest.fail(f"the private redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a hung server cannot stop
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def hang(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(binary, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker_app(private_redis, monkeypatch):
    """The project's Celery configuration, not eager, with the private Redis as its broker
    (and the transport options the settings give a Redis broker); restored afterwards."""
    # Celery lets these environment variables win over any configuration (CI sets them).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    import qingdao_groups.tasks  # noqa: F401  the shared tasks the app must know

    previous_current = celery_state.get_current_app()
    previous_default = celery_state.default_app
    app = Celery("qingdao_groups_outbox_test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=private_redis.url,
        broker_transport_options=broker_transport_options(private_redis.url),
        result_backend=None,
        task_always_eager=False,
        worker_hijack_root_logger=False,
        worker_enable_remote_control=False,
    )
    app.set_current()
    celery_state.set_default_app(app)
    # Load the Redis transport now: its first import is a one-time cost of the process (a
    # second or more on a busy machine), not a wait on the broker.
    with app.connection_for_write() as conn:
        conn.transport  # noqa: B018
    try:
        yield app
    finally:
        app.close()
        previous_current.set_current()
        celery_state.set_default_app(previous_default)


def _notifying_actions(world):
    """(label, user, url, data) for a decision, a card issue and a filing, ready to post."""
    built = h.founding_ready(world)
    filer = world.users["district"]
    return [
        (
            "decision",
            built.decider,
            reverse("applications:decide", args=[built.application.pk]),
            {
                "version": built.application.version,
                "action": "approve",
                "reason": "同意成立",
                "justification": "材料齐全",
            },
        ),
        (
            "card",
            world.users["district"],
            reverse("cards:issue", args=[world.membership.pk]),
            {
                "level": "yellow",
                "ground": "agreement",
                "description": "连续两学期未派出骨干教师",
                "deadline": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
            },
        ),
        (
            "filing",
            filer,
            reverse("filings:filing-create"),
            {
                "kind": "project",
                "title": "课后服务改革",
                "description": "试点",
                "project_starts_on": timezone.localdate().isoformat(),
            },
        ),
    ]


def _timed(client, method, url, data=None):
    start = time.monotonic()
    response = (
        getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    )
    return response, time.monotonic() - start


@pytest.mark.parametrize("outage", ["stopped", "hung"])
@pytest.mark.django_db(transaction=True)
def test_no_request_waits_on_a_broken_broker_and_each_email_leaves_once(
    outage, people, private_redis, client, caplog, request
):
    actions = _notifying_actions(people)  # built with the eager test app: mails sent already
    mail.outbox.clear()
    app = request.getfixturevalue("broker_app")
    if outage == "stopped":
        private_redis.stop()
    else:
        private_redis.hang()
        assert not private_redis.answers()

    with caplog.at_level(logging.WARNING, logger=notifications.__name__):
        for label, user, url, data in actions:
            notifications.resume_nudges()  # every action really tries the broker
            client.force_login(user)
            response, took = _timed(client, "post", url, data)
            assert response.status_code == 302, (label, response.status_code)
            assert took < ANSWER_WITHIN, f"{label} took {took:.1f} s with Redis {outage}"
        for url in [
            reverse("home"),
            reverse("applications:inbox"),
            reverse("cards:list"),
            reverse("filings:filing-list"),
        ]:
            response, took = _timed(client, "get", url)
            assert response.status_code == 200 and took < ANSWER_WITHIN, (url, took)
    assert caplog.text.count("nudge failed") == len(actions)  # the broker was really tried

    assert Application.objects.get().status == Application.Status.APPROVED
    assert Card.objects.count() == 1 and Filing.objects.filter(title="课后服务改革").count() == 1
    waiting = pending()
    assert len(waiting) >= len(actions) and mail.outbox == []

    if outage == "stopped":
        private_redis.start()
    else:
        private_redis.resume()
    # Back: a real worker, on the settings' Redis transport options, relays what waited.
    from qingdao_groups.tasks import relay_outbox_task

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        relay_outbox_task.delay()
        # Watch the mailbox, not the table: SQLite's shared test database would refuse a read
        # while the worker's relay holds its write transaction.
        deadline = time.monotonic() + 30
        while len(mail.outbox) < len(waiting) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert pending() == []
    assert len(mail.outbox) == len(waiting)
    assert sorted(int(mid.split("-")[1]) for mid in message_ids()) == sorted(
        r.pk for r in waiting
    )  # each waiting row once, and nothing else
    assert relay_outbox() == 0 and len(mail.outbox) == len(waiting)
