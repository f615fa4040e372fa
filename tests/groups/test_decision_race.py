"""Twenty staff decide the same application at the same instant: exactly one decision lands.

Issue 3, "Correctness under load": the others get a clear message (the stale-form message, or
"not under decision") and the state stays that of the one decision. application_decide locks
the application row (select_for_update) and compares the version the form was rendered with, so
the losers wait for the winner's commit and then see a newer version.

Needs real row locks: PostgreSQL only (SQLite serialises whole-database writers, which proves
nothing about row locks). Run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/qg_apps .venv/bin/python -m pytest -s \
    tests/groups/test_decision_race.py"""

import threading
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connections

from groups.applications.models import Application
from groups.applications.services import application_decide
from groups.filings.models import Filing
from groups.registry.models import EducationGroup, Membership
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import StaleVersion
from qingdao_groups.models import Notification
from tests.groups import workflow_helpers as h

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks need PostgreSQL (SQLite serialises all writers); set DATABASE_URL",
    ),
]

THREADS = 20  # 10 approve, 10 reject, all with the same expected_version
# Issue 12's battery: twenty rounds, founding and admission in turn.
ROUNDS = 20
ROUND_KINDS = ["founding", "admission"] * (ROUNDS // 2)


def _race(application_id: int, version: int, actor) -> list[tuple[str, str]]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def attempt(action: str) -> None:
        try:
            application = Application.objects.get(pk=application_id)
            barrier.wait(timeout=30)
            application_decide(
                application=application,
                action=action,
                reason=f"竞争测试：{action}",
                actor=actor,
                expected_version=version,
                justification="并发测试中的书面说明",
            )
            result = (action, "landed")
        except StaleVersion:
            result = (action, "stale")
        except RuleRefusal as exc:
            if exc.field == "state":  # the transition table: no longer under decision
                result = (action, "not_under_decision")
            else:
                result = (action, f"refused: {exc.message}")
        except Exception as exc:  # noqa: BLE001 - every unexpected failure is reported
            result = (action, f"error: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    actions = ["approve", "reject"] * (THREADS // 2)
    threads = [threading.Thread(target=attempt, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a decision thread hung"
    return outcomes


def test_twenty_simultaneous_decisions_land_exactly_once(world):
    summaries = []
    for round_no, kind in enumerate(ROUND_KINDS, start=1):
        built = h.founding_ready(world) if kind == "founding" else h.admission_ready(world)
        app = built.refresh()
        history_before = Application.history.filter(id=app.pk).count()
        groups_before = EducationGroup.objects.count()
        memberships_before = Membership.objects.count()
        notices_before = Notification.objects.filter(user=built.principal).count()

        started = time.monotonic()
        outcomes = _race(app.pk, app.version, built.decider)
        elapsed = time.monotonic() - started

        kinds = Counter(outcome for _action, outcome in outcomes)
        landed = [action for action, outcome in outcomes if outcome == "landed"]
        other = len(outcomes) - kinds["landed"] - kinds["stale"] - kinds["not_under_decision"]
        summary = (
            f"round {round_no} ({kind}): winner={landed[0] if landed else None}; "
            f"landed={kinds['landed']} stale={kinds['stale']} "
            f"not_under_decision={kinds['not_under_decision']} other={other}"
            f"; {elapsed:.2f}s"
        )
        print(summary)
        summaries.append(summary)

        assert len(outcomes) == THREADS, summary
        assert kinds["landed"] == 1, (summary, outcomes)
        assert kinds["stale"] + kinds["not_under_decision"] == THREADS - 1, (summary, outcomes)

        app = Application.objects.get(pk=app.pk)
        winner = landed[0]
        expected_status = "approved" if winner == "approve" else "rejected"
        assert app.status == expected_status
        assert app.version == built.application.version + 1  # moved exactly once
        rows = Application.history.filter(id=app.pk)
        assert rows.count() == history_before + 1
        assert rows.filter(status__in=["approved", "rejected"]).count() == 1
        decision_row = rows.get(status=expected_status)
        assert decision_row.history_user == built.decider
        assert decision_row.history_change_reason == f"竞争测试：{winner}"
        # one decision notice to the applicant principal, not twenty
        assert Notification.objects.filter(user=built.principal).count() == notices_before + 1

        if winner == "approve" and kind == "founding":
            assert EducationGroup.objects.count() == groups_before + 1
            group = EducationGroup.objects.get(name=app.proposed_name)
            assert app.group_id == group.pk
            assert Membership.objects.count() == memberships_before + 3  # core + two members
            for school in built.members:
                assert Membership.objects.filter(school=school).count() == 1
            assert Filing.objects.filter(application=app).count() == 1
        elif winner == "approve":
            assert EducationGroup.objects.count() == groups_before
            assert Membership.objects.count() == memberships_before + 1
            assert Membership.objects.filter(school=built.members[0]).count() == 1
        else:
            assert EducationGroup.objects.count() == groups_before
            assert Membership.objects.count() == memberships_before
            assert not Filing.objects.filter(application=app).exists()
    print("\n".join(["decision race summary:", *summaries]))
