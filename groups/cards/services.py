"""Yellow-card warnings and red-card expulsions of member schools (policy L-6).

Order in every service: the person gate (permissions.py, PermissionDenied) before any state is
read, then the one workflow runner (qingdao_groups.core.workflow): lock, the version the user
saw, the card transition table (workflows.py), the version bump and the audit history with who
and why. Notifications are created in the same transaction and mailed after commit.

The Card constraint ties status red_issued to level red, so a yellow card is never turned red:
escalation creates a new red Card with `escalated_from` pointing at the yellow, and the yellow
moves to `escalated` and is closed (`closed_at`). A card is open while `closed_at` is empty."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.cards.models import Card
from groups.cards.permissions import (
    can_issue_card,
    can_respond_to_card,
    can_review_card,
)
from groups.cards.workflows import CARD_TRANSITIONS, OPEN_CARD_STATUSES, CardAction, CardStatus
from groups.registry.models import Membership, PolicyParameters
from groups.registry.services import membership_end
from members.models import User
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.messages import Message, label, msg
from qingdao_groups.core.notifications import notify, principals_of, staff_of
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import ensure_allowed, lock, locked_rows, stamp, transition
from qingdao_groups.models import Attachment


def _url(card: Card) -> str:
    return reverse("cards:detail", args=[card.pk])


def _lock_card(card: Card, expected_version: int | None) -> Card:
    return lock(card, expected_version=expected_version, related=("membership__school", "group"))


def _move(
    card: Card,
    action: str,
    actor: User | None,
    reason: "str | Message" = "",
    *,
    now: datetime.datetime,
    expected_version: int | None = None,
    changes: dict | None = None,
) -> Card:
    return transition(
        card,
        action=action,
        table=CARD_TRANSITIONS,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes=changes,
        now=now,
    )


def card_state_label(card: Card) -> str:
    """What a card's state means to a reader (policy L-6)."""
    return str(card.get_status_display())


def _member_principals(card: Card) -> list[User]:
    return principals_of(card.membership.school_id)


