"""Document pages: a group's versioned documents with upload, side-by-side comparison of two
versions, and their permission-checked downloads (issue 3 "Documents"; policy G-4, L-1, L-8).

Files are never served from MEDIA_URL: every download checks the user may see the group (404
otherwise) and goes out through qingdao_groups.core.documents.file_response. Workflow
attachments are downloaded through the shared view (qingdao_groups/core/views.py)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from groups.charter.diff import CONTEXT_LINES, DiffRow, text_diff_rows
from groups.charter.forms import GroupDocumentForm
from groups.charter.models import GroupDocument
from groups.charter.permissions import can_manage_group_documents
from groups.charter.selectors import access_group_document_for_user, access_group_for_user
from groups.charter.services import GROUP_UPLOAD_KINDS, group_document_add
from groups.registry.models import EducationGroup
from qingdao_groups.core.documents import file_response, stored_content_type
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once
from qingdao_groups.core.uploads import upload_limit_bytes

ACCEPT = ".pdf,.ofd,.docx,.png,.jpg,.jpeg,.gif"


@require_safe
def group_document_download_view(request, document_id: int):
    document = access_group_document_for_user(request.user, document_id)
    if not document.file:
        raise Http404
    content_type, extension = stored_content_type(document.file)
    return file_response(
        document.file,
        original_name=document.original_name or document.title,
        content_type=content_type,
        extension=extension,
    )


def _documents_by_kind(group: EducationGroup) -> list[dict]:
    documents = list(
        GroupDocument.objects.filter(group=group)
        .select_related("uploaded_by")
        .defer("text")
        .order_by("kind", "-version")
    )
    sections = []
    for kind in GroupDocument.Kind:
        versions = [d for d in documents if d.kind == kind.value]
        for i, document in enumerate(versions):
            document.previous_version = versions[i + 1].version if i + 1 < len(versions) else None
        sections.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "versions": versions,
                "comparable": len(versions) >= 2,
            }
        )
    return sections


@require_http_methods(["GET", "HEAD", "POST"])
def group_documents_view(request, group_id: int):
    group = access_group_for_user(request.user, group_id)
    decision = can_manage_group_documents(request.user, group)
    form = None
    if request.method == "POST":
        require(decision)
        max_bytes = upload_limit_bytes()
        form = GroupDocumentForm(request.POST, request.FILES, max_bytes=max_bytes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                document, created = once(
                    data["submission"],
                    request.user,
                    lambda: group_document_add(
                        group=group,
                        kind=data["kind"],
                        uploaded_file=data["file"],
                        title=data["title"],
                        adopted_on=data["adopted_on"],
                        actor=request.user,
                    ),
                )
            except RuleRefusal as exc:
                add_form_error(form, exc)
            else:
                if not created:
                    messages.info(request, ALREADY_DONE)
                else:
                    messages.success(
                        request,
                        _("已登记%(kind)s第 %(v)d 版。")
                        % {"kind": document.get_kind_display(), "v": document.version},
                    )
                return redirect("documents:group-documents", group_id=group.pk)
        if form.errors and "file" not in form.errors:
            form.add_error("file", _("出于安全原因，浏览器不会保留已选的文件，请重新选择。"))
    elif decision:
        kind = request.GET.get("kind")
        form = GroupDocumentForm(
            max_bytes=upload_limit_bytes(),
            initial={
                "kind": kind if kind in GROUP_UPLOAD_KINDS else GroupDocument.Kind.CHARTER,
                "adopted_on": timezone.localdate(),
            },
        )
    return render(
        request,
        "documents/group_documents.html",
        {
            "group": group,
            "sections": _documents_by_kind(group),
            "form": form,
            "can_manage": decision.allowed,
            "manage_reason": decision.reason,
        },
    )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_safe
def compare_view(request, group_id: int):
    """Two versions of a group document side by side (policy G-4: the charter a group runs by,
    and how it changed)."""
    group = access_group_for_user(request.user, group_id)
    kind = request.GET.get("kind") or GroupDocument.Kind.CHARTER
    if kind not in GroupDocument.Kind.values:
        kind = GroupDocument.Kind.CHARTER
    versions = list(
        GroupDocument.objects.filter(group=group, kind=kind)
        .only("id", "group_id", "kind", "version", "title", "adopted_on", "file")
        .order_by("-version")
    )
    by_number = {d.version: d for d in versions}
    problems = []
    a_no, b_no = _int_or_none(request.GET.get("a")), _int_or_none(request.GET.get("b"))
    for label, number in (("a", a_no), ("b", b_no)):
        if request.GET.get(label) not in (None, "") and number not in by_number:
            problems.append(_("所选版本不存在，已改为显示最近的两个版本。"))
    if a_no not in by_number or b_no not in by_number:
        b_no = versions[0].version if versions else None
        a_no = versions[1].version if len(versions) > 1 else b_no
    left = right = None
    rows: list[DiffRow] = []
    truncated = False
    text_missing = False
    if a_no is not None:
        chosen = {
            d.version: d
            for d in GroupDocument.objects.filter(
                group=group, kind=kind, version__in={a_no, b_no}
            ).select_related("uploaded_by")
        }
        left, right = chosen[a_no], chosen[b_no]
        if not left.text.strip() or not right.text.strip():
            text_missing = True
        elif left.pk != right.pk:
            rows, truncated = text_diff_rows(
                left.text, right.text, context=None if request.GET.get("full") else CONTEXT_LINES
            )
    return render(
        request,
        "documents/compare.html",
        {
            "group": group,
            "kind": kind,
            "kind_label": GroupDocument.Kind(kind).label,
            "kinds": GroupDocument.Kind.choices,
            "versions": versions,
            "left": left,
            "right": right,
            "rows": rows,
            "truncated": truncated,
            "text_missing": text_missing,
            "problems": sorted(set(problems)),
            "full": bool(request.GET.get("full")),
            "identical": left is not None and not text_missing and not rows,
        },
    )
