"""Two people recording the same school into two groups at once: exactly one succeeds.

Needs real row locks, so it runs on PostgreSQL (CI); on SQLite it is skipped because SQLite
serialises writers on the whole database instead."""

import datetime
import threading

import pytest
from django.db import close_old_connections, connection

from groups.registry.models import Membership
from groups.registry.services import membership_add
from qingdao_groups.core.rules import RuleRefusal
from tests.factories import EducationGroupFactory, SchoolFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 5


def test_one_school_raced_into_many_groups_lands_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL; `make test` in CI runs it there")
    actor = UserFactory(role="auditor")  # the service trusts its caller; views check roles
    groups = [EducationGroupFactory() for _ in range(THREADS)]
    for round_no in range(ROUNDS):
        school = SchoolFactory()
        barrier = threading.Barrier(THREADS)
        outcomes: list[str] = []

        def attempt(group, school=school, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                membership_add(
                    group=group,
                    school=school,
                    relation_type="T-3",
                    relation_subtype="T-3a",
                    joined_on=datetime.date(2024, 9, 1),
                    actor=actor,
                )
                outcomes.append("ok")
            except RuleRefusal:
                outcomes.append("refused")
            finally:
                close_old_connections()

        threads = [threading.Thread(target=attempt, args=(g,)) for g in groups]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1), (round_no, outcomes)
        assert Membership.objects.filter(school=school).count() == 1
        assert Membership.history.filter(school_id=school.pk).count() == 1
