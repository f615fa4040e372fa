"""Loads the demo registry (qingdao_groups/demo/data.py) idempotently: every object is looked up
by its natural key and only what is missing is created, through the registry services."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments.frameworks.defaults import default_framework_ensure
from groups.charter.models import GroupDocument
from groups.registry import services
from groups.registry.models import (
    CouncilSeat,
    EducationGroup,
    Membership,
    Partnership,
)
from members.models import Authority, District, Partner, School, User
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.demo.api import demo_api_client_ensure
from qingdao_groups.demo.assessments import AssessmentSeeder
from qingdao_groups.demo.data import (
    CITY_CODE,
    CITY_NAME,
    DEMO_PASSWORD,
    DISTRICTS,
    OTHER_UNITS,
    PARTNERS,
    USERS,
    D,
    GroupPlan,
    MemberPlan,
    Plan,
    UserPlan,
    charter_text,
    district_bureau_code,
    district_name,
    rules_text,
)
from qingdao_groups.demo.funding import FundingSeeder
from qingdao_groups.demo.practice import PracticeSeeder
from qingdao_groups.demo.story import StorySeeder


class Seeder:
    """Creates what the plan holds and the database lacks; never updates what exists."""

    def __init__(self, plan: Plan, warn=print):
        self.plan = plan
        self.warn = warn
        self.authorities: dict[str, Authority] = {}
        self.schools: dict[str, School] = {}  # by name
        self.partners: dict[str, Partner] = {}
        self.groups: dict[str, EducationGroup] = {}
        self.actor: User | None = None
        self._password_hash: str | None = None

    def run(self) -> None:
        self.actor = self._user(USERS[0])  # admin first: the actor of every history row
        self._authorities()
        self._schools()
        self._partners()
        for group in self.plan.groups:
            self._group(group)
        story_users = self.plan.story.users if self.plan.story else ()
        for plan in (*USERS[1:], *story_users):
            self._user(plan)
        # Issue 11: the 市南区 bureau's system with the demo's fixed API key (demo only).
        demo_api_client_ensure(
            authority=self.authorities[district_bureau_code("shinan")], actor=self.actor
        )
        if self.plan.story is not None:
            StorySeeder(self, self.plan.story).run()
            FundingSeeder(self, story_users).run()
            PracticeSeeder(self).run()
            AssessmentSeeder(self).run()
        # The assessment framework built from the policy, published (A-1; issue 10).
        default_framework_ensure(actor=self.actor)

    def _save(self, obj, day: datetime.date | None = None):
        obj._history_user = self.actor
        if day is not None:
            obj._history_date = self._moment(day)
        obj.save()
        return obj

    def _moment(self, day: datetime.date) -> datetime.datetime:
        """When the registry recorded what happened on `day` (its services' `now`): 09:00 that
        day, so the audit history carries the story's dates, not the seeding moment; a day
        still to come was recorded now (an approved join or exit ahead of its date)."""
        now = timezone.now()
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
        return min(moment, now)

    # -- authorities ------------------------------------------------------------------------
    def _authorities(self) -> None:
        existing = {a.code: a for a in Authority.objects.all()}

        def get(code: str, **fields) -> Authority:
            if code not in existing:
                existing[code] = self._save(Authority(code=code, **fields))
            return existing[code]

        city = get(CITY_CODE, name=CITY_NAME, kind=Authority.Kind.CITY)
        have = set(District.objects.values_list("code", flat=True))
        for order, spec in enumerate(DISTRICTS, start=1):
            if spec.district not in have:
                self._save(
                    District(
                        code=spec.district,
                        name=district_name(spec.district),
                        city=city,
                        sort_order=order,
                    )
                )
        for spec in DISTRICTS:
            get(
                district_bureau_code(spec.district),
                name=spec.bureau,
                kind=Authority.Kind.DISTRICT,
                district_id=spec.district,
                parent=city,
            )
        for code, name in OTHER_UNITS:
            get(code, name=name, kind=Authority.Kind.OTHER)
        self.authorities = existing

    # -- schools ----------------------------------------------------------------------------
    def _schools(self) -> None:
        existing = {
            s.code: s
            for s in School.objects.filter(code__in=[spec.code for spec in self.plan.schools])
        }
        new = []
        for spec in self.plan.schools:
            if spec.code in existing:
                continue
            school = spec.build(self.authorities)
            school.full_clean(
                exclude=["authority"], validate_unique=False, validate_constraints=False
            )
            new.append(school)
        if new:
            bulk_create_with_history(new, School, default_user=self.actor)
            existing.update(
                {s.code: s for s in School.objects.filter(code__in=[s.code for s in new])}
            )
        self.schools = {spec.name: existing[spec.code] for spec in self.plan.schools}

    # -- partners ---------------------------------------------------------------------------
    def _partners(self) -> None:
        existing = {p.name: p for p in Partner.objects.filter(name__in=[p[0] for p in PARTNERS])}
        for i, (name, kind, contact) in enumerate(PARTNERS, start=1):
            if name not in existing:
                existing[name] = self._save(
                    Partner(
                        name=name,
                        kind=kind,
                        contact_name=contact,
                        contact_phone=f"0532-8{i:07d}",
                        contact_email=f"partner{i:02d}@example.com",
                    )
                )
        self.partners = existing

    # -- groups -----------------------------------------------------------------------------
    def _group(self, plan: GroupPlan) -> None:
        group = EducationGroup.objects.filter(code=plan.code).first()
        if group is None:
            try:
                group = services.group_create(
                    name=plan.name,
                    code=plan.code,
                    core_school=self.schools[plan.core],
                    specialty=plan.specialty,
                    founded_on=plan.founded,
                    actor=self.actor,
                    unified_areas=plan.areas,
                    description=plan.description,
                    now=self._moment(plan.founded),
                )
            except RuleRefusal as exc:
                self.warn(
                    _("跳过集团 %(name)s：%(reason)s") % {"name": plan.name, "reason": exc.message}
                )
                return
        self.groups[plan.code] = group
        for member in self.plan.members[plan.code]:
            self._membership(group, member)
        for partner, projects, started in plan.partners:
            self._partnership(group, self.partners[partner], projects, started)
        if plan.pilot:
            self._council(group, plan)
            self._documents(group, plan)

    def _membership(self, group: EducationGroup, plan: MemberPlan) -> None:
        school = self.schools[plan.school]
        if Membership.objects.filter(group=group, school=school, joined_on=plan.joined).exists():
            return
        try:
            membership = services.membership_add(
                group=group,
                school=school,
                relation_type=plan.relation_type,
                relation_subtype=plan.subtype,
                joined_on=plan.joined,
                actor=self.actor,
                note=plan.note,
                now=self._moment(plan.joined),
            )
            if plan.left is not None:  # recorded as it happened: joined, later ended (L-5)
                services.membership_end(
                    membership=membership,
                    left_on=plan.left,
                    end_reason=Membership.EndReason.EXIT,
                    actor=self.actor,
                    now=self._moment(plan.left),
                )
        except RuleRefusal as exc:
            self.warn(
                _("跳过成员 %(school)s（%(group)s）：%(reason)s")
                % {"school": school.name, "group": group.name, "reason": exc.message}
            )

    def _partnership(self, group, partner, projects, started) -> None:
        if Partnership.objects.filter(group=group, partner=partner).exists():
            return
        services.partnership_add(
            group=group,
            partner=partner,
            projects=list(projects),
            started_on=started,
            actor=self.actor,
            now=self._moment(started),
        )

    def _council(self, group: EducationGroup, plan: GroupPlan) -> None:
        """Member principals and expert advisers beside the chief principal (policy G-3)."""
        existing = set(CouncilSeat.objects.filter(group=group).values_list("role", "person_name"))
        seats = []
        for member in self.plan.members[plan.code]:
            if member.left is None:
                school = self.schools[member.school]
                chief = group.core_school.principal_name
                if school.principal_name and school.principal_name != chief:
                    seats.append(
                        (
                            CouncilSeat.Role.MEMBER_PRINCIPAL,
                            school.principal_name,
                            school,
                            "成员校校长",
                            member.joined,
                        )
                    )
        for name, title in plan.advisers:
            seats.append((CouncilSeat.Role.ADVISER, name, None, title, plan.founded))
        for role, name, school, title, started in seats:
            if (role, name) in existing:
                continue
            existing.add((role, name))
            self._save(
                CouncilSeat(
                    group=group,
                    role=role,
                    person_name=name,
                    school=school,
                    title=title,
                    started_on=started,
                ),
                started,
            )

    def _documents(self, group: EducationGroup, plan: GroupPlan) -> None:
        """Charter v1 and v2 and the internal management rules (policy G-4, L-8)."""
        existing = set(GroupDocument.objects.filter(group=group).values_list("kind", "version"))
        authority = group.authority.name
        core = group.core_school.name
        docs = [
            (
                GroupDocument.Kind.CHARTER,
                1,
                f"{plan.name}章程",
                charter_text(plan, core, authority, 1),
                plan.founded,
            ),
            (
                GroupDocument.Kind.CHARTER,
                2,
                f"{plan.name}章程（2022年修订）",
                charter_text(plan, core, authority, 2),
                D(2022, 3, 1),
            ),
            (
                GroupDocument.Kind.RULES,
                1,
                f"{plan.name}内部管理制度",
                rules_text(plan),
                plan.founded + datetime.timedelta(days=60),
            ),
        ]
        for kind, version, title, text, adopted in docs:
            if (kind, version) in existing:
                continue
            self._save(
                GroupDocument(
                    group=group,
                    kind=kind,
                    version=version,
                    title=title,
                    text=text,
                    adopted_on=adopted,
                    uploaded_by=self.actor,
                    uploaded_at=self._moment(adopted),
                ),
                adopted,
            )

    # -- users ------------------------------------------------------------------------------
    def _user(self, plan: UserPlan) -> User:
        user = User.objects.filter(username=plan.username).first()
        if user is not None:
            return user
        user = User(
            username=plan.username,
            role=plan.role,
            first_name=plan.first_name,
            last_name=plan.last_name,
            email=f"{plan.username}@example.com",
            authority=self.authorities[plan.authority] if plan.authority else None,
            school=self.schools[plan.school] if plan.school else None,
            rank=plan.rank,
            is_staff=plan.role == User.Role.SYSADMIN,
            is_superuser=plan.role == User.Role.SYSADMIN,
        )
        # One hash for every demo login (they share the published password): hashing costs
        # about a second of CPU each with the production hasher.
        if self._password_hash is None:
            user.set_password(DEMO_PASSWORD)
            self._password_hash = user.password
        user.password = self._password_hash
        user._history_user = self.actor or user  # admin records its own creation
        user.save()
        return user
