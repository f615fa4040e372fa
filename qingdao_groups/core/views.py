"""Small pieces the feature views share, and the download of any owner's attachment."""

from django.contrib import messages
from django.views.decorators.http import require_safe

from qingdao_groups.core.documents import attachment_response
from qingdao_groups.core.workflow import allowed_actions


def refuse_if_moved_on(request, obj, table, actions, message) -> bool:
    """True (and a message saying the current status) when none of `actions` is possible from
    `obj`'s status any more, e.g. someone else handled it meanwhile; the caller then shows the
    object as it is. `message` has a %(status)s placeholder."""
    if any(a in allowed_actions(table, obj.status) for a in actions):
        return False
    messages.info(request, message % {"status": obj.get_status_display()})
    return True


@require_safe
def attachment_download_view(request, attachment_id: int):
    """Any owner's attachment, if the owner's registered rule lets the user see it (404
    otherwise); sent as a download, never rendered."""
    return attachment_response(request.user, attachment_id)
