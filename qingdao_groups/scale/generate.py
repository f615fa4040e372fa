"""Generated registries at city, province and nation scale (issue 7: "Data generator").

A realistic tree (cities, their district bureaus, some 70 schools a district), five years of
memberships (joins, exits, expulsions, never overlapping for a school: the exclusion constraint
holds), applications in every state with their consents, proposed members and stored checks,
cards, filings, enrollment plans, small attachments, history rows and notifications, and one
`bench_*` user per role wired to real objects. Everything is drawn from random.Random(seed) and
dated from `today`, so a seed gives the same rows; rows go in with COPY (qingdao_groups.scale.copy).
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from funding.agreements.models import Agreement
from funding.awards.models import Award
from funding.dispatches.models import Dispatch
from funding.rates.models import RateTable, SubsidyStageRate
from funding.spending.models import Spending
from funding.staffing.models import StaffingRequest
from groups.applications.models import (
    Application,
    CheckResult,
    Consent,
    ProposedMember,
)
from groups.cards.models import Card
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.registry.models import CouncilSeat, EducationGroup, Membership, Partnership
from members.models import Authority, District, Partner, School, User
from qingdao_groups.models import Attachment, Notification
from qingdao_groups.scale.copy import Table, next_id, reset_sequences

# The states in which an application is not yet settled (groups.applications.workflows).
OPEN_APPLICATION_STATUSES = frozenset(
    {"draft", "returned", "awaiting_consents", "awaiting_opinion", "under_decision"}
)

BENCH_PASSWORD = "bench-pass-2025"  # noqa: S105 - printed at the end; generated data only
BENCH_USERNAMES = (
    "bench_city",
    "bench_district",
    "bench_principal",
    "bench_member",
    "bench_auditor",
)


@dataclass(frozen=True)
class Scale:
    cities: int
    districts: int  # county-level bureaus in all
    schools: int
    groups: int
    big_current: int = 60  # the principal's group: current members (with the core)
    big_former: int = 40

    @property
    def applications(self) -> int:
        return max(27, self.groups // 4)  # every kind in every state at least once

    @property
    def cards(self) -> int:
        return max(6, self.groups // 10)

    @property
    def filings(self) -> int:
        return max(6, self.groups // 10)


SCALES = {
    "tiny": Scale(cities=1, districts=3, schools=60, groups=12, big_current=12, big_former=6),
    "city": Scale(cities=1, districts=10, schools=1_000, groups=250),
    "province": Scale(cities=16, districts=285, schools=20_000, groups=3_000),
    "nation": Scale(cities=330, districts=2_800, schools=200_000, groups=20_000),
}

SYLLABLES = "安宁平和兴华东西南北中新永昌泰丰源阳山河湖海江城林云明德信义嘉庆福瑞长广宏"
STAGE_WORDS = {
    School.Stage.PRIMARY: "小学",
    School.Stage.JUNIOR: "中学",
    School.Stage.SENIOR: "高级中学",
    School.Stage.NINE_YEAR: "学校",
    School.Stage.TWELVE_YEAR: "实验学校",
    School.Stage.VOCATIONAL: "职业学校",
    School.Stage.SPECIAL: "特殊教育学校",
}
STAGE_WEIGHTS = [
    (School.Stage.PRIMARY, 55),
    (School.Stage.JUNIOR, 22),
    (School.Stage.SENIOR, 8),
    (School.Stage.NINE_YEAR, 9),
    (School.Stage.TWELVE_YEAR, 2),
    (School.Stage.VOCATIONAL, 3),
    (School.Stage.SPECIAL, 1),
]
SUBTYPES = [("T-1", "T-1a"), ("T-1", "T-1b"), ("T-2", "T-2a"), ("T-2", "T-2b"), ("T-2", "T-2c")]
SUBTYPES += [("T-3", "T-3a"), ("T-3", "T-3b")]
RANKS = ("special", "first", "second", "second", "third", "third", "fourth")
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + n


class Generator:
    def __init__(
        self,
        scale: Scale,
        *,
        seed: int = 1,
        today: datetime.date | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.now = self.at(self.today, 9)
        self.say = say
        self.counts = Counts()
        self.timings: list[tuple[str, float]] = []
        self.tables: dict[type[models.Model], Table] = {}
        self.bench: dict[str, Any] = {}

    # -- helpers ------------------------------------------------------------------------------
    def at(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=self.tz)

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        span = (last - first).days
        return first + datetime.timedelta(days=self.rng.randint(0, max(span, 0)))

    def person(self) -> str:
        r = self.rng
        return r.choice(FAMILY) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.6 else "")

    def place(self, n: int) -> str:
        a, b = divmod(n, len(SYLLABLES))
        return SYLLABLES[a % len(SYLLABLES)] + SYLLABLES[b]

    def table(self, model: type[models.Model]) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model, now=self.now)
        return self.tables[model]

    def write(self, model: type[models.Model], rows: list[dict[str, Any]], *, when=None) -> None:
        """COPY the rows, and their creation into the model's history when it keeps one
        (`when(row)` dates it; the generator is the acting user of nobody)."""
        self.table(model).write(rows)
        self.counts.add(model._meta.label, len(rows))
        history = getattr(model, "history", None)
        if history is None:
            return
        historical = history.model

        def hist(row):
            h = dict(row)
            h["history_date"] = when(row) if when else self.now
            h["history_type"] = "+"
            h["history_user_id"] = None
            h["history_change_reason"] = None
            return h

        self.table(historical).write(hist(r) for r in rows)
        self.counts.add(historical._meta.label, len(rows))

    def phase(self, name: str, fn: Callable[[], None]) -> None:
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        self.timings.append((name, elapsed))
        self.say(f"  {name:<28} {elapsed:7.1f} s")

    # -- run ----------------------------------------------------------------------------------
    def run(self) -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                # Rows point at rows written later (districts <-> bureaus): checked at the end.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            self.phase("authorities and districts", self.authorities)
            self.phase("schools", self.schools)
            self.phase("users", self.users)
            self.phase("groups and memberships", self.groups)
            self.phase("partners and councils", self.partners)
            self.phase("applications", self.applications)
            self.phase("cards, filings, plans", self.cards_filings_plans)
            self.phase("attachments", self.attachments)
            self.phase("notifications", self.notifications)
            self.phase("funding (issue 9)", self.funding)
            self.phase("assessment cycle (issue 10)", self.assessment_cycle)
            self.phase("sequences", self.sequences)
            self.phase("foreign keys checked", self.check_now)
        self.phase("analyze", self.analyze)

    # -- authorities ---------------------------------------------------------------------------
    def authorities(self) -> None:
        s, r = self.scale, self.rng
        aid, did = next_id(Authority), next_id(District)
        authorities, districts = [], []
        self.city_ids: list[int] = []
        self.district_bureaus: list[dict[str, Any]] = []  # id, code, city_id, name
        per_city = [s.districts // s.cities] * s.cities
        for i in range(s.districts - sum(per_city)):
            per_city[i] += 1
        founded = self.at(self.today - datetime.timedelta(days=6 * 365))
        order = 0
        for c in range(s.cities):
            city_name = self.place(c * 7 + 3) + ("市" if c else "市")
            city_name = f"{city_name}{c + 1:03d}" if s.cities > 1 else "样例市"
            city_id = aid
            aid += 1
            authorities.append(
                dict(id=city_id, name=f"{city_name}教育局", code=f"c{c + 1:03d}", kind="city")
            )
            self.city_ids.append(city_id)
            for d in range(per_city[c]):
                order += 1
                code = f"g{c + 1:03d}{d + 1:02d}"
                suffix = "县" if r.random() < 0.35 else ("市" if r.random() < 0.2 else "区")
                name = f"{city_name}{self.place(d * 5 + c)}{suffix}"
                districts.append(
                    dict(id=did, code=code, name=name, city_id=city_id, sort_order=order)
                )
                did += 1
                bureau = dict(
                    id=aid,
                    name=f"{name}教育和体育局",
                    code=f"bureau-{code}",
                    kind="district",
                    parent_id=city_id,
                    district_id=code,
                )
                authorities.append(bureau)
                self.district_bureaus.append(
                    dict(id=aid, code=code, city_id=city_id, name=bureau["name"])
                )
                aid += 1
        # Districts first (bureaus point at them), then the bureaus.
        self.write(District, districts, when=lambda _r: founded)
        self.write(Authority, authorities, when=lambda _r: founded)

    # -- schools -------------------------------------------------------------------------------
    def schools(self) -> None:
        s, r = self.scale, self.rng
        sid = next_id(School)
        self.school_rows: list[dict[str, Any]] = []
        self.schools_by_district: dict[str, list[int]] = {}
        self.school_bureau: dict[int, int] = {}
        stages = [st for st, _w in STAGE_WEIGHTS]
        weights = [w for _st, w in STAGE_WEIGHTS]
        per = [s.schools // s.districts] * s.districts
        for i in range(s.schools - sum(per)):
            per[i % s.districts] += 1
        for bureau, n in zip(self.district_bureaus, per, strict=True):
            ids = []
            for k in range(n):
                stage = r.choices(stages, weights)[0]
                weak = r.random() < 0.12
                # About one in ten schools is run by the city bureau itself (局属学校).
                authority_id = bureau["city_id"] if r.random() < 0.08 else bureau["id"]
                self.school_rows.append(
                    dict(
                        id=sid,
                        name=f"{bureau['name'][:-6]}{self.place(k)}{k + 1}{STAGE_WORDS[stage]}",
                        code=f"{sid:010d}",
                        authority_id=authority_id,
                        district_id=bureau["code"],
                        stage=stage,
                        nature="private" if r.random() < 0.1 else "public",
                        is_weak=weak,
                        weak_rated_year=r.randint(2015, self.today.year - 1) if weak else None,
                        is_legal_entity=r.random() < 0.9,
                        principal_name=self.person(),
                    )
                )
                self.school_bureau[sid] = bureau["id"]
                ids.append(sid)
                sid += 1
            self.schools_by_district[bureau["code"]] = ids
        founded = self.at(self.today - datetime.timedelta(days=6 * 365))
        self.write(School, self.school_rows, when=lambda _r: founded)

    # -- users ---------------------------------------------------------------------------------
    def users(self) -> None:
        """One staff user per bureau (the actors of filings, cards and decisions)."""
        self.password = make_password(BENCH_PASSWORD, salt="generatedscale")
        self.uid = next_id(User)
        self.staff_of: dict[int, int] = {}
        rows = []
        for authority_id in [*self.city_ids, *(b["id"] for b in self.district_bureaus)]:
            role = "city_staff" if authority_id in self.city_ids else "district_staff"
            rows.append(self.user_row(f"staff{authority_id}", role, authority_id=authority_id))
            self.staff_of[authority_id] = rows[-1]["id"]
        self.user_rows = rows  # principals follow with the groups

    def user_row(self, username: str, role: str, **unit) -> dict[str, Any]:
        row = dict(
            id=self.uid,
            password=self.password,
            username=username,
            first_name=self.rng.choice(GIVEN),
            last_name=self.rng.choice(FAMILY),
            email="",
            is_staff=False,
            is_superuser=False,
            is_active=True,
            date_joined=self.now,
            last_login=None,
            role=role,
            authority_id=unit.get("authority_id"),
            school_id=unit.get("school_id"),
        )
        self.uid += 1
        return row

    # -- groups and memberships ----------------------------------------------------------------
    def groups(self) -> None:
        s, r = self.scale, self.rng
        gid, mid = next_id(EducationGroup), next_id(Membership)
        today = self.today
        start = today - datetime.timedelta(days=5 * 365)
        groups, memberships = [], []
        # A school's open membership and, before it, the day until which it is free.
        free_before: dict[int, datetime.date] = {}
        self.current_members: dict[int, list[dict[str, Any]]] = {}
        self.group_rows: list[dict[str, Any]] = []
        per_district = [s.groups // s.districts] * s.districts
        for i in range(s.groups - sum(per_district)):
            per_district[(i * 7) % s.districts] += 1
        mean_current = 0.9 * s.schools / s.groups  # with the core
        mean_former = 0.2 * s.schools / s.groups
        made_groups: list[tuple[dict[str, Any], dict[str, Any], bool]] = []
        pools = {code: list(ids) for code, ids in self.schools_by_district.items()}
        for pool in pools.values():
            r.shuffle(pool)
        bureaus = self.district_bureaus
        # The principal's group: the first group of a district in the middle of the tree, fed
        # from its city's other districts when its own runs short.
        big_index = len(bureaus) // 2
        self.bench["district_bureau"] = bureaus[big_index]
        city_pool = [
            sid
            for b in bureaus
            if b["city_id"] == bureaus[big_index]["city_id"]
            for sid in pools[b["code"]]
        ]
        for index, (bureau, n_groups) in enumerate(zip(bureaus, per_district, strict=True)):
            pool = pools[bureau["code"]]
            for g in range(n_groups):
                big = index == big_index and g == 0
                while pool and pool[-1] in free_before:  # taken by the big group next door
                    pool.pop()
                if not pool:
                    break
                core = pool.pop()
                founded = self.day_between(start, today - datetime.timedelta(days=200))
                if big:
                    founded = start
                authority_id = bureau["id"] if r.random() < 0.9 else bureau["city_id"]
                core_row = self.school_rows[core - self.school_rows[0]["id"]]
                group = dict(
                    id=gid,
                    name=f"{core_row['name']}教育集团",
                    code=f"JT{gid:07d}",
                    core_school_id=core,
                    authority_id=authority_id,
                    specialty=r.choice(["", "科技创新", "体育特色", "艺术教育", "劳动教育"]),
                    unified_areas=r.sample(["curriculum", "teachers", "assessment"], 2),
                    founded_on=founded,
                    status="active",
                    description="",
                )
                groups.append(group)
                self.group_rows.append(group)
                memberships.append(
                    dict(
                        id=mid,
                        group_id=gid,
                        school_id=core,
                        role="core",
                        relation_type="",
                        relation_subtype="",
                        joined_on=founded,
                        left_on=None,
                        end_reason="",
                        note="",
                    )
                )
                free_before[core] = founded
                mid += 1
                current = []
                want = s.big_current - 1 if big else max(0, round(r.gauss(mean_current - 1, 2)))
                for _k in range(want):
                    source = pool if pool else (city_pool if big else None)
                    while source and (source[-1] in free_before):
                        source.pop()
                    if not source:
                        break
                    school = source.pop()
                    joined = self.day_between(founded, today - datetime.timedelta(days=20))
                    rt, rs = r.choice(SUBTYPES)
                    row = dict(
                        id=mid,
                        group_id=gid,
                        school_id=school,
                        role="member",
                        relation_type=rt,
                        relation_subtype=rs,
                        joined_on=joined,
                        left_on=None,
                        end_reason="",
                        note="",
                    )
                    memberships.append(row)
                    current.append(row)
                    free_before[school] = joined
                    mid += 1
                self.current_members[gid] = current
                made_groups.append((group, bureau, big))
                if big:
                    self.bench["group"] = group
                gid += 1
        # Former members, once every current one is placed: schools of the district that left
        # (or were expelled) before what they do now, so no school's periods overlap.
        for group, bureau, big in made_groups:
            gid, founded, core = group["id"], group["founded_on"], group["core_school_id"]
            former = s.big_former if big else int(r.random() * 2 * mean_former + 0.5)
            candidates = self.schools_by_district[bureau["code"]]
            if big:
                candidates = candidates + city_pool[:200]
            tries = 0
            made = 0
            while made < former and tries < former * 6:
                tries += 1
                school = r.choice(candidates)
                if school == core:
                    continue
                until = free_before.get(school, today)
                last = until - datetime.timedelta(days=1)
                if (last - founded).days < 60:
                    continue
                joined = self.day_between(founded, last - datetime.timedelta(days=40))
                left = self.day_between(joined + datetime.timedelta(days=30), last)
                rt, rs = r.choice(SUBTYPES)
                memberships.append(
                    dict(
                        id=mid,
                        group_id=gid,
                        school_id=school,
                        role="member",
                        relation_type=rt,
                        relation_subtype=rs,
                        joined_on=joined,
                        left_on=left,
                        end_reason="expulsion" if r.random() < 0.12 else "exit",
                        note="",
                    )
                )
                free_before[school] = joined
                mid += 1
                made += 1
        self.write(EducationGroup, groups, when=lambda row: self.at(row["founded_on"]))
        self.write(Membership, memberships, when=lambda row: self.at(row["joined_on"]))
        self._membership_rows = memberships
        ended = [m for m in memberships if m["left_on"] is not None]
        historical = Membership.history.model
        self.table(historical).write(
            dict(
                m,
                history_date=self.at(m["left_on"], 11),
                history_type="~",
                history_user_id=None,
                history_change_reason=None,
            )
            for m in ended
        )
        self.counts.add(historical._meta.label, len(ended))
        # A principal for every core school, one for the bench member's school.
        principals = []
        self.principal_of: dict[int, int] = {}
        for group in groups:
            row = self.user_row(
                f"principal{group['core_school_id']}",
                "core_principal",
                school_id=group["core_school_id"],
            )
            row["rank"] = RANKS[row["id"] % len(RANKS)]  # 校长职级 (policy S-2)
            principals.append(row)
            self.principal_of[group["id"]] = row["id"]
        big = self.bench["group"]
        member_school = self.current_members[big["id"]][0]["school_id"]
        bench = [
            self.user_row("bench_city", "city_staff", authority_id=self.city_ids[0]),
            self.user_row(
                "bench_district",
                "district_staff",
                authority_id=big["authority_id"]
                if big["authority_id"] != self.bench["district_bureau"]["city_id"]
                else self.bench["district_bureau"]["id"],
            ),
            self.user_row("bench_principal", "core_principal", school_id=big["core_school_id"]),
            self.user_row("bench_member", "member_principal", school_id=member_school),
            self.user_row("bench_auditor", "auditor"),
        ]
        self.bench_users = {row["username"]: row for row in bench}
        self.write(User, [*self.user_rows, *principals, *bench], when=lambda _r: self.now)

    # -- partners and councils -----------------------------------------------------------------
    def partners(self) -> None:
        r = self.rng
        pid, sid, cid = next_id(Partner), next_id(Partnership), next_id(CouncilSeat)
        kinds = [k for k, _l in Partner.Kind.choices]
        partners = [
            dict(id=pid + i, name=f"合作单位{i + 1:06d}", kind=r.choice(kinds))
            for i in range(max(3, len(self.group_rows) // 4))
        ]
        ships, seats = [], []
        for group in self.group_rows:
            if r.random() < 0.5:
                ships.append(
                    dict(
                        id=sid,
                        group_id=group["id"],
                        partner_id=r.choice(partners)["id"],
                        projects="研学实践\n课程共建",
                        started_on=group["founded_on"],
                        ended_on=None,
                    )
                )
                sid += 1
            seats.append(
                dict(
                    id=cid,
                    group_id=group["id"],
                    role="chief_principal",
                    person_name=self.person(),
                    school_id=group["core_school_id"],
                    title="总校长",
                    started_on=group["founded_on"],
                    ended_on=None,
                )
            )
            cid += 1
        self.write(Partner, partners, when=lambda _r: self.now)
        self.write(Partnership, ships, when=lambda row: self.at(row["started_on"]))
        self.write(CouncilSeat, seats, when=lambda row: self.at(row["started_on"]))

    # -- applications --------------------------------------------------------------------------
    def applications(self) -> None:
        r, s = self.rng, self.scale
        aid, pid, cid, kid = (
            next_id(Application),
            next_id(ProposedMember),
            next_id(Consent),
            next_id(CheckResult),
        )
        statuses = [st for st, _l in Application.Status.choices]
        apps, proposed, consents, checks = [], [], [], []
        self.application_rows = apps
        groups = self.group_rows
        open_exits: set[int] = set()
        for i in range(s.applications):
            status = statuses[i % len(statuses)]
            kind = ("founding", "admission", "exit")[(i // len(statuses)) % 3]
            group = groups[r.randrange(len(groups))]
            if i < len(statuses) * 3:  # the bench group has one of each kind and state
                group = self.bench["group"]
            members = self.current_members[group["id"]]
            if kind == "exit" and status in OPEN_APPLICATION_STATUSES:
                # one open exit per membership, drafts included (L-5; a partial unique index)
                members = [m for m in members if m["id"] not in open_exits]
            if kind == "exit" and not members:
                kind = "admission"
            # only an exit waits for the core school's opinion, and only a founding or an
            # admission for other authorities' consents (the transition tables, L-1, L-3, L-5)
            if kind != "exit" and status == "awaiting_opinion":
                status = "under_decision"
            if kind == "exit" and status == "awaiting_consents":
                status = "awaiting_opinion"
            created = self.at(
                self.day_between(
                    self.today - datetime.timedelta(days=400),
                    self.today - datetime.timedelta(days=30),
                )
            )
            submitted = None if status == "draft" else created + datetime.timedelta(days=1)
            decided = status in ("approved", "approved_with_conditions", "rejected")
            authority_id = group["authority_id"]
            row = dict(
                id=aid,
                kind=kind,
                status=status,
                applicant_school_id=group["core_school_id"],
                group_id=group["id"],
                deciding_authority_id=authority_id,
                created_by_id=self.principal_of[group["id"]],
                created_at=created,
                submitted_at=submitted,
                step_started_at=submitted,
                decided_by_id=self.staff_of[authority_id] if decided else None,
                decided_at=submitted + datetime.timedelta(days=12) if decided else None,
                decision_reason="符合条件" if decided else "",
                conditions="按期提交整改报告" if status == "approved_with_conditions" else "",
                version=1 if status == "draft" else 3,
            )
            if kind == "founding":
                row["group_id"] = None
                row["proposed_name"] = f"拟组建教育集团{aid}"
                row["description"] = "组建方案"
            if kind == "exit":
                leaving = members[r.randrange(len(members))]
                if status in OPEN_APPLICATION_STATUSES:
                    open_exits.add(leaving["id"])
                row["applicant_school_id"] = leaving["school_id"]
                row["membership_id"] = leaving["id"]
                row["reason"] = "办学方向调整"
            if kind == "admission":
                row["admission_mode"] = "own_choice"
                row["start_on"] = self.today + datetime.timedelta(days=60)
            apps.append(row)
            if kind in ("founding", "admission"):
                district = self.schools_by_district[
                    self.district_bureaus[r.randrange(len(self.district_bureaus))]["code"]
                ]
                school = district[r.randrange(len(district))]
                rt, rs = r.choice(SUBTYPES)
                proposed.append(
                    dict(
                        id=pid,
                        application_id=aid,
                        school_id=school,
                        relation_type=rt,
                        relation_subtype=rs,
                        projects="教研共同体",
                    )
                )
                pid += 1
                if status != "draft":
                    other = self.school_bureau[school]
                    if other != authority_id:
                        pending = status == "awaiting_consents"
                        consents.append(
                            dict(
                                id=cid,
                                application_id=aid,
                                authority_id=other,
                                status="pending" if pending else "given",
                                decided_by_id=None if pending else self.staff_of[other],
                                decided_at=None
                                if pending
                                else submitted + datetime.timedelta(days=5),
                                requested_at=submitted,
                                version=1 if pending else 2,
                            )
                        )
                        cid += 1
            if submitted is not None:
                for clause, severity, passed in (
                    ("G-1", "hard", True),
                    ("A-4", "warning", r.random() < 0.7),
                    ("L-3", "info", True),
                ):
                    checks.append(
                        dict(
                            id=kid,
                            application_id=aid,
                            stage="submission",
                            clause=clause,
                            severity=severity,
                            passed=passed,
                            message=f"政策 {clause} 检查" + ("通过" if passed else "未通过"),
                            created_at=submitted,
                        )
                    )
                    kid += 1
            aid += 1
        when = lambda row: row.get("created_at") or row.get("requested_at") or self.now  # noqa: E731
        self.write(Application, apps, when=when)
        self.write(ProposedMember, proposed, when=lambda _r: self.now)
        self.write(Consent, consents, when=when)
        self.write(CheckResult, checks, when=when)

    # -- cards, filings, plans -----------------------------------------------------------------
    def cards_filings_plans(self) -> None:
        r, s = self.rng, self.scale
        cid, fid, pid = next_id(Card), next_id(Filing), next_id(EnrollmentPlan)
        yellow = ["yellow_issued", "under_review", "overdue", "lifted", "escalated", "closed"]
        cards = []
        with_members = [g for g in self.group_rows if self.current_members[g["id"]]]
        for i in range(s.cards):
            group = self.bench["group"] if i < 7 else r.choice(with_members)
            membership = r.choice(self.current_members[group["id"]])
            red = i % 7 == 6
            issued = self.at(
                self.day_between(
                    self.today - datetime.timedelta(days=300),
                    self.today - datetime.timedelta(days=10),
                )
            )
            status = "red_issued" if red else yellow[i % len(yellow)]
            # a rectification answered 20 days on; a card that has ended says when (L-6)
            answered = status in ("under_review", "lifted", "escalated")
            ended = status in ("lifted", "escalated", "closed", "red_issued")
            cards.append(
                dict(
                    id=cid,
                    membership_id=membership["id"],
                    group_id=group["id"],
                    level="red" if red else "yellow",
                    status=status,
                    rectification="已按协议补派骨干教师" if answered else "",
                    rectified_at=issued + datetime.timedelta(days=20) if answered else None,
                    closed_at=issued + datetime.timedelta(days=30) if ended else None,
                    ground=r.choice(["agreement", "incident"]),
                    description="未按协议参加集团教研活动",
                    deadline=None if red else issued.date() + datetime.timedelta(days=60),
                    issued_by_id=self.staff_of[group["authority_id"]],
                    issued_at=issued,
                )
            )
            cid += 1
        filings = []
        bureau_ids = [b["id"] for b in self.district_bureaus]
        typical = self.bench["district_bureau"]["id"]
        for i in range(s.filings):
            authority_id = typical if i < 6 else r.choice(bureau_ids)
            kind = ("policy", "project", "group_founding")[i % 3]
            filed = self.day_between(
                self.today - datetime.timedelta(days=400), self.today - datetime.timedelta(days=5)
            )
            status = ("filed", "acknowledged", "returned")[(i // 3) % 3]
            filings.append(
                dict(
                    id=fid,
                    authority_id=authority_id,
                    kind=kind,
                    title=f"报备事项{fid}",
                    description="",
                    project_starts_on=filed + datetime.timedelta(days=30)
                    if kind == "project"
                    else None,
                    filed_on=filed,
                    first_filed_on=filed,
                    status=status,
                    remarks="请补充材料" if status == "returned" else "",
                    filed_by_id=self.staff_of[authority_id],
                    handled_by_id=self.staff_of[self.city_ids[0]] if status != "filed" else None,
                    handled_at=self.at(filed + datetime.timedelta(days=3))
                    if status != "filed"
                    else None,
                    version=1 if status == "filed" else 2,
                )
            )
            fid += 1
        plans = []
        for i, group in enumerate(self.group_rows[: max(6, len(self.group_rows) // 4)]):
            status = ("filed", "set", "returned")[i % 3]
            plans.append(
                dict(
                    id=pid,
                    school_id=group["core_school_id"],
                    year=self.today.year,
                    places=r.randint(90, 600),
                    classes=r.randint(2, 12),
                    catchment="学区内适龄儿童",
                    method=r.choice(["catchment", "lottery", "examination", "mixed"]),
                    status=status,
                    filed_by_id=self.principal_of[group["id"]],
                    filed_at=self.now - datetime.timedelta(days=20),
                    set_by_id=self.staff_of[group["authority_id"]] if status == "set" else None,
                    set_at=self.now - datetime.timedelta(days=5) if status == "set" else None,
                    version=1 if status == "filed" else 2,
                )
            )
            pid += 1
        self.write(Card, cards, when=lambda row: row["issued_at"])
        self.write(Filing, filings, when=lambda row: self.at(row["filed_on"]))
        self.write(EnrollmentPlan, plans, when=lambda row: row["filed_at"])

    # -- attachments ---------------------------------------------------------------------------
    def attachments(self) -> None:
        """One small plan document per submitted application, written under MEDIA_ROOT."""
        owner_type = ContentType.objects.get_for_model(Application).pk
        root = Path(settings.MEDIA_ROOT)
        folder = root / "scale"
        folder.mkdir(parents=True, exist_ok=True)
        aid = next_id(Attachment)
        rows = []
        for app in self.application_rows:
            if app["submitted_at"] is None:
                continue
            content = f"集团组建方案（申请 {app['id']}）\n".encode()
            name = f"scale/plan-{app['id']}.txt"
            (root / name).write_bytes(content)
            rows.append(
                dict(
                    id=aid,
                    owner_type_id=owner_type,
                    owner_id=app["id"],
                    kind="plan",
                    version=1,
                    file=name,
                    original_name="方案.txt",
                    content_type="text/plain",
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    text=content.decode(),
                    uploaded_by_id=app["created_by_id"],
                    uploaded_at=app["submitted_at"],
                )
            )
            aid += 1
        self.write(Attachment, rows, when=lambda row: row["uploaded_at"])

    # -- notifications -------------------------------------------------------------------------
    def notifications(self) -> None:
        nid = next_id(Notification)
        rows = []
        for app in self.application_rows:
            if app["submitted_at"] is None:
                continue
            rows.append(
                dict(
                    id=nid,
                    user_id=self.staff_of[app["deciding_authority_id"]],
                    message=f"有新的申请待审核（{app['id']}）",
                    url=f"/applications/{app['id']}/",
                    created_at=app["submitted_at"],
                    read_at=None if app["status"] == "under_decision" else app["submitted_at"],
                )
            )
            nid += 1
        for user in self.bench_users.values():
            for k in range(30):
                rows.append(
                    dict(
                        id=nid,
                        user_id=user["id"],
                        message=f"通知 {k + 1}",
                        url="/",
                        created_at=self.now - datetime.timedelta(hours=k),
                        read_at=None if k < 5 else self.now,
                    )
                )
                nid += 1
        self.write(Notification, rows)

    # -- assessments (issue 10) ------------------------------------------------------------------
    def assessment_cycle(self) -> None:
        """One published city cycle (A-1) over every active group of the bench district's city,
        on the default framework: a score row per indicator and group and the stored result
        (scoring's pure functions), so the cycle pages read a city's worth of parts. Cheap:
        COPY only, from its own random stream."""
        from decimal import Decimal

        from assessments import scoring
        from assessments.cycles.models import Cycle, CycleGroup, Score
        from assessments.cycles.results import framework_specs
        from assessments.frameworks.defaults import build_framework
        from assessments.frameworks.models import Indicator

        r = random.Random(self.rng.random())
        city_id = self.bench["district_bureau"]["city_id"]
        in_city = {b["id"] for b in self.district_bureaus if b["city_id"] == city_id} | {city_id}
        groups = [g for g in self.group_rows if g["authority_id"] in in_city]
        if not groups:
            return
        staff = self.staff_of[city_id]
        end = datetime.date(self.today.year - 1, 8, 31)
        groups = [g for g in groups if g["founded_on"] <= end]
        framework = build_framework(now=self.at(datetime.date(end.year, 6, 1)))
        dims, specs = framework_specs(framework)
        indicators = list(Indicator.objects.filter(dimension__framework=framework))
        cycle_id = next_id(Cycle)
        published = self.at(datetime.date(end.year, 11, 20))
        cycle = dict(
            id=cycle_id,
            name=f"{end.year - 1}—{end.year}学年集团化办学督导评估",
            authority_id=city_id,
            framework_id=framework.pk,
            period_start=datetime.date(end.year - 1, 9, 1),
            period_end=end,
            status="published",
            self_assessment_due=datetime.date(end.year, 9, 30),
            inspection_due=datetime.date(end.year, 10, 31),
            factual_check_due=datetime.date(end.year, 11, 15),
            step_started_at=published,
            created_at=self.at(datetime.date(end.year, 9, 1)),
            created_by_id=staff,
            published_at=published,
            published_by_id=staff,
            version=5,
        )
        entries, scores = [], []
        eid, sid = next_id(CycleGroup), next_id(Score)
        for group in groups:
            given = []
            for ind in indicators:
                passed = r.random() < 0.95 if ind.kind == Indicator.Kind.PASS_FAIL else None
                score = (
                    (ind.scale_max * Decimal(r.randint(50, 100)) / 100).quantize(Decimal("0.01"))
                    if ind.kind == Indicator.Kind.SCORED
                    else None
                )
                given.append(scoring.IndicatorScore(ind.code, score, passed))
                scores.append(
                    dict(
                        id=sid,
                        entry_id=eid,
                        indicator_id=ind.pk,
                        score=score,
                        passed=passed,
                        self_score=score,
                        self_passed=passed,
                        self_note="已按要求开展。",
                        inspector_note="情况属实。",
                        scored_at=published,
                        scored_by_id=staff,
                    )
                )
                sid += 1
            result = scoring.score_group(
                dims,
                specs,
                given,
                grade_bands=framework.grade_bands,
                bonus_points=framework.bonus_points,
            )
            entries.append(
                dict(
                    id=eid,
                    cycle_id=cycle_id,
                    group_id=group["id"],
                    self_submitted_at=published,
                    inspected_at=published,
                    derived_at=published,
                    total=result.total,
                    grade=result.grade,
                    bonus=result.bonus,
                    result=result.as_json(),
                    version=3,
                )
            )
            eid += 1
        self.write(Cycle, [cycle], when=lambda row: row["created_at"])
        self.write(CycleGroup, entries, when=lambda row: published)
        self.write(Score, scores, when=lambda row: published)

    # -- funding (issue 9) ---------------------------------------------------------------------
    def funding_years(self) -> list[int]:
        """The fiscal years the bench computes: the last two complete ones and this one."""
        return [self.today.year - 2, self.today.year - 1, self.today.year]

    def funding(self) -> None:
        """Rate tables for every authority and bench year (F-1, F-4), agreements for the members
        under another authority than their core school (F-2), dispatches (F-4), spending (F-3),
        awards (F-5), staffing requests (S-1) and principals' ranks (S-2). Drawn from their own
        random stream, so the registry above stays the same for a seed."""
        r = random.Random(self.rng.random())
        years = self.funding_years()
        self._rates(r, years)
        self._agreements_and_dispatches(r)
        self._spending_awards_staffing(r, years)

    def _rates(self, r: random.Random, years: list[int]) -> None:
        tid, sid = next_id(RateTable), next_id(SubsidyStageRate)
        tables, stage_rates = [], []
        stages = [School.Stage.SENIOR, School.Stage.VOCATIONAL, School.Stage.NINE_YEAR]
        for authority_id in [*self.city_ids, *(b["id"] for b in self.district_bureaus)]:
            city = authority_id in self.city_ids
            base = r.randrange(30, 61) * 1000 + (20_000 if city else 0)
            reference = r.random() < 0.1  # some authorities count members on a reference date
            for n, year in enumerate(years):
                versions = 2 if n == 1 and r.random() < 0.05 else 1  # a revised table
                for version in range(1, versions + 1):
                    subsidy = base + n * 2000 + (version - 1) * 5000
                    tables.append(
                        dict(
                            id=tid,
                            authority_id=authority_id,
                            fiscal_year=year,
                            version=version,
                            proration="reference_date" if reference else "months",
                            reference_date=datetime.date(year, 9, 1) if reference else None,
                            subsidy_per_member=subsidy,
                            transport_per_month=r.randrange(2, 7) * 100,
                            lodging_per_month=r.randrange(3, 11) * 100,
                            note="",
                            created_by_id=self.staff_of[authority_id],
                            created_at=self.at(datetime.date(year - 1, 12, 1 + version)),
                        )
                    )
                    if r.random() < 0.3:
                        for stage in r.sample(stages, r.randint(1, 2)):
                            stage_rates.append(
                                dict(
                                    id=sid,
                                    table_id=tid,
                                    stage=stage,
                                    amount=subsidy + r.randrange(1, 5) * 5000,
                                )
                            )
                            sid += 1
                    tid += 1
        when = {row["id"]: row["created_at"] for row in tables}
        self.write(RateTable, tables, when=lambda row: row["created_at"])
        self.write(SubsidyStageRate, stage_rates, when=lambda row: when[row["table_id"]])

    def _agreements_and_dispatches(self, r: random.Random) -> None:
        """Every member under another authority than its core school has an agreement that sets
        a fee (F-2); about one membership in five has staff dispatched from the core (F-4)."""
        aid, did = next_id(Agreement), next_id(Dispatch)
        school_authority = {row["id"]: row["authority_id"] for row in self.school_rows}
        group_by_id = {g["id"]: g for g in self.group_rows}
        agreements, dispatches = [], []
        roles = [role for role, _l in Dispatch.Role.choices]
        last_day = self.today + datetime.timedelta(days=3 * 365)
        for m in self._membership_rows:
            if m["role"] != "member":
                continue
            group = group_by_id[m["group_id"]]
            core_authority = school_authority[group["core_school_id"]]
            ends = m["left_on"] - datetime.timedelta(days=1) if m["left_on"] else None
            if school_authority[m["school_id"]] != core_authority:
                kind = r.random()
                period = "yearly" if kind < 0.65 else ("per_term" if kind < 0.9 else "one_off")
                fee = {
                    "yearly": r.randrange(20, 101) * 1000,
                    "per_term": r.randrange(10, 41) * 1000,
                    "one_off": r.randrange(50, 201) * 1000,
                }[period]
                starts = m["joined_on"]
                agreement_end = min(ends or last_day, starts + datetime.timedelta(days=3 * 365 - 1))
                agreements.append(
                    dict(
                        id=aid,
                        group_id=m["group_id"],
                        membership_id=m["id"],
                        title=f"合作办学协议{aid}",
                        fee=fee,
                        period=period,
                        starts_on=starts,
                        ends_on=max(agreement_end, starts),
                        payer="school" if r.random() < 0.7 else "authority",
                        due_month=r.choice([6, 9, 12]),
                        note="",
                        created_by_id=self.principal_of[m["group_id"]],
                        created_at=self.at(starts),
                        version=1,
                    )
                )
                aid += 1
            if r.random() < 0.2:
                latest = (ends or self.today) - datetime.timedelta(days=1)
                if latest <= m["joined_on"]:
                    continue
                starts = self.day_between(m["joined_on"], latest)
                until = None
                if ends is not None or r.random() < 0.5:
                    until = min(
                        ends or last_day, starts + datetime.timedelta(days=r.randint(180, 730))
                    )
                dispatches.append(
                    dict(
                        id=did,
                        group_id=m["group_id"],
                        membership_id=m["id"],
                        person_name=self.person(),
                        role=r.choice(roles),
                        starts_on=starts,
                        ends_on=until,
                        note="",
                        created_by_id=self.principal_of[m["group_id"]],
                        created_at=self.at(starts),
                        version=1,
                    )
                )
                did += 1
        self.write(Agreement, agreements, when=lambda row: row["created_at"])
        self.write(Dispatch, dispatches, when=lambda row: row["created_at"])

    def _spending_awards_staffing(self, r: random.Random, years: list[int]) -> None:
        """One to three spending records a group a year up to today (F-3); awards for about one
        group in ten (F-5); staffing requests from about one in twenty (S-1), half handled."""
        sid, wid, qid = next_id(Spending), next_id(Award), next_id(StaffingRequest)
        categories = [c for c, _l in Spending.Category.choices]
        levels = [c for c, _l in Award.Level.choices]
        kinds = [c for c, _l in StaffingRequest.Kind.choices]
        spending, awards, requests = [], [], []
        for group in self.group_rows:
            principal = self.principal_of[group["id"]]
            for year in years:
                first = max(datetime.date(year, 1, 1), group["founded_on"])
                last = min(datetime.date(year, 12, 31), self.today)
                if last < first:
                    continue
                for _k in range(r.randint(1, 3)):
                    day = self.day_between(first, last)
                    spending.append(
                        dict(
                            id=sid,
                            group_id=group["id"],
                            fiscal_year=year,
                            category=r.choice(categories),
                            amount=r.randrange(50, 801) * 100,
                            spent_on=day,
                            note="集团专项经费支出",
                            recorded_by_id=principal,
                            recorded_at=self.at(day, 16),
                        )
                    )
                    sid += 1
            if r.random() < 0.1:
                year = r.choice(years[:2])
                awards.append(
                    dict(
                        id=wid,
                        group_id=group["id"],
                        recipient_kind=r.choice(["group", "team", "person"]),
                        recipient_name=self.person(),
                        title="集团化办学先进集体",
                        level=r.choice(levels),
                        year=year,
                        amount=r.choice([None, 10_000, 20_000, 50_000]),
                        recorded_by_id=self.staff_of[group["authority_id"]],
                        recorded_at=self.at(datetime.date(year, 12, 20)),
                    )
                )
                wid += 1
            if r.random() < 0.05:
                handled = r.random() < 0.5
                created = self.at(self.today - datetime.timedelta(days=r.randint(20, 200)))
                requests.append(
                    dict(
                        id=qid,
                        group_id=group["id"],
                        school_id=group["core_school_id"],
                        kind=r.choice(kinds),
                        count=r.randint(1, 12),
                        reason="集团成员校增加，骨干教师交流需要",
                        context={"members": len(self.current_members[group["id"]])},
                        status="handled" if handled else "open",
                        handled_by_id=None,
                        handled_at=created + datetime.timedelta(days=10) if handled else None,
                        handled_note="已纳入年度计划" if handled else "",
                        created_by_id=principal,
                        created_at=created,
                        version=2 if handled else 1,
                    )
                )
                qid += 1
        self.write(Spending, spending, when=lambda row: row["recorded_at"])
        self.write(Award, awards, when=lambda row: row["recorded_at"])
        self.write(StaffingRequest, requests, when=lambda row: row["created_at"])

    # -- finish --------------------------------------------------------------------------------
    def sequences(self) -> None:
        reset_sequences(model for model in self.tables if model._meta.pk.attname == "id")

    def check_now(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            for model in self.tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def data_exists() -> bool:
    return School.objects.exists() or EducationGroup.objects.exists()


def reset_data() -> None:
    """Empty every table of the project (not the migrations, content types or permissions)."""
    keep = {"django_migrations", "django_content_type", "auth_permission"}
    tables = [
        t for t in connection.introspection.django_table_names(only_existing=True) if t not in keep
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left pending
        cursor.execute(
            "TRUNCATE "
            + ", ".join(connection.ops.quote_name(t) for t in tables)
            + " RESTART IDENTITY CASCADE"
        )
