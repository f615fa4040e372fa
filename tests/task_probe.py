"""Test-only Celery tasks for tests/test_task_layer.py, loaded into a real worker with
`celery -A qingdao_groups worker -I tests.task_probe` (and imported by the tests themselves).

They talk to the test through files in the folder they are given (the worker is another
process): `run-<n>` for each run, `started` / `written` at the points where a test kills the
worker, and they wait for `go` before going on. With TASK_PROBE_DIR set, every task the worker
starts leaves `prerun-<task name>` there, so a test can kill the worker in the middle of any
real task too (the kill test is parametrized by task name).
"""

import os
import signal
import time
from pathlib import Path

from celery import shared_task
from celery.signals import task_prerun
from django.db import connection

TABLE = "task_probe_row"
WAIT_SECONDS = 60


@task_prerun.connect
def _mark_prerun(sender=None, **_kwargs):
    folder = os.environ.get("TASK_PROBE_DIR")
    if folder and sender is not None:
        (Path(folder) / f"prerun-{sender.name}").touch()


def _count_run(folder: Path) -> int:
    n = len(list(folder.glob("run-*"))) + 1
    (folder / f"run-{n}").touch()
    return n


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def keyed_write(*, a: int, b: int, folder: Path, pause: str = "started") -> bool:
    """An idempotent service: writes the row keyed by (a, b) unless it is there already. It
    pauses (until `go`) at one point, `pause`: "started" before the write or "written" after it,
    where a test kills the worker. It must not pause at both: a test waiting for `written` would
    otherwise race the pause before it. True when written."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {TABLE} WHERE a = %s AND b = %s", [a, b])  # noqa: S608
        if cursor.fetchone():
            return False
        _count_run(folder)
        (folder / "started").touch()
        if pause == "started":
            _wait_for(folder / "go")
        cursor.execute(f"INSERT INTO {TABLE} (a, b) VALUES (%s, %s)", [a, b])  # noqa: S608
    (folder / "written").touch()
    if pause == "written":
        _wait_for(folder / "go")
    return True


@shared_task(name="tests.task_probe.keyed_write", ignore_result=True)
def keyed_write_task(*, a: int, b: int, folder: str, pause: str = "started") -> bool:
    return keyed_write(a=a, b=b, folder=Path(folder), pause=pause)


@shared_task(name="tests.task_probe.die", ignore_result=True)
def die_task(*, folder: str) -> None:
    """Kills the process running it, every time (as an out-of-memory kill would)."""
    _count_run(Path(folder))
    os.kill(os.getpid(), signal.SIGKILL)
