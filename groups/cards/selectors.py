"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

from django.db.models import F, Q, QuerySet
from django.http import Http404

from groups.cards.models import Card
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_scope_q
from members.models import User


def card_list_for_user(*, user: User) -> QuerySet[Card]:
    """Cards of the groups a user may see. A principal sees the cards of their own school (even
    after an expulsion ended the membership) and, for a core school, those of its group."""
    qs = Card.objects.select_related("membership__school", "group", "issued_by")
    if user.is_authenticated and user.is_principal and user.school_id:
        return qs.filter(
            Q(membership__school_id=user.school_id) | Q(group__core_school_id=user.school_id)
        )
    q = group_scope_q(user)
    if q is None:
        return qs
    return qs.filter(group__in=EducationGroup.objects.filter(q))


def card_list_visible(*, user: User) -> QuerySet[Card]:
    """The card list's rows: cards through the scoped selector; a member principal sees only
    their own school's cards (the core principal sees the group's)."""
    qs = card_list_for_user(user=user)
    if user.is_principal:
        qs = qs.filter(
            Q(membership__school_id=user.school_id) | Q(group__core_school_id=user.school_id)
        )
    return qs


CARD_LIST_STATES = ("open", "closed", "all")


def card_list_filtered(qs: QuerySet[Card], params) -> tuple[QuerySet[Card], str]:
    """The card list's filter (open by default, closed, all) and its order, open cards first
    by deadline; shared by the page and its export (policy L-6)."""
    state = params.get("state", "open")
    if state not in CARD_LIST_STATES:
        state = "open"
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    qs = qs.order_by(
        F("closed_at").desc(nulls_first=True),
        F("deadline").asc(nulls_last=True),
        "-issued_at",
        "-pk",
    )
    return qs, state


def card_list_for_group(*, user: User, group_id: int) -> QuerySet[Card]:
    """The cards of one group the user has already been shown (its page found the group through
    the user's scope): the rows of `card_list_for_user(user=user).filter(group_id=group_id)`
    without computing the user's whole scope again (issue 7). Whoever sees a group sees its
    cards; a principal, those of their own school, or all of the group their school leads."""
    qs = Card.objects.select_related("membership__school", "group", "issued_by").filter(
        group_id=group_id
    )
    if user.is_authenticated and user.is_principal and user.school_id:
        return qs.filter(
            Q(membership__school_id=user.school_id) | Q(group__core_school_id=user.school_id)
        )
    return qs


def card_get_for_user(*, user: User, card_id: int) -> Card:
    try:
        return card_list_for_user(user=user).get(pk=card_id)
    except Card.DoesNotExist as exc:
        raise Http404 from exc
