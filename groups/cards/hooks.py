"""What cards contribute to the shared parts: their events on the group timeline, as far as
the reader may see them (policy L-6: a member does not read another member's warning), and
their documents: evidence from the issuing authority, rectification from the warned school,
and the cards awaiting a person: overdue or rectified cards for the authority, open yellow
cards for the warned school's principal."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from groups.cards.exports import CARDS_EXPORT
from groups.cards.models import Card
from groups.cards.permissions import card_upload_kind
from groups.cards.selectors import card_get_for_user, card_list_for_group, card_list_for_user
from groups.cards.workflows import CardStatus
from groups.registry.models import PolicyParameters
from members.models import User
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.exports import register_export
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.inbox import InboxItem, day, register_inbox_provider, url_or_blank
from qingdao_groups.core.labels import choice_labels, url_maker
from qingdao_groups.core.notifications import principals_of, staff_of
from qingdao_groups.core.reminders import (
    WATCH_PER_SOURCE,
    RemindSource,
    Waiting,
    register_remind_source,
)
from qingdao_groups.core.timeline import (
    StoryEvent,
    StorySource,
    TimelineSource,
    register_story_source,
    register_timeline_source,
)


def _rows(group_id: int, user):
    """The history of the group's cards the reader may see (the timeline is read for a group
    the reader sees)."""
    qs = history_rows(Card).filter(group_id=group_id)
    if user.is_authenticated and user.is_principal and user.school_id:
        return qs.filter(id__in=card_list_for_group(user=user, group_id=group_id).values("pk"))
    return qs


register_timeline_source(
    TimelineSource(
        "card",
        _rows,
        lambda v: (
            _("%(level)s：%(school)s（%(status)s）")
            % {
                "level": choice_labels(Card, "level").get(v[0], v[0]),
                "status": choice_labels(Card, "status").get(v[1], v[1]),
                "school": v[2] or "",
            }
        ),
        ("level", "status", "membership__school__name"),
    )
)


def _card_kinds(user, card: Card) -> list[str]:
    kind = card_upload_kind(user, card)
    return [kind] if kind else []


register_document_owner(
    Card,
    can_view=lambda user, card: card_list_for_user(user=user).filter(pk=card.pk).exists(),
    upload_kinds=_card_kinds,
)


def review_deadline(card: Card, params: PolicyParameters | None = None) -> datetime.date | None:
    """When the authority should have reviewed a submitted rectification. Policy L-6 sets no
    time; the authority's decision time of the policy parameters (decision_days) applies, as to
    its other decisions (L-1, L-3, L-5)."""
    if card.rectified_at is None:
        return None
    params = params or PolicyParameters.for_request()
    return day(card.rectified_at) + datetime.timedelta(days=params.decision_days)


def _inbox(user: User) -> list[InboxItem]:
    """Policy L-6: the authority reviews rectifications (due within its decision time) and
    follows up overdue cards; the warned school's principal answers an open yellow card by its
    deadline."""
    items = []
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        for card in Card.objects.filter(
            group__authority_id=user.authority_id,
            status__in=[CardStatus.OVERDUE, CardStatus.UNDER_REVIEW],
        ).select_related("membership__school", "group__authority"):
            overdue = card.status == CardStatus.OVERDUE
            items.append(
                InboxItem(
                    _("整改逾期") if overdue else _("整改待审核"),
                    card.membership.school.name,
                    card.deadline if overdue else day(card.rectified_at or card.issued_at),
                    url_or_blank("cards:detail", card.pk),
                    card.get_level_display(),
                    overdue=overdue,
                    key="card-overdue" if overdue else "card-review",
                    waits_for=card.group.authority.name,
                    deadline=card.deadline if overdue else review_deadline(card),
                    district=card.membership.school.district_id or "",
                    group=card.group.name,
                    target=f"card:{card.pk}",
                )
            )
    elif user.is_principal and user.school_id:
        for card in Card.objects.filter(
            membership__school_id=user.school_id,
            closed_at__isnull=True,
            status__in=[CardStatus.YELLOW_ISSUED, CardStatus.OVERDUE],
        ).select_related("membership__school", "group"):
            items.append(
                InboxItem(
                    _("黄牌待整改"),
                    card.get_ground_display(),
                    day(card.issued_at),
                    url_or_blank("cards:detail", card.pk),
                    _("整改期限 %(date)s") % {"date": card.deadline},
                    overdue=card.status == CardStatus.OVERDUE,
                    key="card-rectify",
                    waits_for=card.membership.school.name,
                    deadline=card.deadline,
                    district=card.membership.school.district_id or "",
                    group=card.group.name,
                    target=f"card:{card.pk}",
                )
            )
    return items


OPEN_CARD = (CardStatus.YELLOW_ISSUED, CardStatus.OVERDUE, CardStatus.UNDER_REVIEW)


def _waiting(card: Card) -> Waiting | None:
    """Policy L-6: an open yellow card waits for the warned school's rectification (by its
    deadline; once overdue the reminder is copied to the issuing authority, which decides on
    escalation); a submitted rectification waits for the authority's review."""
    if card.closed_at is not None or card.status not in OPEN_CARD:
        return None
    school = card.membership.school
    what = _("%(group)s：%(school)s 的%(level)s") % {
        "group": card.group.name,
        "school": school.name,
        "level": card.get_level_display(),
    }
    url = url_or_blank("cards:detail", card.pk)
    if card.status == CardStatus.UNDER_REVIEW:
        return Waiting(
            staff_of(card.group.authority_id),
            card.group.authority.name,
            what,
            url,
            review_deadline(card),
        )
    return Waiting(
        principals_of(school.pk),
        school.name,
        what,
        url,
        card.deadline,
        escalate_to=staff_of(card.group.authority_id),
    )


