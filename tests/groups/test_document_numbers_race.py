"""Twenty staff of one authority decide twenty applications at the same instant: the twenty
批复 take the numbers 1 … 20 of the authority's sequence, with no gap and no repeat (issue 8).

The number is taken under a row lock of the authority's counter (created or locked safely:
INSERT … ON CONFLICT DO NOTHING, then SELECT … FOR UPDATE) in the decision's transaction. Needs
real row locks: PostgreSQL only. Run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/qg_docs .venv/bin/python -m pytest -s \\
    tests/groups/test_document_numbers_race.py"""

import threading
import time

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from groups.applications.documents import REPLY
from groups.applications.models import Application
from groups.applications.services import application_decide
from groups.registry.models import EducationGroup
from qingdao_groups.models import DocumentNumberCounter, OfficialDocument
from tests.groups import workflow_helpers as h

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks need PostgreSQL (SQLite serialises all writers); set DATABASE_URL",
    ),
]

THREADS = 20


def test_twenty_concurrent_decisions_number_their_replies_1_to_20(world):
    """Policy L-1, L-3: each decision of the 市南 bureau has its 批复, numbered in sequence:
    five foundings not approved, five approved (each creating its group under a code of its
    own: the year's next code is taken under a lock) and ten admissions approved, at once."""
    half = THREADS // 2
    built = [h.founding_ready(world) for _ in range(half)]
    built += [h.admission_ready(world) for _ in range(half)]
    targets = [(b.refresh().pk, b.application.version, b.decider) for b in built]
    groups_before = list(EducationGroup.objects.values_list("pk", flat=True))
    # No counter row yet: the first decisions race to create it too.
    assert not DocumentNumberCounter.objects.exists()
    barrier = threading.Barrier(THREADS)
    errors: list[str] = []
    lock = threading.Lock()

    def decide(application_id: int, version: int, actor, action: str) -> None:
        try:
            application = Application.objects.get(pk=application_id)
            barrier.wait(timeout=60)
            application_decide(
                application=application,
                action=action,
                reason=f"并发文号测试：{action}",
                actor=actor,
                expected_version=version,
                justification="并发测试中的书面说明",
            )
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    actions = ["reject"] * (half // 2) + ["approve"] * (THREADS - half // 2)
    threads = [
        threading.Thread(target=decide, args=(*target, action))
        for target, action in zip(targets, actions, strict=True)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a decision thread hung"
    assert errors == []

    documents = list(OfficialDocument.objects.filter(kind=REPLY).order_by("serial"))
    year = timezone.localdate().year
    serials = [d.serial for d in documents]
    print(f"\n20 concurrent decisions with their 批复: {elapsed:.2f} s; serials {serials}")
    assert serials == list(range(1, THREADS + 1))  # no gap, no repeat
    assert [d.number for d in documents] == [f"市南教体发〔{year}〕{n}号" for n in serials]
    assert {d.owner_id for d in documents} == {pk for pk, _v, _a in targets}
    assert len({d.code for d in documents}) == THREADS
    counter = DocumentNumberCounter.objects.get(authority=world.shinan, year=year)
    assert counter.last == THREADS
    decided = Application.objects.filter(pk__in=[pk for pk, _v, _a in targets])
    assert sorted(decided.values_list("status", flat=True)) == sorted(
        ["approved"] * (THREADS - half // 2) + ["rejected"] * (half // 2)
    )
    codes = list(
        EducationGroup.objects.exclude(pk__in=groups_before).values_list("code", flat=True)
    )
    assert len(codes) == len(set(codes)) >= half - half // 2  # one code per founded group
