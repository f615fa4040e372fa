"""What ledgers plug into the shared parts (issue 9): the archive's statement kind, and the work
list: a draft ledger waits for the paying authority's staff to confirm it, a confirmed one for
the city finance bureau's reviewers to lock it (policy F-1, F-2, F-4). The policy sets no time
for either step, so the items carry no deadline."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.ledgers.documents import STATEMENT
from funding.ledgers.models import Ledger
from funding.ledgers.permissions import can_view_ledger
from funding.ledgers.workflows import LedgerStatus
from members.models import User
from qingdao_groups.core.archive import register_document_kind
from qingdao_groups.core.inbox import (
    InboxItem,
    InboxSource,
    WorkFilter,
    day,
    register_inbox_provider,
)
from qingdao_groups.core.labels import url_maker

register_document_kind(STATEMENT, label=gettext_lazy("经费台账结算单"), can_view=can_view_ledger)


def ledger_title(ledger: Ledger) -> str:
    title = _("%(group)s %(year)s 年度经费台账") % {
        "group": ledger.group.name,
        "year": ledger.fiscal_year,
    }
    if ledger.sequence > 1:
        title += _("（补充第 %(n)s 号）") % {"n": ledger.sequence - 1}
    return title


def _narrow(rows, flt: WorkFilter):
    """The work list's filters in the database (a nation has thousands of ledgers a year)."""
    if flt.district:
        rows = rows.filter(authority__district_id=flt.district)
    if flt.due in ("overdue", "week"):
        rows = rows.none()  # no deadline: the policy sets none for these steps
    return rows


def _inbox(user: User) -> list[InboxItem] | InboxSource:
    """Drafts for the paying authority's staff to confirm; confirmed ledgers for the finance
    reviewers to lock. One query for the rows shown, one to count them."""
    detail = url_maker("funding:ledger-detail")
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        kind, key, status = _("待确认经费台账"), "ledger-confirm", LedgerStatus.DRAFT
        rows = Ledger.objects.filter(authority_id=user.authority_id, status=status)
        waits_for = user.authority.name if user.authority else ""
    elif user.is_finance_reviewer:
        kind, key, status = _("待锁定经费台账"), "ledger-lock", LedgerStatus.CONFIRMED
        rows = Ledger.objects.filter(status=status)
        waits_for = _("市财政局审核人员")
    else:
        return []
    since_field = "confirmed_at" if status == LedgerStatus.CONFIRMED else "computed_at"
    rows = rows.select_related("group", "authority").order_by(since_field, "id")

    def item(ledger: Ledger) -> InboxItem:
        since = ledger.confirmed_at if status == LedgerStatus.CONFIRMED else ledger.computed_at
        return InboxItem(
            kind,
            ledger_title(ledger),
            day(since or ledger.computed_at),
            detail(ledger.pk),
            _("%(authority)s 应付 %(amount)s 元")
            % {
                "authority": ledger.authority.name,
                "amount": f"{ledger.total:,.2f}",
            },
            key=key,
            waits_for=waits_for,
            district=ledger.authority.district_id or "",
            group=ledger.group.name,
        )

    return InboxSource(kind, rows, item, key=key, narrow=_narrow)


register_inbox_provider("ledgers", _inbox, models=(Ledger,))
