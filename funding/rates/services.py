"""Rate tables (policy F-1, F-4): each authority's rates for a fiscal year are versioned rows; a
new version is a new row (version = latest + 1) and a saved version never changes, so a ledger
line that names a version can always be explained. There is no edit service on purpose.

Which version is in force for a computation is `funding.ledgers.inputs.rates_for_year`'s answer
(the highest version), the one place that decides it."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding import rules
from funding.rates.models import MAX_RATE, Proration, RateTable, SubsidyStageRate
from funding.rates.permissions import can_create_rates_for
from members.models import Authority, School, User
from qingdao_groups.core.messages import label
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import stamp

STAGES = dict(School.Stage.choices)
NEW_VERSION = gettext_lazy("新建费率表版本")


def check_rate(value: Decimal | None, *, field: str, label: str) -> Decimal:
    """A rate in yuan, rounded to the fen: never negative, never above MAX_RATE (policy F-1,
    F-4: anything larger is a typing error)."""
    if value is None:
        raise RuleRefusal(_("请填写%(label)s。") % {"label": label}, field=field)
    if value < 0:
        raise RuleRefusal(_("%(label)s不能为负数。") % {"label": label}, field=field)
    if value > MAX_RATE:
        raise RuleRefusal(
            _("%(label)s不能超过 %(max)s 元，请检查是否多输了位数。")
            % {"label": label, "max": rules.money_text(MAX_RATE)},
            field=field,
        )
    return rules.fen(value)


def _in_year(day: datetime.date | None, year: int, *, field: str, label: str) -> None:
    first, last = rules.year_bounds(year)
    if day is not None and not first <= day <= last:
        raise RuleRefusal(
            _("%(label)s须在 %(year)d 财政年度之内（%(first)s 至 %(last)s）。")
            % {"label": label, "year": year, "first": first, "last": last},
            field=field,
        )


def latest_version(authority_id: int, fiscal_year: int) -> int:
    """The highest version number stored for the authority and year (0: none yet)."""
    found = RateTable.objects.filter(authority_id=authority_id, fiscal_year=fiscal_year).aggregate(
        v=Max("version")
    )["v"]
    return found or 0


@transaction.atomic
def rate_table_create_version(
    *,
    authority: Authority,
    fiscal_year: int,
    actor: User,
    subsidy_per_member: Decimal,
    stage_rates: dict[str, Decimal | None] | None = None,
    proration: str = Proration.MONTHS,
    reference_date: datetime.date | None = None,
    transport_per_month: Decimal = Decimal("0"),
    lodging_per_month: Decimal = Decimal("0"),
    spring_term_starts: datetime.date | None = None,
    autumn_term_starts: datetime.date | None = None,
    note: str = "",
    based_on: int | None = None,
    now: datetime.datetime | None = None,
) -> RateTable:
    """Store a new version of the authority's rates for the fiscal year (policy F-1, F-4): the
    subsidy per member school per year with per-stage overrides (F-1), how part-years count
    (months of membership, the default, or membership on a reference date inside the year),
    the monthly transport and lodging allowances of dispatched staff (F-4) and the term start
    days F-2's per-term fees count. Bad input is refused whole: nothing is saved.

    `based_on`: the latest version the person saw when the form opened; a version added by
    someone else meanwhile refuses the form (their values would be silently superseded)."""
    require(can_create_rates_for(actor, authority.pk))
    if not 2000 <= fiscal_year <= 2100:
        raise RuleRefusal(_("财政年度须在 2000 至 2100 年之间。"), field="fiscal_year")
    subsidy = check_rate(subsidy_per_member, field="subsidy_per_member", label=_("成员校专项奖补"))
    transport = check_rate(transport_per_month, field="transport_per_month", label=_("交通补助"))
    lodging = check_rate(lodging_per_month, field="lodging_per_month", label=_("食宿补助"))
    stages: dict[str, Decimal] = {}
    for stage, amount in (stage_rates or {}).items():
        if stage not in STAGES:
            raise RuleRefusal(_("学段有误。"), field=f"stage_{stage}")
        if amount is not None:
            stages[stage] = check_rate(
                amount,
                field=f"stage_{stage}",
                label=_("%(stage)s专项奖补") % {"stage": STAGES[stage]},
            )
    if proration not in Proration.values:
        raise RuleRefusal(_("请选择跨年度折算方式。"), field="proration")
    if proration == Proration.REFERENCE_DATE:
        if reference_date is None:
            raise RuleRefusal(
                _("按基准日折算时须填写基准日：成员校在基准日在册即计全年（政策 F-1）。"),
                field="reference_date",
            )
        _in_year(reference_date, fiscal_year, field="reference_date", label=_("基准日"))
    else:
        reference_date = None  # a date means nothing when months are counted
    _in_year(spring_term_starts, fiscal_year, field="spring_term_starts", label=_("春季学期开学日"))
    _in_year(autumn_term_starts, fiscal_year, field="autumn_term_starts", label=_("秋季学期开学日"))
    if spring_term_starts and autumn_term_starts and autumn_term_starts <= spring_term_starts:
        raise RuleRefusal(_("秋季学期开学日须晚于春季学期开学日。"), field="autumn_term_starts")

    # One version at a time per authority: the authority's row is the lock.
    Authority.objects.select_for_update().filter(pk=authority.pk).first()
    latest = latest_version(authority.pk, fiscal_year)
    if based_on is not None and based_on != latest:
        raise RuleRefusal(
            _("该费率表已有新版本（第 %(v)d 版），请刷新页面，在最新版本的基础上修改。")
            % {"v": latest}
        )
    now = now or timezone.now()
    table = RateTable(
        authority=authority,
        fiscal_year=fiscal_year,
        version=latest + 1,
        proration=proration,
        reference_date=reference_date,
        subsidy_per_member=subsidy,
        transport_per_month=transport,
        lodging_per_month=lodging,
        spring_term_starts=spring_term_starts,
        autumn_term_starts=autumn_term_starts,
        note=(note or "").strip(),
        created_by=actor,
        created_at=now,
    )
    reason = label(NEW_VERSION)
    stamp(table, actor=actor, reason=reason, now=now)
    table.save()
    for stage, amount in sorted(stages.items()):
        row = SubsidyStageRate(table=table, stage=stage, amount=amount)
        stamp(row, actor=actor, reason=reason, now=now)
        row.save()
    return table
