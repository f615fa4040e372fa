"""Document pages: a group's versioned documents with upload, side-by-side comparison of two
versions, and permission-checked downloads (issue 3 "Documents"; policy G-4, L-1, L-8).

Files are never served from MEDIA_URL: every download goes through a view here that checks
the user may see the owner (404 otherwise), sends `Content-Disposition: attachment` and
`X-Content-Type-Options: nosniff`."""

import difflib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from groups.models import Attachment, EducationGroup, GroupDocument
from groups.permissions import can_manage_group_documents
from groups.selectors import (
    application_get_for_user,
    card_get_for_user,
    filing_get_for_user,
    group_scope_q,
)
from groups.services.documents import GROUP_UPLOAD_KINDS, group_document_add, upload_limit_bytes
from members.models import User
from qingdao_groups.forms import BootstrapFormMixin
from qingdao_groups.shared import ApplicationError, add_form_error, require
from qingdao_groups.uploads import CONTENT_TYPES, EXTENSIONS, download_name, sniff

ACCEPT = ".pdf,.ofd,.docx,.png,.jpg,.jpeg,.gif"


# --- access: fetch and check in one place (404 for what the user may not see) ------------------


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


# --- downloads ---------------------------------------------------------------------------------


def _stored_content_type(field_file) -> tuple[str, str]:
    """(content type, extension) of a stored file: from its generated name's extension, else
    from its first bytes; application/octet-stream when neither says."""
    extension = PurePosixPath(field_file.name).suffix.lstrip(".").lower()
    if extension in CONTENT_TYPES:
        return CONTENT_TYPES[extension], EXTENSIONS[CONTENT_TYPES[extension]]
    try:
        with field_file.storage.open(field_file.name, "rb") as fh:
            content_type = sniff(fh.read(16))
    except OSError:
        content_type = None
    if content_type is None:
        return "application/octet-stream", ""
    return content_type, EXTENSIONS[content_type]


def _file_response(field_file, *, original_name: str, content_type: str, extension: str):
    if not field_file or not field_file.name:
        raise Http404
    try:
        fh = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(fh, as_attachment=True, content_type=content_type,
                            filename=download_name(original_name, extension))
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were persuaded to render it, the file may run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def attachment_download_view(request, attachment_id: int):
    attachment = access_attachment_for_user(request.user, attachment_id)
    return _file_response(attachment.file, original_name=attachment.original_name,
                          content_type=attachment.content_type,
                          extension=EXTENSIONS.get(attachment.content_type, ""))


@require_safe
def group_document_download_view(request, document_id: int):
    document = access_group_document_for_user(request.user, document_id)
    if not document.file:
        raise Http404
    content_type, extension = _stored_content_type(document.file)
    return _file_response(document.file, original_name=document.original_name or document.title,
                          content_type=content_type, extension=extension)


# --- a group's documents, with upload ----------------------------------------------------------


class GroupDocumentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("文件类别"),
        choices=[(k.value, k.label) for k in GROUP_UPLOAD_KINDS],
        help_text=gettext_lazy("集团依章程运行（政策 G-4），"
                               "在章程下制定内部管理制度（政策 L-8）。"),
    )
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    adopted_on = forms.DateField(label=gettext_lazy("通过日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    # Empty files reach the service, whose message is the same as for every other upload.
    file = forms.FileField(label=gettext_lazy("文件"), allow_empty_file=True,
                           widget=forms.FileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF、OFD、DOCX 或 PNG/JPEG/GIF 图片，不超过 %(mb).0f MB；系统按文件内容判断类型。"
            "每次上传生成一个新版本，旧版本保留。") % {"mb": max_bytes / 1024 / 1024}



def _documents_by_kind(group: EducationGroup) -> list[dict]:
    documents = list(
        GroupDocument.objects.filter(group=group).select_related("uploaded_by")
        .defer("text").order_by("kind", "-version")
    )
    sections = []
    for kind in GroupDocument.Kind:
        versions = [d for d in documents if d.kind == kind.value]
        for i, document in enumerate(versions):
            document.previous_version = versions[i + 1].version if i + 1 < len(versions) else None
        sections.append({"kind": kind.value, "label": kind.label, "versions": versions,
                         "comparable": len(versions) >= 2})
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
                document = group_document_add(
                    group=group, kind=data["kind"], uploaded_file=data["file"],
                    title=data["title"], adopted_on=data["adopted_on"], actor=request.user,
                )
            except ApplicationError as exc:
                add_form_error(form, exc)
            else:
                messages.success(request, _("已登记%(kind)s第 %(v)d 版。") % {
                    "kind": document.get_kind_display(), "v": document.version})
                return redirect("documents:group-documents", group_id=group.pk)
        if form.errors and "file" not in form.errors:
            form.add_error("file", _("出于安全原因，浏览器不会保留已选的文件，请重新选择。"))
    elif decision:
        kind = request.GET.get("kind")
        form = GroupDocumentForm(max_bytes=upload_limit_bytes(), initial={
            "kind": kind if kind in GROUP_UPLOAD_KINDS else GroupDocument.Kind.CHARTER,
            "adopted_on": timezone.localdate(),
        })
    return render(request, "documents/group_documents.html", {
        "group": group, "sections": _documents_by_kind(group), "form": form,
        "can_manage": decision.allowed, "manage_reason": decision.reason,
    })


# --- comparing two versions --------------------------------------------------------------------

MAX_DIFF_LINES = 5000
MAX_INTRALINE_CHARS = 4000
CONTEXT_LINES = 3
SIMILAR = 0.6  # lines at least this similar are shown as one changed line
MAX_ALIGN_PAIRS = 40_000


@dataclass
class DiffRow:
    """One row of the side-by-side table. kind: equal, changed, removed, added, skipped."""

    kind: str
    left_no: int | None = None
    right_no: int | None = None
    left: list[tuple[str, bool]] = field(default_factory=list)
    right: list[tuple[str, bool]] = field(default_factory=list)
    skipped: int = 0


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _intraline(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    if len(a) + len(b) > MAX_INTRALINE_CHARS:
        return [(a, True)], [(b, True)]
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append((a[i1:i2], tag != "equal"))
        if j2 > j1:
            right.append((b[j1:j2], tag != "equal"))
    return left, right


def _align(a: list[str], i1: int, i2: int, b: list[str], j1: int, j2: int):
    """Within a block of differing lines, pair each old line with its most similar new line (a
    changed line) and leave the rest as removed or added, in order; as difflib.Differ does."""
    if i1 >= i2 or j1 >= j2:
        yield from (("removed", i, None) for i in range(i1, i2))
        yield from (("added", None, j) for j in range(j1, j2))
        return
    best, best_i, best_j = SIMILAR - 0.01, None, None
    if (i2 - i1) * (j2 - j1) <= MAX_ALIGN_PAIRS:
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        for j in range(j1, j2):
            matcher.set_seq2(b[j])
            for i in range(i1, i2):
                matcher.set_seq1(a[i])
                if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best and \
                        matcher.ratio() > best:
                    best, best_i, best_j = matcher.ratio(), i, j
    if best_i is None:
        yield from (("removed", i, None) for i in range(i1, i2))
        yield from (("added", None, j) for j in range(j1, j2))
        return
    yield from _align(a, i1, best_i, b, j1, best_j)
    yield ("changed", best_i, best_j)
    yield from _align(a, best_i + 1, i2, b, best_j + 1, j2)


def text_diff_rows(old: str, new: str, *, context: int | None = CONTEXT_LINES
                   ) -> tuple[list[DiffRow], bool]:
    """Side-by-side rows comparing two texts line by line, with the changed characters of a
    changed line marked; unchanged runs beyond `context` lines are folded (None: show all).
    Returns (rows, truncated). The texts come from users: the template escapes every piece."""
    a, b = _lines(old), _lines(new)
    truncated = len(a) > MAX_DIFF_LINES or len(b) > MAX_DIFF_LINES
    a, b = a[:MAX_DIFF_LINES], b[:MAX_DIFF_LINES]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if context is None:
        groups = [matcher.get_opcodes()]
    else:
        groups = list(matcher.get_grouped_opcodes(context)) if a != b else []
    rows: list[DiffRow] = []
    shown_until = 0  # index in `a` up to which rows exist (for the folded counts)
    for group in groups:
        first = group[0]
        if first[1] > shown_until:
            rows.append(DiffRow("skipped", skipped=first[1] - shown_until))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    rows.append(DiffRow("equal", i1 + k + 1, j1 + k + 1, [(a[i1 + k], False)],
                                        [(b[j1 + k], False)]))
                continue
            for op, i, j in _align(a, i1, i2, b, j1, j2):
                if op == "changed":
                    left, right = _intraline(a[i], b[j])
                    rows.append(DiffRow("changed", i + 1, j + 1, left, right))
                elif op == "removed":
                    rows.append(DiffRow("removed", left_no=i + 1, left=[(a[i], True)]))
                else:
                    rows.append(DiffRow("added", right_no=j + 1, right=[(b[j], True)]))
        shown_until = group[-1][2]
    if groups and shown_until < len(a):
        rows.append(DiffRow("skipped", skipped=len(a) - shown_until))
    return rows, truncated


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
        chosen = {d.version: d for d in GroupDocument.objects.filter(
            group=group, kind=kind, version__in={a_no, b_no}).select_related("uploaded_by")}
        left, right = chosen[a_no], chosen[b_no]
        if not left.text.strip() or not right.text.strip():
            text_missing = True
        elif left.pk != right.pk:
            rows, truncated = text_diff_rows(
                left.text, right.text, context=None if request.GET.get("full") else CONTEXT_LINES)
    return render(request, "documents/compare.html", {
        "group": group, "kind": kind, "kind_label": GroupDocument.Kind(kind).label,
        "kinds": GroupDocument.Kind.choices, "versions": versions, "left": left, "right": right,
        "rows": rows, "truncated": truncated, "text_missing": text_missing,
        "problems": sorted(set(problems)), "full": bool(request.GET.get("full")),
        "identical": left is not None and not text_missing and not rows,
    })
