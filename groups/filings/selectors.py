"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

import datetime

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from groups.filings.models import Filing
from groups.filings.workflows import FilingStatus
from groups.registry.models import PolicyParameters
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


def filing_deadline(filing: Filing, params=None) -> datetime.date:
    """When the city should have handled a filing. The policy sets no time for the city's
    answer (L-2, D-1); the authority's decision time of the policy parameters (decision_days)
    applies, as to its other decisions. A project filed ahead of its start (提前报备，稳妥实施,
    D-2) is due the day before it starts if that comes first: filing in advance is meant to let
    the city know before the project runs."""
    params = params or PolicyParameters.for_request()
    due = filing.filed_on + datetime.timedelta(days=params.decision_days)
    starts = filing.project_starts_on
    if filing.kind == Filing.Kind.PROJECT and starts is not None and starts > filing.filed_on:
        due = min(due, starts - datetime.timedelta(days=1))
    return due


def filings_due_by(qs: QuerySet[Filing], last_day: datetime.date, params=None) -> QuerySet[Filing]:
    """The filings of `qs` whose deadline (filing_deadline) is `last_day` or earlier, in the
    database: the work list's deadline filter over the city's many filings."""
    params = params or PolicyParameters.for_request()
    latest_filed = last_day - datetime.timedelta(days=params.decision_days)
    return qs.filter(
        Q(filed_on__lte=latest_filed)
        | Q(
            kind=Filing.Kind.PROJECT,
            project_starts_on__gt=F("filed_on"),
            project_starts_on__lte=last_day + datetime.timedelta(days=1),
        )
    )
