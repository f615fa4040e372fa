"""What funding/agreements plugs into the shared parts: the agreement file as a document of the
agreement (whoever sees the agreement reads it; the core principal and the group's authority
upload it, policy F-2), and the receivable list's export."""

from funding.agreements.exports import RECEIVABLES_EXPORT
from funding.agreements.models import Agreement
from funding.agreements.permissions import can_manage_agreements
from funding.agreements.selectors import can_view_agreement
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.exports import register_export
from qingdao_groups.models import Attachment


def _upload_kinds(user, agreement: Agreement):
    if can_manage_agreements(user, agreement.group).allowed:
        return (Attachment.Kind.AGREEMENT,)
    return ()


register_document_owner(Agreement, can_view=can_view_agreement, upload_kinds=_upload_kinds)
register_export(RECEIVABLES_EXPORT)
