"""What funding/spending plugs into the shared parts: a spending owns its receipts (policy F-3),
readable by whoever sees the group's money, added by the core principal."""

from funding.spending.models import Spending
from funding.spending.permissions import can_view_spending, spending_upload_kinds
from qingdao_groups.core.documents import register_document_owner


def _sees(user, spending: Spending) -> bool:
    return can_view_spending(user, spending.group).allowed


register_document_owner(Spending, can_view=_sees, upload_kinds=spending_upload_kinds)
