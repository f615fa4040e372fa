"""What filings contribute to the shared parts: their documents (the policy text or other
material of a district's filing, policy D-1, D-2, L-2), readable by whoever may see the filing,
and the filings awaiting a person: the city confirms, a district refiles what was returned."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.filings.documents import RECEIPT
from groups.filings.models import Filing
from groups.filings.permissions import FILING_UPLOAD_KINDS
from groups.filings.selectors import filing_list_for_user
from groups.filings.workflows import FilingStatus
from members.models import User
from qingdao_groups.core.archive import register_document_kind
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.inbox import (
    InboxItem,
    InboxSource,
    day,
    register_inbox_provider,
    url_or_blank,
)
from qingdao_groups.core.labels import url_maker


def _sees(user, f: Filing) -> bool:
    return filing_list_for_user(user=user).filter(pk=f.pk).exists()


register_document_owner(Filing, can_view=_sees, upload_kinds=FILING_UPLOAD_KINDS)
# The 备案回执 of an acknowledged filing (policy L-2, D-1, D-2; issue 8): whoever may see it.
register_document_kind(RECEIPT, label=gettext_lazy("备案回执"), can_view=_sees)


def _inbox(user: User) -> list[InboxItem] | InboxSource:
    """Policy L-2, D-1, D-2: the city confirms filings (late ones flagged); a district sees the
    filings the city returned to it."""
    if user.role not in User.AUTHORITY_ROLES or not user.authority_id:
        return []
    if user.is_city_staff:
        detail = url_maker("filings:filing-detail")
        return InboxSource(
            _("待确认报备"),
            Filing.objects.filter(status=FilingStatus.FILED)
            .select_related("authority")
            .order_by("filed_on", "id"),
            lambda f: InboxItem(
                _("待确认报备"),
                f.title,
                f.filed_on,
                detail(f.pk),
                f.authority.name,
                overdue=f.is_late,
            ),
        )
    return [
        InboxItem(
            _("报备被退回"),
            f.title,
            day(f.handled_at or f.filed_on),
            url_or_blank("filings:filing-detail", f.pk),
            f.remarks,
        )
        for f in Filing.objects.filter(authority_id=user.authority_id, status=FilingStatus.RETURNED)
    ]


register_inbox_provider("filings", _inbox)
