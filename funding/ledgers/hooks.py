"""What ledgers plug into the shared parts: the archive's statement kind (issue 9)."""

from django.utils.translation import gettext_lazy

from funding.ledgers.documents import STATEMENT
from funding.ledgers.permissions import can_view_ledger
from qingdao_groups.core.archive import register_document_kind

register_document_kind(STATEMENT, label=gettext_lazy("经费台账结算单"), can_view=can_view_ledger)
