"""The production shape and the machinery around it.

* docker-compose.yml names services whose commands exist in this code base;
* `check --deploy` is clean under the production settings with a real secret;
* `setup_schedules` is idempotent and never overwrites a staff edit;
* Celery delivers a task to a real worker, over Redis (CI) and over the filesystem transport
  that `make run` uses when no broker is configured.
"""

import contextlib
import importlib
import importlib.util
import io
import os
import secrets
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery import _state as celery_state
from celery.app.utils import find_app
from celery.contrib.testing.worker import start_worker
from celery.utils.imports import symbol_by_name
from django.core.management import call_command, get_commands
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

import qingdao_groups
from qingdao_groups.management.commands.setup_schedules import (
    CLEAR_SESSIONS_TASK,
    RESET_LOCKOUTS_TASK,
    SCHEDULES,
)

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
LONG_RUNNING = ["postgres", "redis", "web", "worker", "beat"]


# --- docker-compose.yml ------------------------------------------------------------------------


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_compose_service_exists_with_healthcheck(name):
    service = SERVICES.get(name)
    assert service is not None, f"docker-compose.yml has no service {name!r}"
    check = service.get("healthcheck") or {}
    assert not check.get("disable"), f"{name}: health check disabled"
    assert check.get("test"), f"{name}: no health check"


def test_compose_volumes_for_database_and_media():
    volumes = COMPOSE.get("volumes") or {}
    pg_mounts = dict(m.split(":")[:2] for m in SERVICES["postgres"]["volumes"])
    db_volume = {v: t for v, t in pg_mounts.items() if t == "/var/lib/postgresql/data"}
    assert db_volume, "postgres keeps its data outside a named volume"
    assert set(db_volume) <= set(volumes)

    for name in ["web", "worker", "beat"]:
        env = SERVICES[name]["environment"]
        media_root = env.get("DJANGO_MEDIA_ROOT")
        assert media_root, f"{name}: DJANGO_MEDIA_ROOT is not set"
        mounts = dict(reversed(m.split(":")[:2]) for m in SERVICES[name].get("volumes", []))
        assert media_root in mounts, f"{name}: nothing mounted at MEDIA_ROOT {media_root}"
        assert mounts[media_root] in volumes, f"{name}: media is not a named volume"


