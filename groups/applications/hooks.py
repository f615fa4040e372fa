"""What applications contribute to the shared parts: their events on the group timeline, as far
as the reader may see them (a member principal does not read another member's exit reasons),
and their documents (whoever may see the application may read them; policy L-1, L-3, L-5)."""

from django.utils.translation import gettext as _

from groups.applications.models import Application
from groups.applications.permissions import DOCUMENT_KINDS
from groups.applications.selectors import application_list_for_user, application_scope_q
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.timeline import TimelineSource, register_timeline_source


def _rows(group_id: int, user):
    qs = Application.history.filter(group_id=group_id)
    q = application_scope_q(user)
    return qs if q is None else qs.filter(id__in=Application.objects.filter(q).values("pk"))


register_timeline_source(TimelineSource(
    "application", _rows,
    lambda h: _("%(kind)s申请（%(status)s）") % {"kind": h.get_kind_display(),
                                               "status": h.get_status_display()}))


register_document_owner(
    Application,
    can_view=lambda user, a: application_list_for_user(user=user).filter(pk=a.pk).exists(),
    upload_kinds=lambda user, a: DOCUMENT_KINDS[a.kind])
