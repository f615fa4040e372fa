"""Permission-matrix rows of the document pages (issue 3 "Documents").

A group document is visible to whoever may see its group; an attachment to whoever may see its
application, card or filing; anything else is 404 (not 403), so a swapped id reveals nothing.
Uploading a new charter/rules version is for the core principal and the group's authority staff
(can_manage_group_documents, policy G-4, L-8)."""

import datetime

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin"]
ALL_OK = dict.fromkeys(ROLES, 200) | {"anon": 302}
OTHER_READ = {
    "anon": 302,
    "city": 200,
    "district": 404,
    "principal": 404,
    "member": 404,
    "auditor": 200,
    "admin": 200,
}
# Only the core principal and the 市南 bureau (the group's authority) may upload; the city sees
# a 市南 group but does not manage its charter; auditors change nothing.
UPLOAD_OWN = {
    "anon": 302,
    "city": 403,
    "district": 200,
    "principal": 200,
    "member": 403,
    "auditor": 403,
    "admin": 403,
}
UPLOAD_OTHER = OTHER_READ | {"city": 403, "auditor": 403, "admin": 403}
# The founding application of the world's core school: its applicant (principal), its deciding
# authority (district) and the city see it; the member school's principal does not.
APPLICATION_OWN = ALL_OK | {"member": 404}
# A filing by the 市南 bureau: the city and the filing district only.
FILING_OWN = OTHER_READ | {"district": 200}


def _group(world, which):
    return world.group if which == "own" else world.other_group


def _stored(name: str, data: bytes = b"%PDF-1.4\n%%EOF\n") -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    return default_storage.save(name, ContentFile(data))


def group_kwargs(world, which):
    return {"group_id": _group(world, which).pk}


def group_document_kwargs(world, which):
    from groups.charter.models import GroupDocument

    group = _group(world, which)
    document = GroupDocument.objects.create(
        group=group,
        kind=GroupDocument.Kind.CHARTER,
        version=1,
        title="章程",
        adopted_on=datetime.date(2020, 1, 1),
        original_name="章程.pdf",
        file=_stored(f"documents/{group.pk}/charter/matrix.pdf"),
    )
    return {"document_id": document.pk}


def _attachment(world, **owner):
    from qingdao_groups.models import Attachment

    return Attachment.objects.create(
        **owner,
        kind=Attachment.Kind.EVIDENCE,
        file=_stored("attachments/2026/01/matrix.pdf"),
        original_name="证明.pdf",
        content_type="application/pdf",
        size=15,
        sha256="0" * 64,
        uploaded_by=world.users["admin"],
    )


def application_attachment_kwargs(world, which):
    from groups.applications.models import Application

    core = world.core if which == "own" else world.other_core
    authority = world.shinan if which == "own" else world.laoshan
    application = Application.objects.create(
        kind=Application.Kind.FOUNDING,
        applicant_school=core,
        deciding_authority=authority,
        created_by=world.users["admin"],
        proposed_name="拟成立集团",
    )
    return {"attachment_id": _attachment(world, owner=application).pk}


def card_attachment_kwargs(world, which):
    from groups.cards.models import Card
    from groups.registry.models import Membership

    group = _group(world, which)
    membership = Membership.objects.get(group=group, role=Membership.Role.MEMBER)
    card = Card.objects.create(
        membership=membership,
        group=group,
        level=Card.Level.YELLOW,
        status=Card.Status.YELLOW_ISSUED,
        ground=Card.Ground.AGREEMENT,
        description="未履行协议",
        issued_by=world.users["admin"],
    )
    return {"attachment_id": _attachment(world, owner=card).pk}


def filing_attachment_kwargs(world, which):
    from groups.filings.models import Filing

    filing = Filing.objects.create(
        authority=world.shinan if which == "own" else world.laoshan,
        kind=Filing.Kind.POLICY,
        title="配套政策",
        filed_on=datetime.date(2025, 1, 1),
        filed_by=world.users["admin"],
    )
    return {"attachment_id": _attachment(world, owner=filing).pk}


ROWS = [
    ("documents:group-documents", "own", "get", ALL_OK, group_kwargs),
    ("documents:group-documents", "other", "get", OTHER_READ, group_kwargs),
    ("documents:group-documents", "own", "post", UPLOAD_OWN, group_kwargs),
    ("documents:group-documents", "other", "post", UPLOAD_OTHER, group_kwargs),
    ("documents:compare", "own", "get", ALL_OK, group_kwargs),
    ("documents:compare", "other", "get", OTHER_READ, group_kwargs),
    ("documents:group-document-download", "own", "get", ALL_OK, group_document_kwargs),
    ("documents:group-document-download", "other", "get", OTHER_READ, group_document_kwargs),
    ("attachments:download", "own", "get", APPLICATION_OWN, application_attachment_kwargs),
    ("attachments:download", "other", "get", OTHER_READ, application_attachment_kwargs),
    # Cards are seen by everyone who sees the group, the warned member included.
    ("attachments:download", "own", "get", ALL_OK, card_attachment_kwargs),
    ("attachments:download", "other", "get", OTHER_READ, card_attachment_kwargs),
    ("attachments:download", "own", "get", FILING_OWN, filing_attachment_kwargs),
    ("attachments:download", "other", "get", OTHER_READ, filing_attachment_kwargs),
]

# POST in a state where the action is not allowed (tests/test_permission_matrix.py): a group's
# documents have no state that refuses a new version.
WRONG_STATE: dict = {}
POST_WITHOUT_STATE = {"documents:group-documents"}
READ_ONLY = {"documents:compare", "documents:group-document-download", "attachments:download"}