@pytest.mark.parametrize("name", ["web", "worker", "beat", "migrate"])
def test_compose_app_environment(name):
    env = SERVICES[name]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "qingdao_groups.settings.production"
    for key in ["DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]:
        assert env.get(key), f"{name}: {key} missing"
    # The secret comes from the environment / .env by substitution, never from this file.
    assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY")
    assert "${POSTGRES_PASSWORD" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
    # the cache is shared by every process, in a database of its own (a clear never empties
    # the task queue)
    assert env["CACHE_URL"].startswith("redis://redis:")
    assert env["CACHE_URL"].rsplit("/", 1)[1] != env["CELERY_BROKER_URL"].rsplit("/", 1)[1]
    assert importlib.util.find_spec(env["DJANGO_SETTINGS_MODULE"]) is not None


def test_compose_web_runs_after_migrations():
    web_deps = SERVICES["web"]["depends_on"]
    assert web_deps["migrate"]["condition"] == "service_completed_successfully"
    assert web_deps["postgres"]["condition"] == "service_healthy"
    steps = [argv[1:3] for argv in _argv_list(SERVICES["migrate"]["command"])]
    assert ["manage.py", "migrate"] in steps
    assert ["manage.py", "setup_schedules"] in steps


def _argv_list(command):
    """Compose `command` / health-check `test` → a list of argv lists (sh -c a && b is split)."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv and argv[0] in ("CMD", "CMD-SHELL"):
        shell = argv[0] == "CMD-SHELL"
        argv = argv[1:]
        if shell:
            argv = ["sh", "-c", " ".join(argv)]
    if argv[:2] in (["sh", "-c"], ["bash", "-c"]):
        return [shlex.split(part) for part in argv[2].split("&&")]
    return [argv]


def _assert_command_exists(argv, where):
    program = Path(argv[0]).name
    program = {"python3.11": "python"}.get(program, program)
    if program in ("python", "python3") and argv[1] == "manage.py":
        assert argv[2] in get_commands(), f"{where}: no manage.py command {argv[2]!r}"
    elif program in ("python", "python3") and argv[1] == "-c":
        compile(argv[2], where, "exec")
    elif program == "gunicorn":
        targets = [a for a in argv[1:] if ":" in a and not a.startswith("-") and "." in a]
        assert targets, f"{where}: gunicorn without an application"
        module, attr = targets[0].split(":")
        assert callable(getattr(importlib.import_module(module), attr)), where
    elif program == "celery":
        app_name = argv[argv.index("-A") + 1]
        assert find_app(app_name) is qingdao_groups.celery_app, where
        sub = [a for a in argv[argv.index("-A") + 2 :] if not a.startswith("-")][0]
        from celery.bin.celery import celery as celery_cli

        assert sub in celery_cli.commands, f"{where}: no celery command {sub!r}"
        # `beat -S` is the scheduler; `worker -S` is --statedb (a shelve file), so an embedded
        # beat (`worker -B`) must name its scheduler with the long option.
        flags = ("-S", "--scheduler") if sub == "beat" else ("--scheduler",)
        if sub == "worker" and "-B" in argv:
            assert "-S" not in argv, f"{where}: worker -S is --statedb, not the beat scheduler"
        for flag in flags:
            if flag in argv:
                symbol_by_name(argv[argv.index(flag) + 1])
    elif program in ("pg_isready", "redis-cli", "redis-server"):
        pass  # provided by the official postgres / redis images
    else:
        pytest.fail(f"{where}: unknown program {argv[0]!r}")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_compose_commands_exist(name):
    service = SERVICES[name]
    if "command" in service:
        for argv in _argv_list(service["command"]):
            _assert_command_exists(argv, f"{name}.command")
    check = service.get("healthcheck") or {}
    if check.get("test"):
        for argv in _argv_list(check["test"]):
            _assert_command_exists(argv, f"{name}.healthcheck")


def test_compose_names_the_expected_programs():
    def first(name):
        return _argv_list(SERVICES[name]["command"])[0]

    assert first("web")[:2] == ["gunicorn", "qingdao_groups.wsgi:application"]
    assert first("worker")[:4] == ["celery", "-A", "qingdao_groups", "worker"]
    beat = first("beat")
    assert beat[:4] == ["celery", "-A", "qingdao_groups", "beat"]
    assert beat[beat.index("-S") + 1] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert symbol_by_name("django_celery_beat.schedulers:DatabaseScheduler")
    assert "setup_schedules" in get_commands()


def test_make_run_procfile():
    """`make run` starts exactly these through honcho: runserver and a worker with beat."""
    entries = {}
    for line in (ROOT / "Procfile.dev").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    assert set(entries) == {"web", "worker"}
    web, worker = entries["web"], entries["worker"]
    # honcho runs each line through a shell: `make run PORT=…` reaches runserver as WEB_PORT
    assert web[1:4] == ["manage.py", "runserver", "127.0.0.1:${WEB_PORT:-8000}"]
    assert "--noreload" in web  # honcho stops one process per entry on Ctrl-C
    assert "-B" in worker
    assert worker[worker.index("--scheduler") + 1] == (
        "django_celery_beat.schedulers:DatabaseScheduler"
    )
    for argv in entries.values():
        _assert_command_exists(argv, "Procfile.dev")


def test_dockerfile_shape():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    froms = [ln for ln in text.splitlines() if ln.startswith("FROM ")]
    assert froms == ["FROM python:3.11-slim-bookworm"]
    users = [ln.split()[1] for ln in text.splitlines() if ln.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the image must run as a non-root user"
    for needed in (
        "fonts-noto-cjk",
        "libpango",
        "gettext",
        "requirements.lock",
        "collectstatic",
        "compilemessages",
        "qingdao_groups.wsgi:application",
    ):
        assert needed in text, f"Dockerfile: {needed} missing"


# --- check --deploy ----------------------------------------------------------------------------


# Set for the test process only (live_server, local debugging); a deployment has neither.
NOT_IN_DEPLOYMENT = ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_DEBUG", "DJANGO_SECRET_KEY")


def _manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_DEPLOYMENT}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="qingdao_groups.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="groups.example.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("env", "backend", "location"),
    [
        ({}, "django.core.cache.backends.locmem.LocMemCache", ""),
        (
            {"CELERY_BROKER_URL": "redis://10.0.0.5:6379/2"},
            "qingdao_groups.core.cache.RedisCache",
            "redis://10.0.0.5:6379/3",
        ),
        (
            {"CACHE_URL": "redis://cache:6379/4"},
            "qingdao_groups.core.cache.RedisCache",
            "redis://cache:6379/4",
        ),
        ({"CELERY_BROKER_URL": "memory://"}, "django.core.cache.backends.locmem.LocMemCache", ""),
    ],
)
def test_production_cache_follows_the_environment(env, backend, location):
    """CACHE_URL when set; else the Redis server CELERY_BROKER_URL names, next database; else
    local memory (the broker's own default is not taken for a cache server)."""
    unset = {"CACHE_URL", "CELERY_BROKER_URL", *NOT_IN_DEPLOYMENT}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; c = settings.CACHES['default'];"
            " print(c['BACKEND'], c.get('LOCATION', ''))",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in unset},
            "DJANGO_SETTINGS_MODULE": "qingdao_groups.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "groups.example.cn",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [backend, *([location] if location else [])]


def test_production_refuses_to_start_without_a_secret():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="qingdao_groups.settings.production",
        DJANGO_ALLOWED_HOSTS="groups.example.cn",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- setup_schedules ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_setup_schedules_is_idempotent_and_keeps_staff_edits():
    call_command("setup_schedules", stdout=io.StringIO())

    expected = sorted(spec["task"] for spec in SCHEDULES)
    assert {CLEAR_SESSIONS_TASK, RESET_LOCKOUTS_TASK} <= set(expected)
    assert sorted(PeriodicTask.objects.values_list("task", flat=True)) == expected
    clear = PeriodicTask.objects.get(task=CLEAR_SESSIONS_TASK)
    assert (clear.crontab.minute, clear.crontab.hour) == ("0", "3")
    assert str(clear.crontab.timezone) == "Asia/Shanghai"
    reset = PeriodicTask.objects.get(task=RESET_LOCKOUTS_TASK)
    assert (reset.interval.every, reset.interval.period) == (1, IntervalSchedule.HOURS)
    assert clear.enabled and reset.enabled
    crontab_0300 = clear.crontab

    # A staff member moves the clean-up to 04:30 in the admin and pauses the other task.
    later = CrontabSchedule.objects.create(minute="30", hour="4", timezone="Asia/Shanghai")
    clear.crontab = later
    clear.save()
    reset.enabled = False
    reset.save()
    crontabs, intervals = CrontabSchedule.objects.count(), IntervalSchedule.objects.count()

    out = io.StringIO()
    call_command("setup_schedules", stdout=out)

    assert sorted(PeriodicTask.objects.values_list("task", flat=True)) == expected
    clear.refresh_from_db()
    reset.refresh_from_db()
    assert clear.crontab_id == later.pk
    assert not reset.enabled
    assert CrontabSchedule.objects.count() == crontabs
    assert IntervalSchedule.objects.count() == intervals
    assert "created" not in out.getvalue()

    # The same edit made on the schedule row itself survives too.
    crontab_0300.refresh_from_db()
    clear.crontab = crontab_0300
    clear.save()
    CrontabSchedule.objects.filter(pk=crontab_0300.pk).update(hour="5")
    call_command("setup_schedules", stdout=io.StringIO())
    clear.refresh_from_db()
    assert (clear.crontab.minute, clear.crontab.hour) == ("0", "5")
    assert PeriodicTask.objects.count() == len(expected)


@pytest.mark.django_db
def test_setup_schedules_recognises_a_renamed_task():
    call_command("setup_schedules", stdout=io.StringIO())
    PeriodicTask.objects.filter(task=CLEAR_SESSIONS_TASK).update(name="会话清理（已改名）")
    call_command("setup_schedules", stdout=io.StringIO())
    assert PeriodicTask.objects.filter(task=CLEAR_SESSIONS_TASK).count() == 1
    assert PeriodicTask.objects.count() == len(SCHEDULES)


# --- Celery round trips with a real worker -----------------------------------------------------


@contextlib.contextmanager
def _worker_app(monkeypatch, **conf):
    """A Celery app configured like the project's (Django settings, CELERY_ namespace), with
    the given broker/backend, and a real worker thread. The previous current/default apps are
    restored afterwards, so other tests keep the eager project app."""
    # Celery lets these environment variables win over any configuration: the app must use
    # exactly the broker and backend given here.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping for the ready check

    import qingdao_groups.tasks  # noqa: F401  the shared tasks under test

    previous_current = celery_state.get_current_app()
    previous_default = celery_state.default_app
    app = Celery("qingdao_groups_worker_test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        task_always_eager=False,
        task_ignore_result=False,
        worker_hijack_root_logger=False,
        worker_enable_remote_control=False,
        result_expires=60,  # the ready check's ping result, among others
        **conf,
    )
    assert app.conf.broker_url == conf["broker_url"]
    assert app.conf.result_backend == conf["result_backend"]
    try:
        with start_worker(app, pool="solo", ping_task_timeout=30, shutdown_timeout=30):
            yield app
    finally:
        previous_current.set_current()
        celery_state.set_default_app(previous_default)


def _redis_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    required = os.environ.get("REQUIRE_REDIS") == "1"
    if not url.startswith(("redis://", "rediss://")):
        if required:
            pytest.fail("REQUIRE_REDIS=1 but CELERY_BROKER_URL is not a redis:// URL")
        pytest.skip("CELERY_BROKER_URL is not a redis:// URL")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"CELERY_BROKER_URL={url} is set but Redis does not answer: {exc}")
    return url