@transaction.atomic
def card_issue_yellow(
    *,
    membership: Membership,
    ground: str,
    description: str,
    actor: User,
    deadline: datetime.date | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Card:
    """Warn a member that fails to perform the agreement or harmed the group's reputation
    (yellow card, policy L-6); the member must rectify by the deadline (default: today plus the
    configured rectification period). `now`: when (default: the clock; `today` its date)."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("group", "school")
        .get(pk=membership.pk)
    )
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    require(can_issue_card(actor, membership, today=today))
    if ground not in Card.Ground.values:
        raise RuleRefusal(_("请选择发出黄牌的事由（政策 L-6）。"), field="ground")
    description = (description or "").strip()
    if not description:
        raise RuleRefusal(_("请写明情况说明。"), field="description")
    if deadline is None:
        deadline = today + datetime.timedelta(days=PolicyParameters.current().rectification_days)
    if deadline <= today:
        raise RuleRefusal(_("整改期限须晚于今天。"), field="deadline")
    card = Card(
        membership=membership,
        group=membership.group,
        level=Card.Level.YELLOW,
        status=CardStatus.YELLOW_ISSUED,
        ground=ground,
        description=description,
        deadline=deadline,
        issued_by=actor,
        issued_at=now,
    )
    stamp(card, actor=actor, reason=msg("reason.card_yellow"), now=now)
    card.save()
    notify(
        _member_principals(card),
        msg(
            "notice.card.yellow",
            group=membership.group.name,
            school=membership.school.name,
            ground=label(Card.Ground(card.ground).label),
            deadline=deadline,
        ),
        _url(card),
        now=now,
    )
    return card


@transaction.atomic
def card_issue(
    *,
    membership: Membership,
    level: str,
    ground: str,
    description: str,
    actor: User,
    deadline: datetime.date | None = None,
    severe: bool = False,
    escalate_from: Card | None = None,
    evidence=None,
    now: datetime.datetime | None = None,
) -> Card:
    """Issue a yellow or a red card (policy L-6) with its evidence, if given: the card and its
    evidence land together, so a refused file leaves no card."""
    if level == Card.Level.YELLOW:
        card = card_issue_yellow(
            membership=membership,
            ground=ground,
            description=description,
            deadline=deadline,
            actor=actor,
            now=now,
        )
    else:
        card = card_issue_red(
            membership=membership,
            reason=description,
            ground=ground,
            severe=severe,
            escalate_from=escalate_from,
            actor=actor,
            now=now,
        )
    if evidence:
        attachment_add(
            owner=card, kind=Attachment.Kind.EVIDENCE, uploaded_file=evidence, actor=actor, now=now
        )
    return card


@transaction.atomic
def card_submit_rectification(
    *,
    card: Card,
    rectification: str,
    actor: User,
    expected_version: int | None = None,
    file=None,
    now: datetime.datetime | None = None,
) -> Card:
    """The warned member's principal reports its rectification for review (policy L-6), with
    its material if given: the response and its file land together or not at all."""
    require(can_respond_to_card(actor, card))
    card = _lock_card(card, expected_version)
    ensure_allowed(card, table=CARD_TRANSITIONS, action=CardAction.RECTIFY)
    rectification = (rectification or "").strip()
    if not rectification:
        raise RuleRefusal(_("请写明整改情况。"), field="rectification")
    now = now or timezone.now()
    card = _move(
        card,
        CardAction.RECTIFY,
        actor,
        now=now,
        changes={"rectification": rectification, "rectified_at": now},
    )
    if file:
        attachment_add(
            owner=card, kind=Attachment.Kind.RECTIFICATION, uploaded_file=file, actor=actor, now=now
        )
    notify(
        staff_of(card.group.authority_id),
        msg("notice.card.rectified", school=card.membership.school.name),
        _url(card),
        now=now,
    )
    return card


@transaction.atomic
def card_lift(
    *,
    card: Card,
    note: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Card:
    """The issuing authority accepts the rectification and lifts the warning (policy L-6)."""
    require(can_review_card(actor, card))
    card = _lock_card(card, expected_version)
    now = now or timezone.now()
    card = _move(
        card,
        CardAction.LIFT,
        actor,
        msg("reason.card_lifted"),
        now=now,
        changes={"review_note": (note or "").strip(), "closed_at": now},
    )
    notify(
        _member_principals(card),
        msg("notice.card.lifted", school=card.membership.school.name),
        _url(card),
        now=now,
    )
    return card


@transaction.atomic
def card_reject_rectification(
    *,
    card: Card,
    note: str,
    new_deadline: datetime.date,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Card:
    """The issuing authority finds the rectification insufficient: the warning stands with a new
    deadline in the future (policy L-6)."""
    require(can_review_card(actor, card))
    card = _lock_card(card, expected_version)
    ensure_allowed(card, table=CARD_TRANSITIONS, action=CardAction.REJECT_RECTIFICATION)
    note = (note or "").strip()
    if not note:
        raise RuleRefusal(_("请写明整改不通过的理由。"), field="note")
    now = now or timezone.now()
    if new_deadline is None or new_deadline <= timezone.localdate(now):
        raise RuleRefusal(_("新的整改期限须晚于今天。"), field="new_deadline")
    card = _move(
        card,
        CardAction.REJECT_RECTIFICATION,
        actor,
        msg("reason.card_rejected", date=new_deadline),
        now=now,
        changes={"review_note": note, "deadline": new_deadline},
    )
    notify(
        _member_principals(card),
        msg("notice.card.rejected", school=card.membership.school.name, date=new_deadline),
        _url(card),
        now=now,
    )
    return card


@transaction.atomic
def cards_mark_overdue(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Daily: a yellow card whose rectification deadline has passed becomes overdue, and the
    issuing authority's staff and the member's principals are told (policy L-6). Returns how many
    cards were marked. A card someone is handling at that moment is skipped (it is being changed
    anyway; the next run catches it), so the daily run never deadlocks with a red card. `now`:
    when the run happens (default: the clock)."""
    now = now or timezone.now()
    cards = locked_rows(
        Card.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("membership__school", "group")
        .filter(
            level=Card.Level.YELLOW,
            status=CardStatus.YELLOW_ISSUED,
            closed_at__isnull=True,
            deadline__lt=today,
        )
        .order_by("deadline", "pk")
    )
    for card in cards:
        _move(card, CardAction.MARK_OVERDUE, None, msg("reason.card_overdue"), now=now)
        notify(
            staff_of(card.group.authority_id) + _member_principals(card),
            msg(
                "notice.card.overdue",
                group=card.group.name,
                school=card.membership.school.name,
                deadline=card.deadline,
            ),
            _url(card),
            now=now,
        )
    return len(cards)


def yellow_cards_in_window(
    *, membership: Membership, today: datetime.date, window_days: int | None = None
) -> int:
    """How many yellow cards this membership received within the configured window up to
    `today` (a second one allows a red card, policy L-6)."""
    window = (
        window_days
        if window_days is not None
        else PolicyParameters.current().yellow_card_window_days
    )
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=window), datetime.time.min)
    )
    return Card.objects.filter(
        membership_id=membership.pk, level=Card.Level.YELLOW, issued_at__gte=since
    ).count()


