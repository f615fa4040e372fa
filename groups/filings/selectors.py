"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404

from groups.filings.models import Filing
from groups.filings.workflows import FilingStatus
from members.models import User


def filing_list_for_user(*, user: User) -> QuerySet[Filing]:
    """The city (and auditors) see every filing; a district sees its own."""
    qs = Filing.objects.select_related("authority", "group", "filed_by", "handled_by")
    if user.sees_everything:
        return qs
    if user.is_district_staff and user.authority_id:
        return qs.filter(authority_id=user.authority_id)
    return qs.none()


def filing_get_for_user(*, user: User, filing_id: int) -> Filing:
    try:
        return filing_list_for_user(user=user).get(pk=filing_id)
    except Filing.DoesNotExist as exc:
        raise Http404 from exc


def oldest_unhandled_first(qs):
    """Filings awaiting the city first, the longest-waiting at the top; then the handled ones,
    newest first."""
    pending = Case(
        When(status=FilingStatus.FILED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    waiting_since = Case(When(status=FilingStatus.FILED, then=F("filed_on")))
    return qs.annotate(pending=pending).order_by("pending", waiting_since, "-filed_on", "-id")
