"""What cards contribute to the shared parts: their events on the group timeline, as far as
the reader may see them (policy L-6: a member does not read another member's warning), and
their documents: evidence from the issuing authority, rectification from the warned school."""

from django.utils.translation import gettext as _

from groups.cards.models import Card
from groups.cards.permissions import card_upload_kind
from groups.cards.selectors import card_list_for_user
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.timeline import TimelineSource, register_timeline_source


def _rows(group_id: int, user):
    qs = Card.history.filter(group_id=group_id).select_related("membership__school")
    return qs.filter(id__in=card_list_for_user(user=user).values("pk"))


register_timeline_source(TimelineSource(
    "card", _rows,
    lambda h: _("%(level)s：%(school)s（%(status)s）") % {
        "level": h.get_level_display(), "status": h.get_status_display(),
        "school": h.membership.school.name if h.membership else ""}))


def _card_kinds(user, card: Card) -> list[str]:
    kind = card_upload_kind(user, card)
    return [kind] if kind else []


register_document_owner(
    Card, can_view=lambda user, card: card_list_for_user(user=user).filter(pk=card.pk).exists(),
    upload_kinds=_card_kinds)
