"""Ledgers under concurrency (issue 9; like tests/groups/test_decision_race.py): computations of
the same year started at the same instant end with exactly one ledger per (group, paying
authority, year) and no database error; two finance reviewers locking the same ledger at once:
one lock lands, the other gets the runner's stale-form message (policy F-1, F-2, F-4).

Needs real row locks and advisory locks: PostgreSQL only. Run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/qg_x .venv/bin/python -m pytest -s \
    tests/funding/test_ledger_race.py"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import Count

from funding.ledgers.models import Ledger
from funding.ledgers.services import ledger_confirm, ledger_lock, ledgers_compute
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import StaleVersion
from qingdao_groups.models import OfficialDocument
from tests.funding.ledger_builders import (
    D,
    agreement,
    finance_reviewer,
    ledger,
    member_of,
    rate_table,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row and advisory locks need PostgreSQL; set DATABASE_URL",
    ),
]

THREADS = 4


def _at_once(work, count: int) -> list[str]:
    """Run `work(i)` in `count` threads released together; each outcome as text."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    guard = threading.Lock()

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = work(i)
        except StaleVersion:
            result = "stale"
        except RuleRefusal as exc:
            result = "not_now" if exc.field == "state" else f"refused: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - every unexpected failure is reported
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with guard:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def test_simultaneous_computations_of_a_year_leave_one_ledger_each(world):
    """Four computations of the same year at once, three rounds (2025, 2026, 2027): every one
    ends without error, exactly one ledger per (group, authority, year) exists, and exactly one
    run created each (the others found them unchanged)."""
    rate_table(world.shinan, year=2025)
    rate_table(world.shinan, year=2026)
    member_of(world, name="并发成员", joined_on=D(2025, 3, 20))
    agreement(world.membership, starts_on=D(2025, 1, 1), ends_on=D(2027, 12, 31))
    for year in (2025, 2026, 2027):

        def work(i, year=year):
            result = ledgers_compute(year=year, actor=world.users["city"])
            return f"created={result.created} unchanged={result.unchanged}"

        outcomes = _at_once(work, THREADS)
        assert not [x for x in outcomes if x.startswith("error")], outcomes
        per_key = (
            Ledger.objects.filter(fiscal_year=year)
            .values("group", "authority")
            .annotate(n=Count("id"))
        )
        assert per_key and all(row["n"] == 1 for row in per_key), list(per_key)
        ledgers = len(per_key)
        kinds = Counter(outcomes)
        assert kinds[f"created={ledgers} unchanged=0"] == 1, outcomes
        assert kinds[f"created=0 unchanged={ledgers}"] == THREADS - 1, outcomes


def test_two_locks_at_once_one_lands_the_other_is_told_it_is_stale(world):
    """Two finance reviewers lock the same confirmed ledger (45,000.00) at the same instant with
    the version they saw: one lock lands (one statement archived); the other is refused with the
    runner's stale-form message; the ledger moved once."""
    rate_table(world.shinan)
    member_of(world, name="三月加入", joined_on=D(2025, 3, 20))
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
    shinan = ledger(world.group, world.shinan)
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    reviewers = [world.users["finance"], finance_reviewer("t-finance-second")]
    version = shinan.version

    def work(i):
        target = Ledger.objects.get(pk=shinan.pk)
        ledger_lock(ledger=target, actor=reviewers[i], expected_version=version)
        return "landed"

    outcomes = _at_once(work, 2)
    assert sorted(outcomes) == ["landed", "stale"], outcomes
    shinan.refresh_from_db()
    assert shinan.status == "locked" and shinan.version == version + 1
    assert shinan.total == Decimal("45000.00")
    assert OfficialDocument.objects.filter(owner_id=shinan.pk, kind="ledger_statement").count() == 1
    assert Ledger.history.filter(id=shinan.pk, status="locked").count() == 1
