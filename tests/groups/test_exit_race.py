"""Ten requests start an exit of the same membership at the same instant: exactly one draft is
created, the others are refused naming it (policy L-5, issue 8). application_create locks the
membership row before it looks for an open exit, and the partial unique index
application_one_open_exit_per_membership would catch what slipped past.

Needs real row locks: PostgreSQL only. Run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/qg_exits .venv/bin/python -m pytest \
    tests/groups/test_exit_race.py"""

import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connections

from groups.applications.models import Application
from groups.applications.services import application_create
from qingdao_groups.core.rules import RuleRefusal
from tests.groups import workflow_helpers as h

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks need PostgreSQL (SQLite serialises all writers); set DATABASE_URL",
    ),
]

THREADS = 10


def test_ten_simultaneous_exits_of_one_membership_create_one(world):
    actor = h.principal(world.member_school)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            application_create(
                kind=Application.Kind.EXIT,
                actor=actor,
                membership=world.membership,
                reason=f"并发测试 {n}",
            )
            result = "created"
        except RuleRefusal as exc:
            result = "refused" if "L-5" in str(exc.message) else f"refused: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - every unexpected failure is reported
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert Counter(outcomes) == {"created": 1, "refused": THREADS - 1}, outcomes
    assert Application.objects.filter(kind="exit", membership=world.membership).count() == 1
