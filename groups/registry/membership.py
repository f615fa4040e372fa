"""The one answer to "who is a member on a day" (policy G-1; DESIGN.md).

A membership covers the days from `joined_on` up to, not including, `left_on`: `left_on` is the
first day the school is no longer a member, and an empty `left_on` means no end is recorded. A
period asked about (`first_day` … `last_day`) includes both its days. Every visibility rule,
count, card rule, council seat, inbox item and target asks this module, through the queryset
methods on `Membership.objects` (`active_on`, `current`, `overlapping`, `upcoming`) or the pure
functions below for one membership; nothing else compares `joined_on` or `left_on`.

A join or an exit approved for a later date is a state users see: 拟加入 before the join date
(not yet a member), 拟退出 from approval until the exit date (still a full member)."""

import datetime
from collections.abc import Iterator

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdao_groups.core.rules import ALLOW, Decision

ONE_DAY = datetime.timedelta(days=1)
MID_MONTH = 15  # a month counts when the membership covers its 15th day (what F-1 funds)


def today() -> datetime.date:
    """The local date, for callers that do not pass their own `today`."""
    return timezone.localdate()


class MembershipState(models.TextChoices):
    """Where a membership stands on a given day."""

    UPCOMING = "upcoming", _("拟加入")
    ACTIVE = "active", _("在册")
    LEAVING = "leaving", _("拟退出")
    FORMER = "former", _("已离开")


# --- database filters ------------------------------------------------------------------------


def active_q(day: datetime.date, prefix: str = "") -> Q:
    """Memberships in force on `day`; `prefix` (e.g. "memberships__") filters through a
    relation."""
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})
    )


def overlapping_q(first_day: datetime.date, last_day: datetime.date | None, prefix: str = "") -> Q:
    """Memberships in force on at least one day of `first_day` … `last_day` (both included;
    `last_day` None: open-ended). An empty period overlaps nothing."""
    if last_day is not None and last_day < first_day:
        return Q(pk__in=[])
    q = Q(**{f"{prefix}left_on__isnull": True}) | (
        Q(**{f"{prefix}left_on__gt": first_day})
        & Q(**{f"{prefix}left_on__gt": F(f"{prefix}joined_on")})
    )  # an empty period covers nothing
    if last_day is not None:
        q &= Q(**{f"{prefix}joined_on__lte": last_day})
    return q


def upcoming_q(day: datetime.date, prefix: str = "") -> Q:
    """Memberships approved to begin after `day` (拟加入)."""
    return Q(**{f"{prefix}joined_on__gt": day})


def ended_q(day: datetime.date, prefix: str = "") -> Q:
    """Memberships whose end has come by `day` (已离开)."""
    return Q(**{f"{prefix}left_on__lte": day})


# --- one membership ---------------------------------------------------------------------------


def is_active_on(
    joined_on: datetime.date, left_on: datetime.date | None, day: datetime.date
) -> bool:
    return joined_on <= day and (left_on is None or day < left_on)


def state_on(
    joined_on: datetime.date, left_on: datetime.date | None, day: datetime.date
) -> MembershipState:
    if day < joined_on:
        return MembershipState.UPCOMING
    if left_on is None:
        return MembershipState.ACTIVE
    if day < left_on:
        return MembershipState.LEAVING
    return MembershipState.FORMER


def days_covered(
    joined_on: datetime.date,
    left_on: datetime.date | None,
    first_day: datetime.date,
    last_day: datetime.date,
) -> int:
    """How many days of `first_day` … `last_day` (both included) the membership covers."""
    start = max(joined_on, first_day)
    stop = last_day + ONE_DAY if left_on is None else min(left_on, last_day + ONE_DAY)
    return max((stop - start).days, 0)


def mid_months(first_day: datetime.date, last_day: datetime.date) -> Iterator[datetime.date]:
    """The 15th of each month that falls within `first_day` … `last_day`."""
    year, month = first_day.year, first_day.month
    while True:
        day = datetime.date(year, month, MID_MONTH)
        if day > last_day:
            return
        if day >= first_day:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def months_covered(
    joined_on: datetime.date,
    left_on: datetime.date | None,
    first_day: datetime.date,
    last_day: datetime.date,
) -> int:
    """How many months of the period count for the membership: those whose 15th day lies in
    the period and in the membership (the month rule funding uses, policy F-1)."""
    return sum(
        1 for day in mid_months(first_day, last_day) if is_active_on(joined_on, left_on, day)
    )


# --- who may hold a membership ---------------------------------------------------------------

CORE_IS_NOT_A_MEMBER = _("核心校不能同时作为本集团的成员校。")


def core_cannot_be_member(*, core_school_id: int | None, school_id: int | None) -> Decision:
    """A group's core school is not also one of its members (policy G-1)."""
    if school_id is not None and school_id == core_school_id:
        return Decision(False, str(CORE_IS_NOT_A_MEMBER))
    return ALLOW
