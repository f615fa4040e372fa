"""Ten payments of 1,000.00 against a receivable of 9,000.00 at the same instant: nine land, the
tenth is refused, and the payments never exceed the receivable (policy F-2).

payment_record locks the receivable's row before it reads the payments so far, so a second
payment waits for the first to commit and then sees the smaller balance. Needs real row locks:
PostgreSQL only. Run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/qg_agreements .venv/bin/python -m pytest \
    tests/funding/test_payment_race.py"""

import datetime
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import Sum

from funding.agreements.models import Agreement, Payment, Receivable
from funding.agreements.services import payment_record
from qingdao_groups.core.rules import RuleRefusal

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks need PostgreSQL (SQLite serialises all writers); set DATABASE_URL",
    ),
]

THREADS = 10


def test_f2_simultaneous_payments_never_overpay_a_receivable(world):
    agreement = Agreement.objects.create(
        group=world.group,
        membership=world.membership,
        title="协议",
        fee=Decimal("12000"),
        period="yearly",
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2027, 3, 31),
        payer="authority",
    )
    receivable = Receivable.objects.create(
        agreement=agreement,
        fiscal_year=2025,
        amount=Decimal("9000.00"),
        due_on=datetime.date(2025, 12, 31),
    )
    principal = world.users["principal"]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            row = Receivable.objects.get(pk=receivable.pk)
            barrier.wait(timeout=30)
            payment_record(
                receivable=row,
                amount=Decimal("1000.00"),
                paid_on=datetime.date(2025, 12, 1),
                actor=principal,
            )
            result = "landed"
        except RuleRefusal as exc:
            result = "refused" if exc.field == "amount" else f"refused: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - every unexpected failure is reported
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert Counter(outcomes) == {"landed": 9, "refused": 1}, outcomes
    total = Payment.objects.filter(receivable=receivable).aggregate(s=Sum("amount"))["s"]
    assert total == Decimal("9000.00")
