"""A ledger's steps (issue 9 "Ledgers"): draft → confirmed by the paying authority's staff →
locked by the city finance bureau's reviewer; the one who computed or confirmed may not also
lock (separation of duties); an authority that does not pay the ledger cannot confirm it
(PermissionDenied → 403). Policy F-1, F-2, F-4."""

import pytest
from django.core.exceptions import PermissionDenied

from funding.ledgers.services import (
    SEPARATION,
    ledger_confirm,
    ledger_lock,
    ledger_recompute_as_locked,
    ledger_return,
    ledgers_compute,
)
from members.models import User
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import StaleVersion
from qingdao_groups.models import OfficialDocument
from tests.factories import UserFactory
from tests.funding.ledger_builders import D, ledger, member_of, rate_table

pytestmark = pytest.mark.django_db


def _confirmed(world, computer="principal"):
    """市南 pays 60,000 a year for a member joined 2025-03-20: 45,000.00; confirmed by 市南."""
    rate_table(world.shinan)
    member_of(world, name="三月加入", joined_on=D(2025, 3, 20))
    actor = world.users[computer] if isinstance(computer, str) else computer
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=actor)
    shinan = ledger(world.group, world.shinan)
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    return shinan


def test_another_finance_reviewer_locks_and_the_statement_is_archived(world):
    """Issue 9: confirmed by 市南's staff, locked by a finance reviewer who neither computed nor
    confirmed it: locked, stamped, its PDF statement archived with a verification code."""
    shinan = _confirmed(world)
    assert (shinan.status, shinan.confirmed_by) == ("confirmed", world.users["district"])
    locked = ledger_lock(
        ledger=shinan, actor=world.users["finance"], expected_version=shinan.version
    )
    assert locked.status == "locked" and locked.locked_by == world.users["finance"]
    statement = OfficialDocument.objects.get(owner_id=shinan.pk, kind="ledger_statement")
    assert statement.code and statement.data["total"] == "45,000.00"


def _becomes_reviewer(user):
    """The same person moves to the finance bureau's review desk (roles change; the ledger's
    stamps still name them)."""
    user.role = User.Role.FINANCE_REVIEWER
    user.authority = None
    user.save()
    return User.objects.get(pk=user.pk)


def test_the_one_who_confirmed_may_not_lock(world):
    """Separation of duties (issue 9): 市南's staff member confirmed the ledger, then became a
    finance reviewer: locking it is refused with the separation message and nothing changes;
    another reviewer locks it."""
    shinan = _confirmed(world)
    confirmer = _becomes_reviewer(world.users["district"])
    with pytest.raises(RuleRefusal) as refused:
        ledger_lock(ledger=shinan, actor=confirmer, expected_version=shinan.version)
    assert refused.value.message == SEPARATION
    shinan.refresh_from_db()
    assert shinan.status == "confirmed" and shinan.locked_by is None
    assert not OfficialDocument.objects.filter(owner_id=shinan.pk, kind="ledger_statement")
    locked = ledger_lock(
        ledger=shinan, actor=world.users["finance"], expected_version=shinan.version
    )
    assert locked.status == "locked"


def test_the_one_who_computed_may_not_lock(world):
    """Separation of duties: a city staff member computed the year, then became a finance
    reviewer: locking is refused; another reviewer locks it."""
    shinan = _confirmed(world, computer="city")
    computer = _becomes_reviewer(world.users["city"])
    with pytest.raises(RuleRefusal) as refused:
        ledger_lock(ledger=shinan, actor=computer, expected_version=shinan.version)
    assert refused.value.message == SEPARATION
    locked = ledger_lock(
        ledger=shinan, actor=world.users["finance"], expected_version=shinan.version
    )
    assert locked.status == "locked" and locked.locked_by == world.users["finance"]


def test_a_finance_reviewer_cannot_compute_or_confirm(world):
    """The reviewer is read-only elsewhere: it may not confirm what an authority pays (403)."""
    shinan = _confirmed(world)
    ledger_return(
        ledger=shinan,
        actor=world.users["finance"],
        reason="核对金额",
        expected_version=shinan.version,
    )
    shinan.refresh_from_db()
    with pytest.raises(PermissionDenied):
        ledger_confirm(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)


@pytest.mark.parametrize("who", ["district", "city", "principal", "member", "auditor"])
def test_only_a_finance_reviewer_locks(world, who):
    """Locking is the finance reviewer's (issue 9): anyone else gets PermissionDenied (403)."""
    shinan = _confirmed(world)
    with pytest.raises(PermissionDenied):
        ledger_lock(ledger=shinan, actor=world.users[who], expected_version=shinan.version)


def test_a_district_that_does_not_pay_cannot_confirm(world):
    """F-1: 市南's ledger is confirmed by 市南's staff only. 市北's staff (the member's
    district, but not the payer of this ledger) and 崂山's get PermissionDenied (403); the
    ledger stays a draft. 市北 confirms its own F-2/F-4 ledger instead."""
    rate_table(world.shinan)
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
    shinan = ledger(world.group, world.shinan)
    for authority in (world.shibei, world.laoshan):
        staff = UserFactory(role=User.Role.DISTRICT_STAFF, authority=authority)
        with pytest.raises(PermissionDenied):
            ledger_confirm(ledger=shinan, actor=staff, expected_version=shinan.version)
    for who in ("principal", "member", "city", "auditor", "finance"):
        with pytest.raises(PermissionDenied):
            ledger_confirm(ledger=shinan, actor=world.users[who], expected_version=shinan.version)
    shinan.refresh_from_db()
    assert shinan.status == "draft"


def test_a_draft_cannot_be_locked_and_a_stale_form_is_refused(world):
    """The transition table: a draft is not locked (not-now message); a form opened before the
    confirmation is stale."""
    rate_table(world.shinan)
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
    shinan = ledger(world.group, world.shinan)
    with pytest.raises(RuleRefusal) as refused:
        ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)
    assert refused.value.field == "state"
    old_version = shinan.version
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=old_version)
    with pytest.raises(StaleVersion):
        ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=old_version)


def test_a_returned_ledger_needs_a_reason_and_a_new_confirmation(world):
    """Return: the reviewer sends a confirmed ledger back with a reason (kept in the history);
    an empty reason is refused; the draft is confirmed again before it can be locked."""
    shinan = _confirmed(world)
    with pytest.raises(RuleRefusal):
        ledger_return(
            ledger=shinan,
            actor=world.users["finance"],
            reason="  ",
            expected_version=shinan.version,
        )
    ledger_return(
        ledger=shinan,
        actor=world.users["finance"],
        reason="三月加入日期待核",
        expected_version=shinan.version,
    )
    shinan.refresh_from_db()
    assert shinan.status == "draft" and shinan.confirmed_by is None
    assert shinan.history.first().history_change_reason == "三月加入日期待核"


def test_replaying_an_unlocked_ledger_is_refused(world):
    """Reproducibility is for locked years: replaying a draft is refused (403)."""
    rate_table(world.shinan)
    ledgers_compute(year=2025, group_ids={world.group.pk}, actor=world.users["principal"])
    with pytest.raises(PermissionDenied):
        ledger_recompute_as_locked(ledger(world.group, world.shinan))
