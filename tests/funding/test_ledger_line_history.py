"""The history rows of computed ledger lines (issue 9: every line written with its history) are
copied by the database from the lines: the same values as the lines, dated the computation's
moment, by its actor, with its reason (policy F-1)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.ledgers.models import LedgerLine
from funding.ledgers.services import ledgers_compute
from funding.rates.models import RateTable
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_each_computed_line_has_its_creation_row_in_the_history(world):
    RateTable.objects.create(
        authority=world.shinan, fiscal_year=2025, subsidy_per_member=Decimal("60000")
    )
    school = SchoolFactory(name="市南公办成员", authority=world.shinan, nature="public")
    MembershipFactory(group=world.group, school=school, joined_on=datetime.date(2025, 3, 20))
    moment = timezone.make_aware(datetime.datetime(2026, 1, 15, 9))
    ledgers_compute(year=2025, actor=world.users["city"], now=moment)
    lines = LedgerLine.objects.all()
    assert lines.exists()
    history = {h.id: h for h in LedgerLine.history.all()}
    assert set(history) == set(lines.values_list("id", flat=True))
    for line in lines:
        row = history[line.pk]
        assert row.history_type == "+" and row.history_date == moment
        assert row.history_user == world.users["city"] and row.history_change_reason
        assert (row.amount, row.formula, row.inputs, row.ledger_id, row.membership_id) == (
            line.amount,
            line.formula,
            line.inputs,
            line.ledger_id,
            line.membership_id,
        )
    assert any(line.amount == Decimal("45000.00") for line in lines)
