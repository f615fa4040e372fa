"""What filings contribute to the shared parts: their documents (the policy text or other
material of a district's filing, policy D-1, D-2, L-2), readable by whoever may see the filing,
and the filings awaiting a person: the city confirms, a district refiles what was returned."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.filings.documents import RECEIPT
from groups.filings.exports import FILINGS_EXPORT
from groups.filings.models import Filing
from groups.filings.permissions import FILING_UPLOAD_KINDS
from groups.filings.selectors import (
    filing_deadline,
    filing_get_for_user,
    filing_list_for_user,
    filings_due_by,
)
from groups.filings.workflows import FilingStatus
from groups.registry.models import PolicyParameters
from members.models import Authority, User
from qingdao_groups.core.archive import register_document_kind
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.exports import register_export
from qingdao_groups.core.inbox import (
    InboxItem,
    InboxSource,
    WorkFilter,
    day,
    register_inbox_provider,
    url_or_blank,
)
from qingdao_groups.core.labels import url_maker
from qingdao_groups.core.notifications import city_staff, staff_of
from qingdao_groups.core.reminders import (
    WATCH_PER_SOURCE,
    RemindSource,
    Waiting,
    register_remind_source,
)
from qingdao_groups.core.request_cache import cached


def _sees(user, f: Filing) -> bool:
    return filing_list_for_user(user=user).filter(pk=f.pk).exists()


register_document_owner(Filing, can_view=_sees, upload_kinds=FILING_UPLOAD_KINDS)
# The 备案回执 of an acknowledged filing (policy L-2, D-1, D-2; issue 8): whoever may see it.
register_document_kind(RECEIPT, label=gettext_lazy("备案回执"), can_view=_sees)


def _narrow(rows, flt: WorkFilter):
    """The work list's filters in the database (the city may have hundreds of filings)."""
    if flt.district:
        rows = rows.filter(authority__district_id=flt.district)
    today = timezone.localdate()
    if flt.due == "overdue":
        rows = filings_due_by(rows, today - datetime.timedelta(days=1))
    elif flt.due == "week":
        rows = filings_due_by(rows, today + datetime.timedelta(days=7))
    elif flt.due == "none":
        rows = rows.none()  # every filing awaiting the city has a deadline
    return rows


def _inbox(user: User) -> list[InboxItem] | InboxSource:
    """Policy L-2, D-1, D-2: the city confirms filings, each due by filing_deadline (late
    projects flagged); a district sees the filings the city returned to it (no deadline: when
    to refile is the district's call)."""
    if user.role not in User.AUTHORITY_ROLES or not user.authority_id:
        return []
    if user.is_city_staff:
        detail = url_maker("filings:filing-detail")
        city = user.authority.name if user.authority else ""
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
                f.authority.name + (_("（未提前报备，政策 D-2）") if f.is_late else ""),
                key="filing",
                waits_for=city,
                deadline=filing_deadline(f),
                district=f.authority.district_id or "",
                group="",
                target=f"filing:{f.pk}",
                ackable=True,
                version=f.version,
            ),
            key="filing",
            narrow=_narrow,
        )
    return [
        InboxItem(
            _("报备被退回"),
            f.title,
            day(f.handled_at or f.filed_on),
            url_or_blank("filings:filing-detail", f.pk),
            f.remarks,
            key="filing-returned",
            waits_for=f.authority.name,
            district=f.authority.district_id or "",
            target=f"filing:{f.pk}",
        )
        for f in Filing.objects.filter(
            authority_id=user.authority_id, status=FilingStatus.RETURNED
        ).select_related("authority")
    ]


register_inbox_provider("filings", _inbox, models=(Filing,))


def _city_name() -> str:
    """The city bureau's name as recorded (a name, not a text of the system: it reads the same
    in every language and in the reminders' log)."""
    return cached(
        ("city-bureau-name",),
        lambda: (
            Authority.objects.filter(kind=Authority.Kind.CITY)
            .values_list("name", flat=True)
            .first()
            or _("市教育局")
        ),
    )


def _waiting(filing: Filing) -> Waiting | None:
    """A filing with the city waits for the city's staff (due by filing_deadline, policy L-2,
    D-1, D-2); a returned one for the filing authority's staff (no deadline)."""
    url = url_or_blank("filings:filing-detail", filing.pk)
    what = _("报备“%(title)s”") % {"title": filing.title}
    if filing.status == FilingStatus.FILED:
        return Waiting(city_staff(), _city_name(), what, url, filing_deadline(filing))
    if filing.status == FilingStatus.RETURNED:
        return Waiting(staff_of(filing.authority_id), filing.authority.name, what, url)
    return None


def _watched(user: User) -> list[InboxItem]:
    """A district's filings waiting for the city (due by filing_deadline, policy L-2, D-1,
    D-2); for the city, the filings it returned, waiting for their districts."""
    if user.role not in User.AUTHORITY_ROLES or not user.authority_id:
        return []
    if user.is_city_staff:
        rows = Filing.objects.filter(status=FilingStatus.RETURNED)
    else:
        rows = Filing.objects.filter(authority_id=user.authority_id, status=FilingStatus.FILED)
    params = PolicyParameters.for_request()
    items = []
    for f in rows.select_related("authority").order_by("filed_on", "pk")[:WATCH_PER_SOURCE]:
        filed = f.status == FilingStatus.FILED
        items.append(
            InboxItem(
                f.get_status_display(),
                f.title,
                f.filed_on if filed else day(f.handled_at or f.filed_on),
                url_or_blank("filings:filing-detail", f.pk),
                f.authority.name,
                key=f"watch-filing-{f.status}",
                waits_for=_city_name() if filed else f.authority.name,
                deadline=filing_deadline(f, params) if filed else None,
                district=f.authority.district_id or "",
                target=f"filing:{f.pk}",
            )
        )
    return items


register_remind_source(
    RemindSource(
        "filing",
        Filing,
        lambda user, pk: filing_get_for_user(user=user, filing_id=pk),
        _waiting,
        lambda: (
            Filing.objects.filter(status=FilingStatus.FILED)
            .select_related("authority")
            .order_by("pk")
        ),
        is_open=lambda f: f.status in (FilingStatus.FILED, FilingStatus.RETURNED),
        watched=_watched,
    )
)

# The list's export (issue 8): the one export helper of qingdao_groups.core.exports.
register_export(FILINGS_EXPORT)

# --- The auditors' desk (issue 10): a filing concerns its group --------------------------------
from qingdao_groups.core.audit import register_audit_kind  # noqa: E402

register_audit_kind(Filing, group="group_id")
