"""Documents any model can own (issue 6 "shared parts"): the attachment set of an owner, its
upload service and its permission-checked download.

A feature makes one of its models an owner from its hooks module:

    register_document_owner(Card, can_view=…, upload_kinds=…)

`can_view(user, owner) -> bool` is the owner's own visibility rule (whoever may see the card may
read its documents; everyone else gets 404); `upload_kinds` is a collection of
Attachment.Kind values, or `(user, owner) -> collection`, naming what that user may add to that
owner. Whether the owner's state still takes documents (a submitted application is frozen) is
the calling feature service's rule, checked on its locked row before it calls attachment_add.

Every file is validated by content before anything is stored (qingdao_groups/core/uploads.py);
a refused file leaves nothing on disk and no row. Stored names are generated, never the
user's. Files are never served from MEDIA_URL: `file_response` sends them as attachments with
`nosniff` and a sandboxing CSP."""

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from qingdao_groups.core.messages import msg
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.uploads import (
    CONTENT_TYPES,
    EXTENSIONS,
    UploadInfo,
    clean_original_name,
    download_name,
    extract_text,
    generated_name,
    sniff,
    upload_limit_bytes,
    validate_upload,
)
from qingdao_groups.core.workflow import stamp
from qingdao_groups.models import Attachment

KindsRule = Collection[str] | Callable[[User, models.Model], Collection[str]]


@dataclass(frozen=True)
class DocumentOwner:
    model: type[models.Model]
    can_view: Callable[[User, models.Model], bool]
    upload_kinds: KindsRule

    def kinds_for(self, user: User, owner: models.Model) -> Collection[str]:
        kinds = self.upload_kinds
        return kinds(user, owner) if callable(kinds) else kinds


_OWNERS: dict[type[models.Model], DocumentOwner] = {}


def register_document_owner(
    model: type[models.Model],
    *,
    can_view: Callable[[User, models.Model], bool],
    upload_kinds: KindsRule,
) -> None:
    """Called from a feature's hooks module (loaded in AppConfig.ready); idempotent by model."""
    _OWNERS[model] = DocumentOwner(model, can_view, upload_kinds)


def document_owner(model: type[models.Model]) -> DocumentOwner | None:
    return _OWNERS.get(model)


def _owner_spec(owner: models.Model) -> DocumentOwner:
    model = type(owner)._meta.concrete_model
    spec = _OWNERS.get(model) if model is not None else None
    if spec is None:
        raise TypeError(f"{type(owner).__name__} is not a registered document owner")
    return spec


# --- Shared steps -----------------------------------------------------------------------------


def validated_upload(uploaded_file) -> tuple[UploadInfo, str]:
    """Validate by content and extract the text; run before any row is locked (pdftotext may
    take seconds)."""
    info = validate_upload(uploaded_file, max_bytes=upload_limit_bytes())
    return info, extract_text(uploaded_file, info.content_type)


def next_version(qs: QuerySet) -> int:
    return (qs.aggregate(m=Max("version"))["m"] or 0) + 1


# --- Reads ----------------------------------------------------------------------------------


def attachments_of(owner: models.Model) -> QuerySet[Attachment]:
    """The attachment set of any owner (a registered model need not declare a relation)."""
    return Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
    )


def attachment_get_for_user(user: User, attachment_id: int) -> Attachment:
    """An attachment is visible to whoever may see its owner, by the owner's registered rule;
    404 otherwise, so a swapped id reveals nothing."""
    try:
        attachment = Attachment.objects.select_related("owner_type").get(pk=attachment_id)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc
    model = attachment.owner_type.model_class()
    spec = _OWNERS.get(model) if model is not None else None
    owner = attachment.owner if spec is not None else None
    if spec is None or owner is None or not spec.can_view(user, owner):
        raise Http404
    return attachment


# --- Writes ---------------------------------------------------------------------------------


def attachment_add(
    *,
    owner: models.Model,
    kind: str,
    uploaded_file,
    actor: User,
    now: datetime.datetime | None = None,
) -> Attachment:
    """Store a document of a registered owner (the founding plan, agreement and charter of
    policy L-1, the agreement of L-3, card evidence and rectification of L-6, a district's
    filing of D-1/D-2) as the next version of its kind for that owner.

    The calling feature service checks who may act in which state; this one checks that the
    owner's rule lets the actor see it and add this kind, validates the file by content and
    stores it under a generated name (attachments/<year>/<month>/<uuid>.<ext>) with its SHA-256,
    size, type and extracted text."""
    spec = _owner_spec(owner)
    if kind not in Attachment.Kind.values:
        raise RuleRefusal(_("未知的附件类别。"), field="kind")
    if actor.is_read_only:
        raise PermissionDenied(_("审计人员只能查看，不能修改。"))
    if not spec.can_view(actor, owner):
        raise PermissionDenied(_("无权为该事项上传附件。"))
    if kind not in spec.kinds_for(actor, owner):
        raise RuleRefusal(_("无权上传该类材料。"), field="kind")
    info, text = validated_upload(uploaded_file)
    return _attachment_store(
        owner=owner,
        kind=kind,
        uploaded_file=uploaded_file,
        info=info,
        text=text,
        actor=actor,
        now=now or timezone.now(),
    )


@transaction.atomic
def _attachment_store(
    *,
    owner: models.Model,
    kind: str,
    uploaded_file,
    info: UploadInfo,
    text: str,
    actor: User,
    now: datetime.datetime,
) -> Attachment:
    # Lock the owner so that two uploads of the same kind cannot take the same version.
    type(owner)._default_manager.select_for_update().only("pk").get(pk=owner.pk)
    attachment = Attachment(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        kind=kind,
        version=next_version(attachments_of(owner).filter(kind=kind)),
        original_name=info.original_name,
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
        text=text,
        uploaded_by=actor,
        uploaded_at=now,
    )
    # The re-encoded image when the upload was one (issue 12), else the upload as it came.
    attachment.file.save(
        generated_name(info.extension), info.stored_file(uploaded_file), save=False
    )
    try:
        # The history's reason names the file briefly; the whole name is in original_name.
        stamp(
            attachment,
            actor=actor,
            now=now,
            reason=msg(
                "reason.attachment_uploaded",
                name=clean_original_name(info.original_name, max_length=60),
            ),
        )
        attachment.save()
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


# --- Downloads ------------------------------------------------------------------------------


def stored_content_type(field_file) -> tuple[str, str]:
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


def file_response(
    field_file, *, original_name: str, content_type: str, extension: str
) -> FileResponse:
    """A stored file as a download: never rendered by the browser, never cached."""
    if not field_file or not field_file.name:
        raise Http404
    try:
        fh = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        fh,
        as_attachment=True,
        content_type=content_type,
        filename=download_name(original_name, extension),
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were persuaded to render it, the file may run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def attachment_response(user: User, attachment_id: int) -> FileResponse:
    attachment = attachment_get_for_user(user, attachment_id)
    from qingdao_groups.core.audit import export_record_read_only_download

    # An auditor's download is recorded (policy A-1: who took what away).
    export_record_read_only_download(
        actor=user,
        kind="file",
        key=f"attachment:{attachment.kind}",
        label=f"#{attachment.pk} {attachment.original_name}",
    )
    return file_response(
        attachment.file,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        extension=EXTENSIONS.get(attachment.content_type, ""),
    )