@pytest.mark.django_db(transaction=True)
def test_celery_round_trip_over_redis(monkeypatch):
    import redis

    from qingdao_groups.tasks import clear_expired_sessions_task

    url = _redis_url()
    queue = f"qingdao-groups-test-{uuid.uuid4().hex}"
    try:
        with _worker_app(
            monkeypatch,
            broker_url=url,
            result_backend=url,
            broker_transport_options={},
            task_default_queue=queue,
        ):
            result = clear_expired_sessions_task.delay()
            assert result.get(timeout=30) == "ok"
            assert result.successful()
            result.forget()
    finally:
        # Leave nothing behind in the shared Redis database.
        client = redis.Redis.from_url(url)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.mark.django_db(transaction=True)
def test_celery_round_trip_over_filesystem_transport(tmp_path, monkeypatch):
    """The embedded default of `make run`: no Redis, messages as files, each written whole
    before a worker can see it (qingdao_groups.celery_transport)."""
    from kombu.transport import resolve_transport

    from qingdao_groups.celery_transport import Transport
    from qingdao_groups.tasks import reset_expired_login_lockouts_task

    assert resolve_transport("filesystem") is Transport

    queue_dir = tmp_path / "queue"
    processed = tmp_path / "processed"
    control = tmp_path / "control"
    results = tmp_path / "results"
    for folder in (queue_dir, processed, control, results):
        folder.mkdir()
    with _worker_app(
        monkeypatch,
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "processed_folder": str(processed),
            "control_folder": str(control),
            "polling_interval": 0.1,
            "store_processed": True,
        },
        result_backend=f"file://{results}",
    ):
        result = reset_expired_login_lockouts_task.delay()
        assert isinstance(result.get(timeout=30), int)
        assert result.successful()
    assert not list(queue_dir.iterdir()), "a message was left undelivered"
    delivered = [p.name for p in processed.iterdir()]
    assert any(name.endswith(".celery.msg") for name in delivered), delivered


