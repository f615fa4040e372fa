"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

from django.db.models import Q, QuerySet
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
