"""Document pages: a group's versioned documents with upload, side-by-side comparison of two
versions, and permission-checked downloads (issue 3 "Documents"; policy G-4, L-1, L-8).

Files are never served from MEDIA_URL: every download goes through a view here that checks
the user may see the owner (404 otherwise), sends `Content-Disposition: attachment` and
`X-Content-Type-Options: nosniff`."""


from django.http import Http404

from groups.applications.selectors import application_get_for_user
from groups.cards.selectors import card_get_for_user
from groups.charter.models import Attachment, GroupDocument
from groups.filings.selectors import filing_get_for_user
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_scope_q
from members.models import User


def _visible_groups(user: User):
    q = group_scope_q(user)
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
    q = group_scope_q(user)
    if q is not None:
        qs = qs.filter(group__in=EducationGroup.objects.filter(q))
    try:
        return qs.get(pk=document_id)
    except GroupDocument.DoesNotExist as exc:
        raise Http404 from exc


def access_attachment_for_user(user: User, attachment_id: int) -> Attachment:
    """An attachment is visible to whoever may see its application, card or filing."""
    try:
        attachment = Attachment.objects.get(pk=attachment_id)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc
    if attachment.application_id:
        application_get_for_user(user=user, application_id=attachment.application_id)
    elif attachment.card_id:
        card_get_for_user(user=user, card_id=attachment.card_id)
    elif attachment.filing_id:
        filing_get_for_user(user=user, filing_id=attachment.filing_id)
    else:  # pragma: no cover - the database constraint forbids an ownerless attachment
        raise Http404
    return attachment