def _watched(user: User) -> list[InboxItem]:
    """Open cards the staff member sees that wait for someone else: the warned school's
    rectification (by its deadline, policy L-6), or another authority's review."""
    if user.role not in User.AUTHORITY_ROLES or not user.authority_id:
        return []
    params = PolicyParameters.for_request()
    rows = (
        card_list_for_user(user=user)
        .filter(closed_at__isnull=True, status__in=OPEN_CARD)
        .exclude(status=CardStatus.UNDER_REVIEW, group__authority_id=user.authority_id)
        .select_related("group__authority")
        .order_by("issued_at", "pk")[:WATCH_PER_SOURCE]
    )
    items = []
    for card in rows:
        review = card.status == CardStatus.UNDER_REVIEW
        school = card.membership.school
        items.append(
            InboxItem(
                card.get_status_display(),
                school.name,
                day(card.rectified_at or card.issued_at) if review else day(card.issued_at),
                url_or_blank("cards:detail", card.pk),
                card.get_level_display(),
                key=f"watch-card-{card.status}",
                waits_for=card.group.authority.name if review else school.name,
                deadline=review_deadline(card, params) if review else card.deadline,
                district=school.district_id or "",
                group=card.group.name,
                target=f"card:{card.pk}",
            )
        )
    return items


register_remind_source(
    RemindSource(
        "card",
        Card,
        lambda user, pk: card_get_for_user(user=user, card_id=pk),
        _waiting,
        lambda: (
            Card.objects.filter(closed_at__isnull=True, status__in=OPEN_CARD)
            .select_related("membership__school", "group__authority")
            .order_by("pk")
        ),
        is_open=lambda card: card.closed_at is None and card.status in OPEN_CARD,
        watched=_watched,
    )
)


register_inbox_provider("cards", _inbox, models=(Card,))

# The list's export (issue 8): the one export helper of qingdao_groups.core.exports.
register_export(CARDS_EXPORT)


def _cards_story(group_id: int, user, today) -> list[StoryEvent]:
    """Each card the reader may see on the day it was issued, and a yellow card's end on the day
    it closed (policy L-6); one query. A red card's expulsion is the membership's end (registry)."""
    qs = Card.objects.filter(group_id=group_id)
    if user.is_authenticated and user.is_principal and user.school_id:
        qs = qs.filter(id__in=card_list_for_group(user=user, group_id=group_id).values("pk"))
    levels, grounds = choice_labels(Card, "level"), choice_labels(Card, "ground")
    statuses = choice_labels(Card, "status")
    card_url = url_maker("cards:detail")
    events = []
    for card in qs.select_related("membership__school", "issued_by").order_by("issued_at", "id"):
        school, level = card.membership.school.name, levels.get(card.level, card.level)
        events.append(
            StoryEvent(
                timezone.localdate(card.issued_at),
                "card",
                _("%(school)s 收到%(level)s（%(ground)s）")
                % {"school": school, "level": level, "ground": grounds.get(card.ground, "")},
                who=card.issued_by.get_full_name() if card.issued_by else "",
                url=card_url(card.pk),
                order=4,
            )
        )
        if card.closed_at and card.level == Card.Level.YELLOW:
            events.append(
                StoryEvent(
                    timezone.localdate(card.closed_at),
                    "card_closed",
                    _("%(school)s 的%(level)s：%(status)s")
                    % {"school": school, "level": level, "status": statuses.get(card.status)},
                    url=card_url(card.pk),
                    order=5,
                )
            )
    return events


register_story_source(StorySource("cards", _cards_story))
