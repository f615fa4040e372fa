"""Derived indicators: metrics computed from the system's own data for a set of groups over a
period (policy A-1, A-4; issue 10). An indicator with `source = derived` names one of these by
`derived_key`; its value is turned into a score by `scoring.derived_score` (or a verdict by
`scoring.derived_passed`) with the indicator's `params`.

Each metric computes every group of a cycle at once, in a constant number of queries whatever
the number of groups, and returns per group the value (Decimal) and its inputs (plain JSON, kept
on the Score row so a published result is explainable and recomputable). Memberships are read
through the one membership API (`Membership.objects.active_on` / `overlapping`)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from groups.registry.models import Membership

Values = dict[int, tuple[Decimal, dict]]


@dataclass(frozen=True)
class Metric:
    key: str
    label: object  # lazy text
    unit: object  # lazy text ("所", "%", "人", …)
    clause: str
    compute: Callable[[list[int], datetime.date, datetime.date], Values]
    help: object = ""  # lazy text: what is counted, and on which days of the period


METRICS: dict[str, Metric] = {}


def metric(key: str, label, unit, clause: str, help=""):
    def register(fn):
        METRICS[key] = Metric(key, label, unit, clause, fn, help)
        return fn

    return register


def choices() -> list[tuple[str, object]]:
    return [(m.key, m.label) for m in METRICS.values()]


def compute(keys: Iterable[str], group_ids: list[int], start: datetime.date, end: datetime.date):
    """{key: {group_id: (value, inputs)}} for the metrics named (each once)."""
    return {key: METRICS[key].compute(group_ids, start, end) for key in dict.fromkeys(keys)}


def _members_on(group_ids: list[int], day: datetime.date):
    return Membership.objects.active_on(day).members().filter(group_id__in=group_ids)


@metric(
    "members_count",
    _("成员校数量"),
    _("所"),
    "A-1",
    _("评估期最后一天在册的成员校数量（不含核心校）。"),
)
def members_count(group_ids, start, end) -> Values:
    """Member schools (the core school not counted) in force on the last day of the period."""
    counts = dict(
        _members_on(group_ids, end)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    return {
        gid: (Decimal(counts.get(gid, 0)), {"on": end.isoformat(), "members": counts.get(gid, 0)})
        for gid in group_ids
    }


@metric(
    "weak_share",
    _("薄弱学校占成员校比例"),
    _("%"),
    "A-4",
    _("评估期最后一天在册的成员校中薄弱学校所占百分比；没有成员校记为 0。"),
)
def weak_share(group_ids, start, end) -> Values:
    """Weak schools among the member schools in force on the last day of the period, in
    percent (A-4); a group without members has 0."""
    rows = (
        _members_on(group_ids, end)
        .values("group_id")
        .annotate(n=Count("id"), weak=Count("id", filter=Q(school__is_weak=True)))
        .values_list("group_id", "n", "weak")
    )
    found = defaultdict(lambda: (0, 0), {gid: (n, weak) for gid, n, weak in rows})
    out: Values = {}
    for gid in group_ids:
        n, weak = found[gid]
        share = (Decimal(weak) * 100 / Decimal(n)).quantize(Decimal("0.01")) if n else Decimal(0)
        out[gid] = (share, {"on": end.isoformat(), "members": n, "weak": weak})
    return out


@metric(
    "charter_council",
    _("现行章程与在任理事会"),
    _("是/否"),
    "A-1",
    _("评估期最后一天集团已有通过的章程，且理事会（议事机构）至少一名成员在任，记为 1，否则为 0。"),
)
def charter_council(group_ids, start, end) -> Values:
    """1 when the group has a charter adopted by the end of the period and at least one council
    seat in force on that day (G-4), else 0. A seat's `ended_on` is its first day out, as a
    membership's `left_on` (a member's seats end with its membership on `left_on`,
    groups.registry.services), so a seat ended on the last day no longer counts."""
    from groups.charter.models import GroupDocument
    from groups.registry.models import CouncilSeat

    charters = set(
        GroupDocument.objects.filter(
            group_id__in=group_ids, kind=GroupDocument.Kind.CHARTER, adopted_on__lte=end
        )
        .values_list("group_id", flat=True)
        .distinct()
    )
    seats = dict(
        CouncilSeat.objects.filter(group_id__in=group_ids, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    out: Values = {}
    for gid in group_ids:
        ok = gid in charters and seats.get(gid, 0) > 0
        out[gid] = (
            Decimal(1 if ok else 0),
            {"on": end.isoformat(), "charter": gid in charters, "council_seats": seats.get(gid, 0)},
        )
    return out


@metric(
    "dispatches_per_member",
    _("派驻干部教师（每成员校）"),
    _("人/校"),
    "A-1",
    _("评估期内任一天在岗的核心校派驻人员人数，除以评估期最后一天在册的成员校数量（F-4）。"),
)
def dispatches_per_member(group_ids, start, end) -> Values:
    """Staff dispatched by the core school to member schools at some time in the period
    (funding F-4 dispatches), per member school in force at the end of the period."""
    from funding.dispatches.models import Dispatch

    dispatched = dict(
        Dispatch.objects.filter(group_id__in=group_ids, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    members = {gid: int(v) for gid, (v, _inputs) in members_count(group_ids, start, end).items()}
    out: Values = {}
    for gid in group_ids:
        d, m = dispatched.get(gid, 0), members.get(gid, 0)
        value = (Decimal(d) / Decimal(m)).quantize(Decimal("0.01")) if m else Decimal(0)
        out[gid] = (
            value,
            {"from": start.isoformat(), "to": end.isoformat(), "dispatched": d, "members": m},
        )
    return out


@metric(
    "subsidy_use",
    _("集团经费支出占收入比例"),
    _("%"),
    "A-1",
    _(
        "评估期内核心校登记的集团经费支出，占同期经费收入（专项奖补 F-1 与协议费用 F-2）的百分比；"
        "收入按各财政年度台账金额乘以评估期在该年度所占天数折算；无收入记为 0。"
    ),
)
def subsidy_use(group_ids, start, end) -> Values:
    """The core school's spending recorded in the period (F-3) against its income for the same
    period (F-1 subsidies and F-2 fees paid to it), in percent; no income: 0. A fiscal year's
    ledger income counts in proportion to the days of the period that fall in that year (a
    school year from September to August takes 4/12 of one year and 8/12 of the next), so
    spending of one period is never set against two full years of income."""
    from django.db.models import F, Sum

    from funding.ledgers.models import LedgerLine
    from funding.spending.models import Spending

    years = list(range(start.year, end.year + 1))
    spent = dict(
        Spending.objects.filter(group_id__in=group_ids, spent_on__range=(start, end))
        .values("group_id")
        .annotate(total=Sum("amount"))
        .values_list("group_id", "total")
    )
    by_year: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for gid, year, total in (
        LedgerLine.objects.filter(
            ledger__group_id__in=group_ids,
            ledger__fiscal_year__in=years,
            rule__in=("F-1", "F-2"),
            payee_kind=LedgerLine.PartyKind.SCHOOL,
            payee_id=F("ledger__group__core_school_id"),
        )
        .values("ledger__group_id", "ledger__fiscal_year")
        .annotate(total=Sum("amount"))
        .values_list("ledger__group_id", "ledger__fiscal_year", "total")
    ):
        by_year[gid][year] = total or Decimal(0)
    shares = {year: _share_of_year(year, start, end) for year in years}
    out: Values = {}
    for gid in group_ids:
        s = spent.get(gid) or Decimal(0)
        i = sum(
            (amount * shares[year] for year, amount in by_year[gid].items()), Decimal(0)
        ).quantize(Decimal("0.01"))
        value = (s * 100 / i).quantize(Decimal("0.01")) if i > 0 else Decimal(0)
        out[gid] = (
            value,
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "years": years,
                "income_by_year": {str(y): str(a) for y, a in sorted(by_year[gid].items())},
                "spent": str(s),
                "income": str(i),
            },
        )
    return out


def _share_of_year(year: int, start: datetime.date, end: datetime.date) -> Decimal:
    """The part of fiscal year `year` the period covers (days covered / days in the year)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    covered = (min(end, last) - max(start, first)).days + 1
    if covered <= 0:
        return Decimal(0)
    return Decimal(covered) / Decimal((last - first).days + 1)


