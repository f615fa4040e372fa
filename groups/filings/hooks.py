"""What filings contribute to the shared parts: their documents (the policy text or other
material of a district's filing, policy D-1, D-2, L-2), readable by whoever may see the filing."""

from groups.filings.models import Filing
from groups.filings.permissions import FILING_UPLOAD_KINDS
from groups.filings.selectors import filing_list_for_user
from qingdao_groups.core.documents import register_document_owner

register_document_owner(
    Filing,
    can_view=lambda user, f: filing_list_for_user(user=user).filter(pk=f.pk).exists(),
    upload_kinds=FILING_UPLOAD_KINDS)
