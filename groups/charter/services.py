"""Writes of a group's versioned charter, rules, plans and agreements (issue 3 "Documents";
policy L-1, G-4, L-8). Workflow attachments (any owner's) are stored by
qingdao_groups.core.documents.attachment_add.

Every file is validated by content before anything is stored (qingdao_groups/core/uploads.py);
a refused file leaves nothing on disk and no row. Stored names are generated, never the
user's."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.applications.models import Application
from groups.charter.models import GroupDocument
from groups.charter.permissions import can_manage_group_documents
from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.core.documents import next_version as _next_version
from qingdao_groups.core.documents import validated_upload as _validated
from qingdao_groups.core.messages import label, msg
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.uploads import UploadInfo, generated_name
from qingdao_groups.core.workflow import stamp
from qingdao_groups.models import Attachment

# Founding documents that become the group's own on approval (policy L-1).
ADOPTABLE_KINDS = (Attachment.Kind.CHARTER, Attachment.Kind.PLAN, Attachment.Kind.AGREEMENT)
# Kinds a group records itself after founding: charter (G-4) and management rules (L-8).
GROUP_UPLOAD_KINDS = (GroupDocument.Kind.CHARTER, GroupDocument.Kind.RULES)


def _store_group_file(group: EducationGroup, kind: str, uploaded_file, info: UploadInfo) -> str:
    storage = GroupDocument._meta.get_field("file").storage
    return storage.save(
        f"documents/{group.pk}/{kind}/{generated_name(info.extension)}",
        info.stored_file(uploaded_file),
    )


def group_document_add(
    *,
    group: EducationGroup,
    kind: str,
    uploaded_file,
    title: str,
    adopted_on: datetime.date,
    actor: User,
) -> GroupDocument:
    """Record a new version of a group's charter (policy G-4) or internal management rules
    (policy L-8). Permission: can_manage_group_documents (the core principal or the staff of the
    group's authority)."""
    require(can_manage_group_documents(actor, group))
    if kind not in GROUP_UPLOAD_KINDS:
        raise RuleRefusal(_("只能登记集团章程或内部管理制度的新版本。"), field="kind")
    title = (title or "").strip()
    if not title:
        raise RuleRefusal(_("请填写标题。"), field="title")
    if adopted_on is None:
        raise RuleRefusal(_("请填写通过日期。"), field="adopted_on")
    if adopted_on > timezone.localdate():
        raise RuleRefusal(_("通过日期不能晚于今天。"), field="adopted_on")
    info, text = _validated(uploaded_file)
    return _group_document_store(
        group=group,
        kind=kind,
        title=title,
        adopted_on=adopted_on,
        uploaded_file=uploaded_file,
        info=info,
        text=text,
        actor=actor,
    )


@transaction.atomic
def _group_document_store(
    *,
    group: EducationGroup,
    kind: str,
    title: str,
    adopted_on: datetime.date,
    uploaded_file,
    info: UploadInfo,
    text: str,
    actor: User,
) -> GroupDocument:
    group = EducationGroup.objects.select_for_update().get(pk=group.pk)
    require(can_manage_group_documents(actor, group))  # re-checked on the locked row
    document = GroupDocument(
        group=group,
        kind=kind,
        version=_next_version(group.documents.filter(kind=kind)),
        title=title[:200],
        original_name=info.original_name,
        text=text,
        adopted_on=adopted_on,
        uploaded_by=actor,
    )
    document.file.name = _store_group_file(group, kind, uploaded_file, info)
    try:
        stamp(
            document,
            actor=actor,
            reason=msg(
                "reason.document_registered",
                kind=label(GroupDocument.Kind(document.kind).label),
                v=document.version,
            ),
        )
        document.save()
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def group_document_from_attachment(
    *,
    group: EducationGroup,
    attachment: Attachment,
    adopted_on: datetime.date,
    actor: User,
    title: str = "",
    now: datetime.datetime | None = None,
) -> GroupDocument:
    """When a founding is approved, its plan, cooperation agreement and charter become the new
    group's documents (policy L-1, G-4): a new GroupDocument version of the same kind pointing
    at the same stored file, with the extracted text. Called by the approving service."""
    require(can_manage_group_documents(actor, group))
    if attachment.kind not in ADOPTABLE_KINDS:
        raise RuleRefusal(_("只有集团化办学方案、合作办学协议和集团章程可以成为集团文件。"))
    if attachment.owner_type_id != ContentType.objects.get_for_model(Application).pk:
        raise RuleRefusal(_("只有申请中的文件可以成为集团文件。"))
    application_group_id = (
        Application.objects.filter(pk=attachment.owner_id)
        .values_list("group_id", flat=True)
        .first()
    )
    if application_group_id is not None and application_group_id != group.pk:
        raise RuleRefusal(_("该文件属于另一个集团的申请。"))
    group = EducationGroup.objects.select_for_update().get(pk=group.pk)
    kind = str(attachment.kind)
    document = GroupDocument(
        group=group,
        kind=kind,
        version=_next_version(group.documents.filter(kind=kind)),
        title=(title or str(GroupDocument.Kind(kind).label))[:200],
        original_name=attachment.original_name,
        text=attachment.text,
        adopted_on=adopted_on,
        uploaded_by=actor,
        uploaded_at=now or timezone.now(),
    )
    document.file.name = attachment.file.name  # the same stored file; nothing is copied
    stamp(
        document,
        actor=actor,
        now=document.uploaded_at,
        reason=msg(
            "reason.document_from_application",
            kind=label(GroupDocument.Kind(document.kind).label),
            v=document.version,
        ),
    )
    document.save()
    return document