def test_the_embedded_default_writes_mail_to_files():
    """`make run` keeps the e-mails it sends as files under var/mail (DJANGO_EMAIL_BACKEND
    chooses another backend)."""
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_EMAIL")}
    env["DJANGO_SETTINGS_MODULE"] = "qingdao_groups.settings.local"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[-2] == "qingdao_groups.core.mail.ReadableFileBackend"
    assert out[-1] == str(ROOT / "var" / "mail")


def test_prepare_compiles_only_the_catalogues_that_changed(tmp_path, settings):
    """`make run` recompiles a translation only when its .po is newer than its .mo."""
    from qingdao_groups.management.commands.prepare import stale_catalogues

    messages = tmp_path / "en" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po, mo = messages / "django.po", messages / "django.mo"
    po.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]
    assert stale_catalogues() == [po]  # never compiled
    mo.write_bytes(b"")
    os.utime(po, (1_000_000, 1_000_000))
    assert stale_catalogues() == []  # compiled after the last edit
    os.utime(mo, (500_000, 500_000))
    assert stale_catalogues() == [po]  # edited since


@pytest.mark.django_db
def test_prepare_twice_changes_nothing_the_second_time():
    """One process prepares database, demo data and schedules; a restart finds them done."""
    from groups.registry.models import EducationGroup, Membership
    from members.models import School, User

    call_command("prepare", verbosity=0, stdout=io.StringIO())
    counted = (School, User, EducationGroup, Membership, PeriodicTask)
    before = {m: m.objects.count() for m in counted}
    assert before[EducationGroup] >= 3 and before[PeriodicTask] == len(SCHEDULES)

    out = io.StringIO()
    call_command("prepare", verbosity=0, stdout=out)

    assert {m: m.objects.count() for m in counted} == before
    assert "prepared in" in out.getvalue()


def test_production_reads_the_mail_server_from_the_environment():
    """Issue 12: host, port, TLS and credentials of the mail server come from the environment."""
    code = (
        "import django; from django.conf import settings as s; django.setup();"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL,"
        " s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD)"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in NOT_IN_DEPLOYMENT},
        "DJANGO_SETTINGS_MODULE": "qingdao_groups.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "groups.example.cn",
        "DJANGO_EMAIL_HOST": "smtp.jyj.qingdao.example",
        "DJANGO_EMAIL_PORT": "587",
        "DJANGO_EMAIL_USE_TLS": "true",
        "DJANGO_EMAIL_HOST_USER": "noreply",
        "DJANGO_EMAIL_HOST_PASSWORD": "s3cret-from-env",
    }
    env.pop("DJANGO_EMAIL_BACKEND", None)
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-7:] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.jyj.qingdao.example",
        "587",
        "True",
        "False",
        "noreply",
        "s3cret-from-env",
    ]
    env.update(DJANGO_EMAIL_USE_SSL="true")
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode != 0 and "DJANGO_EMAIL_USE_SSL" in run.stderr
