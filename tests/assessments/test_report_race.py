"""Two workers produce the same group report at the same instant: one report, one archived
document, one number (issue 10, "Reliability of the task layer"; policy A-1). The unique
constraint on (cycle, group, framework, version 1) decides: the loser's insert waits for the
winner's commit, fails, and returns the winner's row. PostgreSQL only (row locks)."""

import threading

import pytest
from django.conf import settings
from django.db import connections

from assessments.reports import services
from assessments.reports.models import Report
from qingdao_groups.models import OfficialDocument
from tests.assessments.builders import make_published_cycle

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks need PostgreSQL; set DATABASE_URL",
    ),
]

THREADS = 2


def test_two_workers_one_report(world):
    cycle = make_published_cycle(world, groups=[world.group])
    barrier = threading.Barrier(THREADS)
    got: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            got.append(services.report_generate(cycle.pk, world.group.pk).pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert len(got) == THREADS and len(set(got)) == 1
    assert Report.objects.filter(cycle=cycle, group=world.group).count() == 1
    assert OfficialDocument.objects.filter(kind=services.KIND).count() == 1
