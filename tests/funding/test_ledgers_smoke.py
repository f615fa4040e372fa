import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.agreements.models import Agreement, Receivable
from funding.ledgers.models import Ledger
from funding.ledgers.services import (
    ledger_confirm,
    ledger_lock,
    ledger_recompute_as_locked,
    ledgers_compute,
)
from funding.rates.models import RateTable
from members.models import User
from tests.factories import MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_smoke_year(world):
    RateTable.objects.create(
        authority=world.shinan, fiscal_year=2025, subsidy_per_member=Decimal("60000")
    )
    RateTable.objects.create(
        authority=world.shibei,
        fiscal_year=2025,
        subsidy_per_member=Decimal("1"),
        transport_per_month=Decimal("300"),
        lodging_per_month=Decimal("500.005"),
    )
    same = SchoolFactory(name="市南公办成员", authority=world.shinan, nature="public")
    MembershipFactory(group=world.group, school=same, joined_on=datetime.date(2025, 3, 20))
    private = SchoolFactory(name="市南民办成员", authority=world.shinan, nature="private")
    MembershipFactory(group=world.group, school=private, joined_on=datetime.date(2024, 1, 1))
    Agreement.objects.create(
        group=world.group,
        membership=world.membership,
        title="协议",
        fee=Decimal("10000"),
        period="yearly",
        starts_on=datetime.date(2025, 7, 1),
        ends_on=datetime.date(2027, 6, 30),
        payer="school",
    )
    result = ledgers_compute(year=2025, actor=world.users["principal"])
    assert result.created == 3  # the 崂山 group too: its line says no rates are set
    again = ledgers_compute(year=2025, actor=world.users["principal"])
    assert again.created == 0 and again.rewritten == 0 and again.unchanged == 3
    shinan = Ledger.objects.get(group=world.group, authority=world.shinan, fiscal_year=2025)
    lines = {line.member_school.name: line for line in shinan.lines.all()}
    assert lines["市南公办成员"].amount == Decimal("45000.00")
    assert lines["市南民办成员"].amount == 0 and not lines["市南民办成员"].applicable
    assert lines["市北测试成员学校"].amount == 0
    shibei = Ledger.objects.get(group=world.group, authority=world.shibei, fiscal_year=2025)
    f2 = shibei.lines.get(rule="F-2")
    assert f2.amount == Decimal("5000.00")  # Jul..Dec = 6 months
    assert Receivable.objects.get(
        agreement__membership=world.membership, fiscal_year=2025
    ).amount == Decimal("5000.00")
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    finance = UserFactory(username="fin", role=User.Role.FINANCE_REVIEWER)
    ledger_lock(ledger=shinan, actor=finance, expected_version=shinan.version, now=timezone.now())
    shinan.refresh_from_db()
    assert shinan.status == "locked"
    # change membership date after lock
    m = same.memberships.get()
    m.joined_on = datetime.date(2025, 1, 1)
    m.save()
    ledgers_compute(year=2025, actor=world.users["city"])
    supplement = Ledger.objects.get(
        group=world.group, authority=world.shinan, fiscal_year=2025, sequence=2
    )
    adj = supplement.lines.get()
    assert adj.is_adjustment and adj.amount == Decimal("15000.00")
    replay = ledger_recompute_as_locked(shinan)
    assert [x.amount for x in replay] == [x.amount for x in shinan.lines.order_by("position")]


def test_ledger_keeps_its_sums_per_rule_equal_to_its_lines(world):
    """The city's totals add ledgers' per-rule sums (policy F-1, F-2, F-4): each equals the sum
    of that rule's lines to the fen, and the three add up to the total."""
    RateTable.objects.create(
        authority=world.shibei,
        fiscal_year=2025,
        subsidy_per_member=Decimal("0"),
        transport_per_month=Decimal("300.01"),
        lodging_per_month=Decimal("0"),
    )
    Agreement.objects.create(
        group=world.group,
        membership=world.membership,
        title="协议",
        fee=Decimal("1000.03"),
        period="yearly",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2026, 2, 28),
        payer="school",
    )
    from funding.dispatches.models import Dispatch

    Dispatch.objects.create(
        group=world.group,
        membership=world.membership,
        person_name="王老师",
        role="key_teacher",
        starts_on=datetime.date(2025, 2, 1),
    )
    ledgers_compute(year=2025)
    ledger = Ledger.objects.get(group=world.group, authority=world.shibei, fiscal_year=2025)
    lines = list(ledger.lines.all())
    assert ledger.total_f2 == sum(x.amount for x in lines if x.rule == "F-2") == Decimal("833.36")
    assert ledger.total_f4 == sum(x.amount for x in lines if x.rule == "F-4") == Decimal("3300.11")
    assert ledger.total_f1 + ledger.total_f2 + ledger.total_f4 == ledger.total
