"""Scoped reads of dispatched staff (policy F-4), with the figures the ledger will use."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from funding import rules
from funding.dispatches.models import Dispatch
from funding.dispatches.permissions import sees_all_dispatches
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_get_for_user
from members.models import User
from qingdao_groups.core.queries import by_key


def dispatch_list_for_group(*, user: User, group: EducationGroup) -> QuerySet[Dispatch]:
    """The group's dispatches the user may see, current and past, newest first: all of them for
    those who see the group's money; a member principal those to their school; a district's
    staff those to the schools under their authority (policy F-4)."""
    qs = Dispatch.objects.filter(group=group).select_related(
        "membership__school__authority", "group__core_school"
    )
    if sees_all_dispatches(user, group):
        return qs
    if user.is_principal and user.school_id:
        return qs.filter(membership__school_id=user.school_id)
    if user.is_district_staff and user.authority_id:
        return qs.filter(membership__school__authority_id=user.authority_id)
    return qs.none()


def dispatch_get_for_user(*, user: User, dispatch_id: int) -> Dispatch:
    """One dispatch of a group the user sees, if the user may see it; 404 otherwise. Its
    `group` is the one group_get_for_user loaded (with its memberships)."""
    try:
        group_id = by_key(Dispatch.objects.only("group_id"), dispatch_id).group_id
    except Dispatch.DoesNotExist as exc:
        raise Http404 from exc
    group = group_get_for_user(user=user, group_id=group_id)
    try:
        dispatch = by_key(dispatch_list_for_group(user=user, group=group), dispatch_id)
    except Dispatch.DoesNotExist as exc:
        raise Http404 from exc
    dispatch.group = group
    return dispatch


def overlapping_year(qs: QuerySet[Dispatch], year: int) -> QuerySet[Dispatch]:
    """Dispatches that serve at least one day of the fiscal year (as the ledger reads them)."""
    first, last = rules.year_bounds(year)
    return qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first), starts_on__lte=last)


@dataclass(frozen=True)
class YearFigure:
    """What the ledger of `year` will hold for one dispatch (policy F-4): months counted, the
    member authority's monthly allowance, the amount, the formula; `rated` False when that
    authority has no rate table for the year."""

    months: int
    monthly: Decimal | None
    amount: Decimal
    formula: str
    rated: bool

    @property
    def amount_text(self) -> str:
        return rules.money_text(self.amount)

    @property
    def monthly_text(self) -> str:
        return rules.money_text(self.monthly) if self.monthly is not None else ""


def _facts(dispatch: Dispatch) -> rules.DispatchFacts:
    membership = dispatch.membership
    school = membership.school
    core = dispatch.group.core_school
    member = rules.MemberFacts(
        membership_id=membership.pk,
        group_id=dispatch.group_id,
        school_id=school.pk,
        school_name=school.name,
        school_nature=school.nature,
        school_stage=school.stage,
        school_authority_id=school.authority_id,
        school_authority_name=school.authority.name,
        core_school_id=core.pk,
        core_school_name=core.name,
        core_authority_id=core.authority_id,
        core_authority_name="",
        joined_on=membership.joined_on,
        left_on=membership.left_on,
    )
    return rules.DispatchFacts(
        dispatch_id=dispatch.pk,
        member=member,
        person_name=dispatch.person_name,
        role_label=str(dispatch.get_role_display()),
        starts_on=dispatch.starts_on,
        ends_on=dispatch.ends_on,
    )


def year_figure(dispatch: Dispatch, year: int, rates: dict[int, rules.Rates]) -> YearFigure:
    """The dispatch's F-4 line of `year`, computed by the ledger's own rule
    (`rules.dispatch_lines`) at the member authority's rates of that year (no query: `rates`
    is `funding.ledgers.inputs.rates_for_year(year)`)."""
    member_rates = rates.get(dispatch.membership.school.authority_id)
    lines = rules.dispatch_lines(year, _facts(dispatch), member_rates)
    if not lines:
        return YearFigure(0, None, rules.ZERO, "", member_rates is not None)
    line = lines[0]
    monthly = (
        member_rates.transport_per_month + member_rates.lodging_per_month if member_rates else None
    )
    return YearFigure(
        months=int(line.inputs.get("months", 0)),
        monthly=monthly,
        amount=line.amount,
        formula=line.formula,
        rated=member_rates is not None,
    )


def dispatch_state(dispatch: Dispatch, today: datetime.date) -> str:
    """upcoming / serving / ended on `today`."""
    if dispatch.starts_on > today:
        return "upcoming"
    if dispatch.ends_on is not None and dispatch.ends_on < today:
        return "ended"
    return "serving"
