"""What applications contribute to the shared parts: their events on the group timeline, as far
as the reader may see them (a member principal does not read another member's exit reasons)."""

from django.utils.translation import gettext as _

from groups.applications.models import Application
from groups.applications.selectors import application_scope_q
from qingdao_groups.core.timeline import TimelineSource, register_timeline_source


def _rows(group_id: int, user):
    qs = Application.history.filter(group_id=group_id)
    q = application_scope_q(user)
    return qs if q is None else qs.filter(id__in=Application.objects.filter(q).values("pk"))


register_timeline_source(TimelineSource(
    "application", _rows,
    lambda h: _("%(kind)s申请（%(status)s）") % {"kind": h.get_kind_display(),
                                               "status": h.get_status_display()}))