@metric(
    "exits_count",
    _("退出或被终止的成员校"),
    _("所"),
    "A-1",
    _("退出生效日（不再是成员的第一天）在评估期内的成员校数量，含退出、分立和红牌终止。"),
)
def exits_count(group_ids, start, end) -> Values:
    """Member schools whose membership ended in the period (exit, spin-off or expulsion): its
    `left_on`, the first day it is no longer a member, falls in the period."""
    rows = dict(
        Membership.objects.members()
        .filter(group_id__in=group_ids, left_on__range=(start, end))
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    return {
        gid: (
            Decimal(rows.get(gid, 0)),
            {"from": start.isoformat(), "to": end.isoformat(), "exits": rows.get(gid, 0)},
        )
        for gid in group_ids
    }


@metric(
    "cards_issued",
    _("黄牌、红牌次数"),
    _("次"),
    "A-1",
    _(
        "评估期内（按青岛时间的日期）向集团成员校发出的黄牌和红牌张数；由黄牌升级的红牌另计一次（L-6）。"
    ),
)
def cards_issued(group_ids, start, end) -> Values:
    """Yellow and red cards issued to the group's members in the period (L-6); a red card
    escalated from a yellow one counts too."""
    import datetime as dt

    from django.utils import timezone as tz

    from groups.cards.models import Card

    tzinfo = tz.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo)
    rows = {
        gid: (yellow, red)
        for gid, yellow, red in Card.objects.filter(
            group_id__in=group_ids, issued_at__gte=first, issued_at__lt=after
        )
        .values("group_id")
        .annotate(
            yellow=Count("id", filter=Q(level=Card.Level.YELLOW)),
            red=Count("id", filter=Q(level=Card.Level.RED)),
        )
        .values_list("group_id", "yellow", "red")
    }
    out: Values = {}
    for gid in group_ids:
        yellow, red = rows.get(gid, (0, 0))
        out[gid] = (
            Decimal(yellow + red),
            {"from": start.isoformat(), "to": end.isoformat(), "yellow": yellow, "red": red},
        )
    return out


