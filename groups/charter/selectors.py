"""Reads of a group's documents: whoever may see the group may read them (policy G-4, L-8)."""

from django.http import Http404

from groups.charter.models import GroupDocument
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_scope_q
from members.models import User


def _visible_groups(user: User):
    q = group_scope_q(user, one=True)  # one group or document by key: no extra query
    qs = EducationGroup.objects.select_related("core_school", "authority")
    return qs if q is None else qs.filter(q)


def access_group_for_user(user: User, group_id: int) -> EducationGroup:
    try:
        return _visible_groups(user).get(pk=group_id)
    except EducationGroup.DoesNotExist as exc:
        raise Http404 from exc


def access_group_document_for_user(user: User, document_id: int) -> GroupDocument:
    """A group document is visible to whoever may see its group."""
    qs = GroupDocument.objects.select_related("group")
    q = group_scope_q(user, one=True)  # one group or document by key: no extra query
    if q is not None:
        qs = qs.filter(group__in=EducationGroup.objects.filter(q))
    try:
        return qs.get(pk=document_id)
    except GroupDocument.DoesNotExist as exc:
        raise Http404 from exc
