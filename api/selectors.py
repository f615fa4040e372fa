"""The API's scoped reads (issue 11). Each list is the pages' own selector (the same scope, so a
client sees exactly what a person of its role and unit sees); where a page shows one group or
one cycle at a time, the scope across all of them is written here next to the rule it mirrors,
and tests/api/test_scope_agrees.py checks it against that rule row by row."""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from assessments.reports.models import Report
from assessments.reports.permissions import can_view_report
from funding.ledgers.models import Ledger
from groups.registry.models import EducationGroup, Membership
from groups.registry.selectors import group_list_for_user
from members.models import User
from qingdao_groups.models import OfficialDocument

DOCUMENT_FIELDS = ("id", "owner_type", "owner_id", "kind", "number", "code", "sha256", "size")


def groups_as_of(*, user: User, day: datetime.date) -> QuerySet[EducationGroup]:
    """The groups `user` sees on `day` (policy G-1), each with `members_on_day`: the core and
    member schools in force that day. Two queries for a page whatever its size (the groups, the
    memberships of the page's groups), plus the scope's own."""
    members = (
        Membership.objects.active_on(day)
        .select_related("school")
        .order_by("role", "joined_on", "id")
    )
    return group_list_for_user(user=user, today=day).prefetch_related(
        Prefetch("memberships", queryset=members, to_attr="members_on_day")
    )


def ledger_scope_q(user: User) -> Q | None:
    """The ledgers `user` may read: funding.ledgers.permissions.can_view_ledger over all of them
    (everything for those who see everything, except the staffing readers; the group's
    approving authority and the paying authority; the core school's principal, policy F-3)."""
    if user.is_staffing_reader:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    q = Q(pk__in=[])
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        q = Q(group__authority_id=user.authority_id) | Q(authority_id=user.authority_id)
    elif user.is_principal and user.school_id:
        q = Q(group__core_school_id=user.school_id)
    return q


def ledger_list_for_user(*, user: User) -> QuerySet[Ledger]:
    qs = Ledger.objects.select_related("group", "authority")
    q = ledger_scope_q(user)
    return qs if q is None else qs.filter(q)


def report_list_for_user(*, user: User) -> QuerySet[Report]:
    """The published reports `user` may read (assessments.reports.permissions.can_view_report):
    all for those who see everything; for an authority, its own cycles' reports, the city's
    summaries, its district summary and its groups'; for a school, its groups' reports, decided
    per report by the rule itself (a school has a handful)."""
    qs = Report.objects.select_related("cycle", "group", "authority").prefetch_related(
        Prefetch("documents", queryset=OfficialDocument.objects.only(*DOCUMENT_FIELDS))
    )
    if user.sees_everything:
        return qs
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        a = user.authority_id
        return qs.filter(
            Q(cycle__authority_id=a)
            | Q(scope=Report.Scope.CITY)
            | Q(scope=Report.Scope.DISTRICT, authority_id=a)
            | Q(scope=Report.Scope.GROUP, group__authority_id=a)
        )
    if user.is_principal and user.school_id:
        groups = Membership.objects.filter(school_id=user.school_id).values("group_id")
        candidates = qs.filter(scope=Report.Scope.GROUP, group_id__in=groups).order_by("id")
        return qs.filter(pk__in=[r.pk for r in candidates if can_view_report(user, r)])
    return qs.none()


def today() -> datetime.date:
    return timezone.localdate()
