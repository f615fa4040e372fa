"""The auditors' desk (审计日志): every recorded change, filtered and paged; and the search behind
its pickers. Thin: the permission, the filters, the reader of core/audit.py."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qingdao_groups.core.audit import (
    AUDIT_PAGE_SIZE,
    AuditFilters,
    audit_log_for_user,
    audit_picker,
    can_view_audit_desk,
)
from qingdao_groups.core.audit_forms import AuditFilterForm
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import require


@require_safe
def audit_log_view(request):
    """For the city bureau, auditors and administrators (403 for the others, said why)."""
    require(can_view_audit_desk(request.user))
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else None
    log = audit_log_for_user(user=request.user, filters=filters or AuditFilters())
    page = KeyFirstPaginator(log, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page_obj": page, "query_string": query.urlencode()},
    )


@require_safe
def audit_pick_view(request, key: str):
    """At most 20 people or groups matching the typed text, as <option>s of a picker."""
    require(can_view_audit_desk(request.user))
    picker = audit_picker(key)
    if picker is None:
        raise Http404
    options = picker.search(request.GET.get("q", ""))
    return render(request, "audit/_options.html", {"options": options})
