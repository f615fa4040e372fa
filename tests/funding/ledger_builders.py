"""Builders for the ledger tests: rate tables, agreements and dispatches on the shared `world`
(tests/conftest.py: a group whose core school is under 市南, with a 市北 member), and small
readers of what a computation stored."""

import datetime
from decimal import Decimal

from django.db.models import Sum

from funding.agreements.models import Agreement, Receivable
from funding.dispatches.models import Dispatch
from funding.ledgers.models import Ledger, LedgerLine
from funding.rates.models import RateTable, SubsidyStageRate
from members.models import User
from tests.factories import MembershipFactory, SchoolFactory, UserFactory

D = datetime.date


def rate_table(authority, year=2025, subsidy="60000", stages=None, **fields) -> RateTable:
    """A rate table version; `version` defaults to one above the highest held."""
    if "version" not in fields:
        held = RateTable.objects.filter(authority=authority, fiscal_year=year).order_by("-version")
        fields["version"] = (held[0].version + 1) if held else 1
    table = RateTable.objects.create(
        authority=authority, fiscal_year=year, subsidy_per_member=Decimal(subsidy), **fields
    )
    for stage, amount in (stages or {}).items():
        SubsidyStageRate.objects.create(table=table, stage=stage, amount=Decimal(amount))
    return table


def member_of(
    world, *, authority=None, nature="public", stage="primary", joined_on, left_on=None, **kw
):
    """A member of the world's group (市南 core) under `authority` (default 市南)."""
    school = SchoolFactory(authority=authority or world.shinan, nature=nature, stage=stage, **kw)
    return MembershipFactory(
        group=world.group,
        school=school,
        joined_on=joined_on,
        left_on=left_on,
        end_reason="exit" if left_on else "",
    )


def agreement(membership, *, fee="12000", period="yearly", starts_on, ends_on, payer="school"):
    return Agreement.objects.create(
        group=membership.group,
        membership=membership,
        title=f"合作协议{membership.pk}",
        fee=Decimal(fee),
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        payer=payer,
    )


def dispatch(membership, *, starts_on, ends_on=None, name="王老师"):
    return Dispatch.objects.create(
        group=membership.group,
        membership=membership,
        person_name=name,
        role=Dispatch.Role.KEY_TEACHER,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def ledger(group, authority, year=2025, sequence=1) -> Ledger:
    return Ledger.objects.get(group=group, authority=authority, fiscal_year=year, sequence=sequence)


def lines_by_school(ledger: Ledger) -> dict[str, list[LedgerLine]]:
    out: dict[str, list[LedgerLine]] = {}
    for line in ledger.lines.select_related("member_school").order_by("position"):
        out.setdefault(line.member_school.name, []).append(line)
    return out


def line_sum(ledger: Ledger) -> Decimal:
    return ledger.lines.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


def snapshot(ledger: Ledger) -> list[tuple]:
    """What a ledger holds, to compare before and after."""
    return [
        (x.pk, x.position, x.rule, x.key, x.amount, x.formula, x.inputs, x.is_adjustment)
        for x in ledger.lines.order_by("position")
    ]


def history_rows() -> dict[str, int]:
    """How many audit rows the ledger tables hold (a second computation adds none)."""
    return {
        "ledger": Ledger.history.count(),
        "line": LedgerLine.history.count(),
        "receivable": Receivable.history.count(),
    }


def finance_reviewer(username="t-finance-2") -> User:
    return UserFactory(username=username, role=User.Role.FINANCE_REVIEWER)
