"""Permission-matrix rows for members' cooperation agreements, receivables and payments (policy
F-2). "own" agreements bind the world's 市北 member to the 市南 group (so `district`, the group's
authority, is not the paying authority); "other" ones bind a 崂山 member to the 崂山 group."""

import datetime
from decimal import Decimal

from funding.agreements.models import Agreement, Payment, Receivable
from groups.registry.models import Membership

ALL_OK = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 200,
    "member": 200,
    "auditor": 200,
    "admin": 200,
}
OTHER_READ = ALL_OK | {"district": 404, "principal": 404, "member": 404}
# The core principal or the group's approving authority record and edit agreements (F-2).
MANAGE_OWN = {
    "anon": 302,
    "city": 403,
    "district": 200,
    "principal": 200,
    "member": 403,
    "auditor": 403,
    "admin": 403,
}
MANAGE_OTHER = MANAGE_OWN | {"district": 404, "principal": 404, "member": 404}
# The payee (core principal) or the paying authority (市北's, not `district`) records payments;
# an empty POST gives the page back with the form's errors (200).
PAY_OWN = MANAGE_OWN | {"district": 403}
PAY_OTHER = MANAGE_OTHER


def _agreement(world, which: str) -> Agreement:
    group = world.group if which == "own" else world.other_group
    membership = (
        world.membership
        if which == "own"
        else Membership.objects.filter(group=group, role="member").order_by("id").first()
    )
    return Agreement.objects.create(
        group=group,
        membership=membership,
        title="合作办学协议",
        fee=Decimal("12000"),
        period="yearly",
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2027, 3, 31),
        payer="authority",
    )


def _group(world, which: str) -> dict:
    return {"group_id": (world.group if which == "own" else world.other_group).pk}


def _detail(world, which: str) -> dict:
    return {"agreement_id": _agreement(world, which).pk}


def _paid_up(world, which: str) -> dict:
    """An agreement whose only receivable is paid in full: no payment may be added."""
    agreement = _agreement(world, which)
    receivable = Receivable.objects.create(
        agreement=agreement,
        fiscal_year=2025,
        amount=Decimal("9000.00"),
        due_on=datetime.date(2025, 12, 31),
    )
    Payment.objects.create(
        receivable=receivable,
        amount=Decimal("9000.00"),
        paid_on=datetime.date(2025, 12, 1),
        recorded_by=world.users["principal"],
    )
    return {"agreement_id": agreement.pk}


ROWS = [
    ("funding:agreement-list", "own", "get", ALL_OK, _group),
    ("funding:agreement-list", "other", "get", OTHER_READ, _group),
    ("funding:agreement-create", "own", "get", MANAGE_OWN, _group),
    ("funding:agreement-create", "other", "get", MANAGE_OTHER, _group),
    ("funding:agreement-detail", "own", "get", ALL_OK, _detail),
    ("funding:agreement-detail", "other", "get", OTHER_READ, _detail),
    ("funding:agreement-edit", "own", "get", MANAGE_OWN, _detail),
    ("funding:agreement-edit", "other", "get", MANAGE_OTHER, _detail),
    ("funding:payment-add", "own", "post", PAY_OWN, _detail),
    ("funding:payment-add", "other", "post", PAY_OTHER, _detail),
    ("funding:receivable-list", None, "get", ALL_OK, None),
]

WRONG_STATE = {"funding:payment-add": _paid_up}
POST_WITHOUT_STATE = {"funding:agreement-create", "funding:agreement-edit"}
READ_ONLY = {"funding:agreement-list", "funding:agreement-detail", "funding:receivable-list"}
