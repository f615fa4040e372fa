"""Small pieces the feature views share, the download of any owner's attachment and of an
archived official document, and the public verification page of official documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qingdao_groups.core.archive import document_by_code, document_response
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


@require_safe
def official_document_download_view(request, document_id: int):
    """An archived official document (批复, 备案回执), as issued, for whoever may see its owner
    (the kind's registered rule; 404 otherwise)."""
    return document_response(request.user, document_id)


@login_not_required
@require_safe
def verify_view(request, code: str):
    """Anyone holding a printout checks it (issue 8): no login; only the title, number, date,
    issuing authority and SHA-256 of the document the code names; a clear 404 otherwise."""
    document = document_by_code(code)
    if document is None:
        return render(request, "official/verify_unknown.html", {"code": code[:40]}, status=404)
    return render(request, "official/verify.html", {"document": document})