@transaction.atomic
def card_issue_red(
    *,
    membership: Membership,
    reason: str,
    actor: User,
    escalate_from: Card | None = None,
    severe: bool = False,
    ground: str | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Card:
    """Expel a member with a red card (policy L-6), allowed only (a) by escalating an open yellow
    card of this member, (b) after a second yellow card within the configured window, or (c)
    directly for a severe incident. Always with written reasons. The membership ends today with
    reason "expulsion" in the same transaction; the member's open yellow cards are closed.

    `expected_version` is the version of `escalate_from` the user saw."""
    if escalate_from is not None:
        require(can_review_card(actor, escalate_from))
    membership = (
        Membership.objects.select_for_update()
        .select_related("group", "school")
        .get(pk=membership.pk)
    )
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    yellow = None
    if escalate_from is not None:
        yellow = _lock_card(escalate_from, expected_version)
        if yellow.membership_id != membership.pk or yellow.level != Card.Level.YELLOW:
            raise RuleRefusal(_("只能升级本成员校的黄牌。"), field="escalate_from")
        ensure_allowed(yellow, table=CARD_TRANSITIONS, action=CardAction.ESCALATE)
    require(can_issue_card(actor, membership, today=today))
    reason = (reason or "").strip()
    if not reason:
        raise RuleRefusal(
            _("发出红牌须写明理由（政策 L-6）。")
            if not severe
            else _("直接发出红牌须写明重大事故的情况和理由（政策 L-6）。"),
            field="reason",
        )
    if yellow is not None:
        ground = yellow.ground
    elif yellow_cards_in_window(membership=membership, today=today) >= 2:
        ground = (
            ground
            or membership.cards.filter(level=Card.Level.YELLOW).latest("issued_at", "pk").ground
        )
    elif severe:
        ground = Card.Ground.INCIDENT
    else:
        window = PolicyParameters.current().yellow_card_window_days
        raise RuleRefusal(
            _(
                "红牌只能在以下情形发出（政策 L-6）：由未结束的黄牌升级；%(days)s 天内第二次被"
                "黄牌预警；或发生严重事故、直接淘汰（须勾选并写明理由）。"
            )
            % {"days": window},
            field="severe",
        )
    if ground not in Card.Ground.values:
        raise RuleRefusal(_("请选择发出红牌的事由（政策 L-6）。"), field="ground")
    red = Card(
        membership=membership,
        group=membership.group,
        level=Card.Level.RED,
        status=CardStatus.RED_ISSUED,
        ground=ground,
        description=reason,
        issued_by=actor,
        escalated_from=yellow,
        issued_at=now,
        closed_at=now,
    )
    stamp(
        red,
        actor=actor,
        now=now,
        reason=msg("reason.card_escalated_red") if yellow is not None else msg("reason.card_red"),
    )
    red.save()
    if yellow is not None:
        _move(
            yellow,
            CardAction.ESCALATE,
            actor,
            msg("reason.card_escalated"),
            now=now,
            changes={"closed_at": now},
        )
    # The member leaves today; its other open cards close with the membership.
    red.membership = membership_end(
        membership=membership,
        left_on=today,
        end_reason=Membership.EndReason.EXPULSION,
        actor=actor,
        today=today,
        now=now,
    )
    message = msg(
        "notice.card.red", group=membership.group.name, school=membership.school.name, date=today
    )
    notify(
        principals_of(membership.school_id)
        + principals_of(membership.group.core_school_id)
        + staff_of(membership.group.authority_id),
        message,
        _url(red),
        now=now,
    )
    return red


def cards_close_for_membership(
    *,
    membership: Membership,
    actor: User | None,
    when: datetime.datetime,
) -> int:
    """A warning cannot outlive the membership it concerns (policy L-6): when the membership's
    end takes effect its open cards close, dated `when`, so nothing stays overdue in an inbox
    for a school that has left. The one place cards close with a membership; called by the
    registry (groups/registry/services.py) on the day the end takes effect. Returns how many
    closed."""
    reason = msg(
        "reason.card_closed_with_membership",
        reason=label(Membership.EndReason(membership.end_reason).label),
    )
    cards = locked_rows(
        Card.objects.select_for_update(of=("self",)).filter(
            membership_id=membership.pk, closed_at__isnull=True, status__in=OPEN_CARD_STATUSES
        )
    )
    for card in cards:
        _move(card, CardAction.CLOSE, actor, reason, now=when, changes={"closed_at": when})
    return len(cards)


@transaction.atomic
def card_attachment_add(
    *, card: Card, kind: str, uploaded_file, actor: User, now: datetime.datetime | None = None
):
    """Attach a document to a card if the rule still allows it on the locked row (policy L-6);
    a card that moved on meanwhile refuses with the rule's reason and stores nothing. The card
    itself is not changed (its version stays, so open forms stay valid)."""
    from groups.cards.permissions import can_upload_to_card, card_upload_kind

    locked = (
        Card.objects.select_for_update(of=("self",))
        .select_related("group", "membership")
        .get(pk=card.pk)
    )
    decision = can_upload_to_card(actor, locked)
    if not decision or card_upload_kind(actor, locked) != kind:
        raise RuleRefusal(decision.reason or str(_("无权上传该类材料。")), field="state")
    return attachment_add(
        owner=locked, kind=kind, uploaded_file=uploaded_file, actor=actor, now=now
    )
