"""The agreement pages (policy F-2) run a constant number of queries whatever the number of
agreements, receivables and payments."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.agreements.models import Agreement, Payment, Receivable
from members.models import User
from qingdao_groups.core.inbox import inbox_counts
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db

# With the cache cleared, the menu's work-list badge asks each inbox provider once (issue 10's
# assessment cycles added one).
CEILINGS = {"agreement-list": 15, "receivable-list": 14, "agreement-detail": 16}


def add_agreements(world, n: int) -> Agreement:
    """n members of the world's group under 市北, each with an agreement, two years of
    receivables and payments; returns the last agreement."""
    principal = world.users["principal"]
    agreement = None
    for i in range(n):
        membership = MembershipFactory(
            group=world.group,
            school=SchoolFactory(authority=world.shibei),
            joined_on=datetime.date(2020, 1, 1),
        )
        agreement = Agreement.objects.create(
            group=world.group,
            membership=membership,
            title=f"协议{i}",
            fee=Decimal("12000"),
            period="yearly",
            starts_on=datetime.date(2024, 1, 1),
            ends_on=datetime.date(2027, 12, 31),
            payer="school" if i % 2 else "authority",
        )
        for year in (2024, 2025):
            receivable = Receivable.objects.create(
                agreement=agreement,
                fiscal_year=year,
                amount=Decimal("12000.00"),
                due_on=datetime.date(year, 12, 31),
            )
            for day in (1, 2):
                Payment.objects.create(
                    receivable=receivable,
                    amount=Decimal("100"),
                    paid_on=datetime.date(year, 6, day),
                    recorded_by=principal,
                )
    return agreement


def count(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["principal", "district", "member", "city"])
def test_f2_agreement_pages_queries_constant(client, world, role):
    user = User.objects.get(pk=world.users[role].pk)
    client.force_login(user)
    first = add_agreements(world, 2)
    # the member principal's own agreement, so that its pages show a row
    mine = Agreement.objects.create(
        group=world.group,
        membership=world.membership,
        title="本校协议",
        fee=Decimal("1000"),
        period="yearly",
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        payer="school",
    )
    for year in (2024, 2025):
        Receivable.objects.create(
            agreement=mine,
            fiscal_year=year,
            amount=Decimal("1000"),
            due_on=datetime.date(year, 12, 31),
        )
    detail = mine if role == "member" else first
    urls = {
        "agreement-list": reverse("funding:agreement-list", args=[world.group.pk]) + "?year=2025",
        "receivable-list": reverse("funding:receivable-list"),
        "agreement-detail": reverse("funding:agreement-detail", args=[detail.pk]),
    }
    inbox_counts(user)
    for url in urls.values():
        client.get(url)
    small = {name: count(client, url) for name, url in urls.items()}
    add_agreements(world, 30)
    large = {name: count(client, url) for name, url in urls.items()}
    assert large == small
    for name, n in large.items():
        assert n <= CEILINGS[name], (name, n)