@metric(
    "admissions_count",
    _("新吸纳成员校"),
    _("所"),
    "A-1",
    _("经批准的纳新申请（L-3）所吸纳、且加入日期在评估期内的成员校数量。"),
)
def admissions_count(group_ids, start, end) -> Values:
    """Member schools that joined in the period through an approved admission (L-3): a
    membership of the group whose `joined_on` falls in the period, for a school an approved
    admission application of that group proposed (the approval creates the membership,
    groups.applications.services._approve_admission)."""
    from django.db.models import Exists, OuterRef

    from groups.applications.models import Application, ProposedMember

    approved = ProposedMember.objects.filter(
        application__kind=Application.Kind.ADMISSION,
        application__status__in=(
            Application.Status.APPROVED,
            Application.Status.APPROVED_WITH_CONDITIONS,
        ),
        application__group_id=OuterRef("group_id"),
        school_id=OuterRef("school_id"),
    )
    rows = dict(
        Membership.objects.members()
        .filter(group_id__in=group_ids, joined_on__range=(start, end))
        .filter(Exists(approved))
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    return {
        gid: (
            Decimal(rows.get(gid, 0)),
            {"from": start.isoformat(), "to": end.isoformat(), "admissions": rows.get(gid, 0)},
        )
        for gid in group_ids
    }
