"""The demo's money (issue 9: F-1 … F-5, S-1, S-2): rate tables of the city and the districts for
2024–2026, an agreement for each member under another authority than its core school, staff
dispatched across a year end, spending, awards, two staffing requests, principals' ranks, and the
yearly ledgers computed, confirmed and locked through the real services on the story's days:
2024 locked (then a member's exit recorded late, so 2024 has a supplement with adjustment lines),
2025 confirmed by some authorities and a draft for the others, 2026 a draft. Payments are
recorded against the receivables the ledgers produced.

Idempotent like the rest of the demo: each part is skipped when its marker rows exist, and the
ledgers of a year are left alone once the year has any."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.agreements.models import Agreement, Payment, Receivable
from funding.awards.models import Award
from funding.dispatches.models import Dispatch
from funding.ledgers.models import Ledger
from funding.ledgers.services import ledger_confirm, ledger_lock, ledgers_compute
from funding.rates.models import Proration, RateTable, SubsidyStageRate
from funding.rules import fen
from funding.spending.models import Spending
from funding.staffing.models import StaffingRequest
from groups.registry import services as registry_services
from groups.registry.models import EducationGroup, Membership
from members.models import School, User
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.demo.data import (
    AWARD_PLANS,
    CONFIRMED_2025,
    DISPATCH_PLANS,
    FUNDING_YEARS,
    LATE_EXIT_GROUP,
    LATE_EXIT_ON,
    LATE_EXIT_RECORDED,
    LEDGER_DAYS,
    PILOT_GROUP_CODE,
    RATE_PLANS,
    SPENDING_PLANS,
    USERS,
    UserPlan,
)

if TYPE_CHECKING:
    from qingdao_groups.demo.seeder import Seeder


class FundingSeeder:
    def __init__(self, seeder: Seeder, users: tuple[UserPlan, ...]):
        self.seeder = seeder
        self.warn = seeder.warn
        self.plans = {p.username: p for p in (*USERS, *users)}
        self.users = {
            u.username: u
            for u in User.objects.select_related("school", "authority").filter(
                username__in=list(self.plans)
            )
        }
        self.staff_by_authority = {
            u.authority_id: u
            for u in sorted(self.users.values(), key=lambda u: u.pk)
            if u.role in User.AUTHORITY_ROLES and u.authority_id
        }
        self.groups = {g.code: g for g in EducationGroup.objects.select_related("core_school")}
        self.now = timezone.now()

    def _moment(self, day: datetime.date, hour: int = 9) -> datetime.datetime:
        """`day` at `hour` (never later than now): the services' `now` for a step of the story."""
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        return min(moment, self.now)

    def run(self) -> None:
        steps = (
            (_("校长职级"), self._ranks),
            (_("费率表"), self._rates),
            (_("合作协议"), self._agreements),
            (_("派驻人员"), self._dispatches),
            (_("经费支出"), self._spending),
            (_("表彰奖励"), self._awards),
            (_("编制与岗位需求"), self._staffing),
            (_("2024年度台账"), self._year_2024),
            (_("2025年度台账"), self._year_2025),
            (_("2026年度台账"), self._year_2026),
            (_("到账记录"), self._payments),
        )
        for label, step in steps:
            try:
                with transaction.atomic():
                    step()
            except (RuleRefusal, PermissionDenied, ObjectDoesNotExist) as exc:
                self.warn(
                    _("跳过演示事项“%(label)s”：%(reason)s")
                    % {"label": label, "reason": getattr(exc, "message", str(exc))}
                )

    # -- S-2: principals' ranks ------------------------------------------------------------
    def _ranks(self) -> None:
        """A principal created before ranks were kept gets the demo's rank once."""
        for username, plan in self.plans.items():
            user = self.users.get(username)
            if user is not None and plan.rank and not user.rank:
                user.rank = plan.rank
                self.seeder._save(user)

    # -- F-1, F-4: rate tables ---------------------------------------------------------------
    def _rates(self) -> None:
        existing = set(RateTable.objects.values_list("authority__code", "fiscal_year", "version"))
        for plan in RATE_PLANS:
            authority = self.seeder.authorities[plan.authority]
            author = self.staff_by_authority.get(authority.pk) or self.users.get("city")
            for n, year in enumerate(FUNDING_YEARS):
                versions = [(1, plan.subsidy + n * plan.raise_by, datetime.date(year - 1, 12, 10))]
                if year == 2025 and plan.revised_2025:
                    versions.append((2, plan.revised_2025, datetime.date(2025, 6, 20)))
                for version, subsidy, adopted in versions:
                    if (plan.authority, year, version) in existing:
                        continue
                    table = RateTable(
                        authority=authority,
                        fiscal_year=year,
                        version=version,
                        proration=(
                            Proration.REFERENCE_DATE if plan.reference_date else Proration.MONTHS
                        ),
                        reference_date=datetime.date(year, 9, 1) if plan.reference_date else None,
                        subsidy_per_member=Decimal(subsidy),
                        transport_per_month=Decimal(plan.transport + n * 50),
                        lodging_per_month=Decimal(plan.lodging + n * 100),
                        spring_term_starts=datetime.date(year, 2, 17),
                        autumn_term_starts=datetime.date(year, 9, 1),
                        note=(
                            _("年中调整：成员校专项奖补标准提高。")
                            if version > 1
                            else _("依据年度预算安排。")
                        ),
                        created_by=author,
                        created_at=self._moment(adopted),
                    )
                    self.seeder._save(table, adopted)
                    for stage, amount in plan.stages:
                        self.seeder._save(
                            SubsidyStageRate(
                                table=table, stage=stage, amount=Decimal(amount + n * plan.raise_by)
                            ),
                            adopted,
                        )

    # -- F-2: agreements ---------------------------------------------------------------------
    def _agreements(self) -> None:
        """Each member under another authority than its core school, a member in 2024 or later,
        has its cooperation agreement: yearly, per term and one-off in turn; paid by the school
        or by its authority in turn."""
        if Agreement.objects.exists():
            return
        memberships = (
            Membership.objects.filter(role=Membership.Role.MEMBER, group__in=self.groups.values())
            .exclude(left_on__lte=datetime.date(2024, 1, 1))
            .select_related("school", "group__core_school")
            .order_by("group__code", "joined_on", "id")
        )
        n = 0
        for membership in memberships:
            school, core = membership.school, membership.group.core_school
            if school.authority_id == core.authority_id:
                continue
            period = ("yearly", "per_term", "one_off")[n % 3]
            fee = {
                "yearly": 40_000 + (n % 4) * 10_000,
                "per_term": 20_000 + (n % 3) * 5_000,
                "one_off": 80_000 + (n % 3) * 20_000,
            }[period]
            if period == "one_off":
                starts = max(membership.joined_on, datetime.date(2024 + n % 2, 9, 1))
                ends = datetime.date(starts.year + 2, 8, 31)
            else:
                starts = max(membership.joined_on, datetime.date(2023, 9, 1))
                ends = datetime.date(max(starts.year + (starts.month >= 9), 2023) + 3, 8, 31)
            principal = self._principal_of(core)
            self.seeder._save(
                Agreement(
                    group=membership.group,
                    membership=membership,
                    title=f"{core.name}与{school.name}合作办学协议",
                    fee=Decimal(fee),
                    period=period,
                    starts_on=starts,
                    ends_on=ends,
                    payer=("school", "authority")[n % 2],
                    due_month=(6, 9, 12)[n % 3],
                    note=membership.note,
                    created_by=principal or self.users.get("city"),
                    created_at=self._moment(starts),
                ),
                starts,
            )
            n += 1

    def _principal_of(self, school: School) -> User | None:
        return next(
            (
                u
                for u in self.users.values()
                if u.role == User.Role.CORE_PRINCIPAL and u.school_id == school.pk
            ),
            None,
        )

    # -- F-4: dispatches ---------------------------------------------------------------------
    def _dispatches(self) -> None:
        if Dispatch.objects.exists():
            return
        for plan in DISPATCH_PLANS:
            group = self.groups[plan.group]
            membership = (
                Membership.objects.active_on(plan.starts)
                .filter(group=group, school__name=plan.school, role=Membership.Role.MEMBER)
                .get()
            )
            self.seeder._save(
                Dispatch(
                    group=group,
                    membership=membership,
                    person_name=plan.person,
                    role=plan.role,
                    starts_on=plan.starts,
                    ends_on=plan.ends,
                    created_by=self._principal_of(group.core_school) or self.users.get("city"),
                    created_at=self._moment(plan.starts),
                ),
                plan.starts,
            )

    # -- F-3: spending -----------------------------------------------------------------------
    def _spending(self) -> None:
        if Spending.objects.exists():
            return
        for code, year, category, amount, day, note in SPENDING_PLANS:
            group = self.groups[code]
            self.seeder._save(
                Spending(
                    group=group,
                    fiscal_year=year,
                    category=category,
                    amount=fen(Decimal(str(amount))),
                    spent_on=day,
                    note=note,
                    recorded_by=self._principal_of(group.core_school) or self.users.get("city"),
                    recorded_at=self._moment(day, 16),
                ),
                day,
            )

    # -- F-5: awards -------------------------------------------------------------------------
    def _awards(self) -> None:
        if Award.objects.exists():
            return
        for code, kind, recipient, title, level, year, amount in AWARD_PLANS:
            day = datetime.date(year, 12, 20)
            self.seeder._save(
                Award(
                    group=self.groups[code],
                    recipient_kind=kind,
                    recipient_name=recipient,
                    title=title,
                    level=level,
                    year=year,
                    amount=None if amount is None else Decimal(amount),
                    recorded_by=self.users.get("city"),
                    recorded_at=self._moment(day),
                ),
                day,
            )

    # -- S-1: staffing requests --------------------------------------------------------------
    def _staffing(self) -> None:
        """Two requests from core schools with their group's context; the staffing office has
        handled one."""
        if StaffingRequest.objects.exists():
            return
        requests = (
            (
                PILOT_GROUP_CODE,
                StaffingRequest.Kind.QUOTA,
                6,
                _("集团成员校分布五个区（市），核心校派驻执行校长和骨干教师，申请增加教师编制。"),
                datetime.date(2026, 3, 2),
                True,
            ),
            (
                "QD2019002",
                StaffingRequest.Kind.SENIOR_POST,
                2,
                _("高新校区十二年一贯制办学规模扩大，申请增设高级教师岗位。"),
                datetime.date(2026, 9, 14),
                False,
            ),
        )
        for code, kind, count, reason, day, handled in requests:
            group = self.groups[code]
            members = Membership.objects.active_on(day).filter(
                group=group, role=Membership.Role.MEMBER
            )
            request = StaffingRequest(
                group=group,
                school=group.core_school,
                kind=kind,
                count=count,
                reason=reason,
                context={
                    "members": members.count(),
                    "other_authorities": members.exclude(
                        school__authority_id=group.core_school.authority_id
                    ).count(),
                    "founded_on": group.founded_on.isoformat(),
                },
                created_by=self._principal_of(group.core_school),
                created_at=self._moment(day),
            )
            self.seeder._save(request, day)
            if handled:
                done = day + datetime.timedelta(days=24)
                request.status = StaffingRequest.Status.HANDLED
                request.handled_by = self.users["staffing"]
                request.handled_at = self._moment(done, 15)
                request.handled_note = _("已纳入2026年度事业编制调剂计划，增核编制4名。")
                request.version += 1
                request._history_user = self.users["staffing"]
                request._history_date = self._moment(done, 15)
                request.save()

    # -- ledgers (F-1, F-2, F-4) ---------------------------------------------------------------
    def _compute(self, year: int, day: datetime.date) -> None:
        ledgers_compute(year=year, actor=self.users["city"], now=self._moment(day))

    def _confirm(self, ledger: Ledger, day: datetime.date) -> Ledger:
        staff = self.staff_by_authority.get(ledger.authority_id)
        if staff is None:
            raise RuleRefusal(_("演示数据中没有 %(a)s 的工作人员。") % {"a": ledger.authority})
        return ledger_confirm(
            ledger=ledger, actor=staff, expected_version=ledger.version, now=self._moment(day, 10)
        )

    def _year_2024(self) -> None:
        """Computed by the city, confirmed by each paying authority, locked by the two finance
        reviewers in turn (each PDF statement archived); then a member's exit of September 2024
        recorded in March 2025 and the year computed again: a supplement adjusts the locked
        figures (never a rewrite)."""
        if Ledger.objects.filter(fiscal_year=2024).exists():
            return
        days = LEDGER_DAYS[2024]
        self._compute(2024, days["compute"])
        reviewers = (self.users["finance"], self.users["finance2"])
        ledgers = Ledger.objects.filter(fiscal_year=2024).select_related("authority")
        for n, ledger in enumerate(ledgers.order_by("authority__code", "group__code")):
            ledger = self._confirm(ledger, days["confirm"])
            ledger_lock(
                ledger=ledger,
                actor=reviewers[n % 2],
                expected_version=ledger.version,
                now=self._moment(days["lock"], 10 + n % 6),
            )
        membership = self._late_exit()
        registry_services.membership_end(
            membership=membership,
            left_on=LATE_EXIT_ON,
            end_reason=Membership.EndReason.EXIT,
            actor=self.users["city"],
            note=_("2024年9月起退出集团，2025年3月补录（政策 L-5）。"),
            now=self._moment(LATE_EXIT_RECORDED),
        )
        self._compute(2024, LATE_EXIT_RECORDED + datetime.timedelta(days=1))

    def _late_exit(self) -> Membership:
        """The last public member under the core school's own authority (it has an F-1 line)."""
        group = self.groups[LATE_EXIT_GROUP]
        membership = (
            Membership.objects.active_on(LATE_EXIT_ON)
            .filter(
                group=group,
                role=Membership.Role.MEMBER,
                left_on__isnull=True,
                school__nature=School.Nature.PUBLIC,
                school__authority_id=group.core_school.authority_id,
            )
            .order_by("-joined_on", "-id")
            .first()
        )
        if membership is None:
            raise ObjectDoesNotExist(LATE_EXIT_GROUP)
        return membership

    def _year_2025(self) -> None:
        """Computed by the city; the city, 李沧 and 市北 have confirmed what they pay, the other
        authorities' ledgers are drafts."""
        if Ledger.objects.filter(fiscal_year=2025).exists():
            return
        days = LEDGER_DAYS[2025]
        self._compute(2025, days["compute"])
        for ledger in Ledger.objects.filter(
            fiscal_year=2025, authority__code__in=CONFIRMED_2025
        ).order_by("authority__code", "group__code"):
            self._confirm(ledger, days["confirm"])

    def _year_2026(self) -> None:
        """This year's drafts, computed a few days ago."""
        if Ledger.objects.filter(fiscal_year=2026).exists():
            return
        day = min(datetime.date(2026, 11, 25), timezone.localdate(self.now))
        self._compute(2026, day)

    # -- F-2: payments -----------------------------------------------------------------------
    def _payments(self) -> None:
        """2024's receivables paid in full but one (overdue); half of 2025's paid in part."""
        if Payment.objects.exists():
            return
        receivables = list(
            Receivable.objects.filter(fiscal_year__in=(2024, 2025), amount__gt=0)
            .select_related("agreement__group__core_school")
            .order_by("fiscal_year", "agreement_id")
        )
        for n, receivable in enumerate(receivables):
            core = receivable.agreement.group.core_school
            recorder = self._principal_of(core) or self.users["city"]
            if receivable.fiscal_year == 2024:
                if n == 1:
                    continue  # still unpaid: overdue since its due day
                parts = [(receivable.amount, receivable.due_on - datetime.timedelta(days=20))]
            elif n % 2 == 0:
                half = fen(receivable.amount / 2)
                parts = [(half, receivable.due_on - datetime.timedelta(days=30))]
            else:
                continue
            for amount, day in parts:
                self.seeder._save(
                    Payment(
                        receivable=receivable,
                        amount=amount,
                        paid_on=day,
                        note=_("银行转账"),
                        recorded_by=recorder,
                        recorded_at=self._moment(day, 15),
                    ),
                    day,
                )
