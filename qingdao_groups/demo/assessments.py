"""The demo's assessments (issue 10: A-1 … A-4): the default framework published by the city
bureau, ONE published cycle "2024—2025学年集团化办学督导评估" over the three pilot groups walked
through the real services on the story's days (self-assessment with notes and evidence,
inspector scores, one factual flag accepted and one rejected, published), and one cycle of a
district in its self-assessment step, so every role has something to do.

The reports are produced at publication by the reports feature's code: `cycle_publish` calls
`assessments.reports.services.reports_request_for_cycle`, and the seeder then runs
`_produce_reports` (the call point for producing them synchronously, without a worker).

Idempotent like the rest of the demo: each part is skipped when its cycle exists."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.cycles import services
from assessments.cycles.models import Cycle, CycleGroup
from assessments.cycles.workflows import FlagAction
from assessments.frameworks.defaults import DEFAULT_CODE, default_framework_ensure
from assessments.frameworks.models import Framework, Indicator
from groups.registry.models import EducationGroup
from members.models import Authority, User
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.demo.data import PILOT_GROUPS
from qingdao_groups.demo.story import demo_pdf

if TYPE_CHECKING:
    from qingdao_groups.demo.seeder import Seeder

PILOT_CYCLE = "2024—2025学年集团化办学督导评估"
DISTRICT_CYCLE = "2025—2026学年李沧区集团化办学督导评估"
D = datetime.date

# (indicator code → self note, inspector note) for the manual indicators; the scores vary by
# group so that the grades differ.
NOTES = {
    "Q2": (
        "集团内各校学业质量监测成绩整体提升，优质课程覆盖全部成员校。",
        "质量提升明显，佐证充分。",
    ),
    "Q3": ("统一教研每学期不少于8次，共建校本课程12门。", "共建共享机制健全。"),
}
SELF_NOTE = "已按要求开展，详见佐证材料。"
INSPECTOR_NOTE = "经现场查看与资料核查，情况属实。"
SCORES = {0: Decimal("9"), 1: Decimal("8"), 2: Decimal("7")}  # out of 10, by pilot order


class AssessmentSeeder:
    def __init__(self, seeder: Seeder):
        self.seeder = seeder
        self.warn = seeder.warn
        self.now = timezone.now()
        self.city = (
            User.objects.filter(role=User.Role.CITY_STAFF, username="city").first()
            or User.objects.filter(role=User.Role.CITY_STAFF).order_by("pk").first()
        )

    def _moment(self, day: datetime.date, hour: int = 9) -> datetime.datetime:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        return min(moment, self.now)

    def run(self) -> None:
        if self.city is None:
            return
        steps = (
            (_("评估指标体系"), self._framework),
            (PILOT_CYCLE, self._pilot_cycle),
            (DISTRICT_CYCLE, self._district_cycle),
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

    def _framework(self) -> None:
        default_framework_ensure(actor=self.city, now=self._moment(D(2025, 6, 1)))

    def _published_framework(self) -> Framework:
        return Framework.objects.get(
            code=DEFAULT_CODE, status=Framework.Status.PUBLISHED, revision=1
        )

    @staticmethod
    def _principal(group: EducationGroup) -> User | None:
        return (
            User.objects.filter(
                role=User.Role.CORE_PRINCIPAL, school_id=group.core_school_id, is_active=True
            )
            .order_by("pk")
            .first()
        )

    @staticmethod
    def _manual(cycle: Cycle) -> list[Indicator]:
        return list(
            Indicator.objects.filter(
                dimension__framework_id=cycle.framework_id, source=Indicator.Source.MANUAL
            )
            .select_related("dimension")
            .order_by("dimension__order", "order")
        )

    def _self_assess(self, entry: CycleGroup, principal: User, when: datetime.datetime) -> None:
        cycle = entry.cycle
        items = []
        for ind in self._manual(cycle):
            note = NOTES.get(ind.code, (SELF_NOTE, ""))[0]
            if ind.kind == Indicator.Kind.PASS_FAIL:
                items.append(services.ScoreInput(ind, passed=True, note=note))
            else:
                items.append(
                    services.ScoreInput(ind, score=ind.scale_max * Decimal("0.9"), note=note)
                )
        entry = services.self_assessment_save(
            entry=entry,
            actor=principal,
            expected_version=entry.version,
            items=items,
            summary="本学年集团围绕章程和发展规划推进各项工作，成员校办学水平整体提升。",
            now=when,
        )
        for ind in self._manual(cycle):
            if ind.evidence_required:
                upload = SimpleUploadedFile(
                    f"{ind.code}佐证材料.pdf",
                    demo_pdf(
                        f"{entry.group.name} {ind.name}",
                        ("佐证材料",),
                        "assessment evidence (demo)",
                    ),
                    content_type="application/pdf",
                )
                services.evidence_add(
                    entry=entry, indicator=ind, uploaded_file=upload, actor=principal, now=when
                )
        entry.refresh_from_db()
        services.self_assessment_submit(
            entry=entry, actor=principal, expected_version=entry.version, now=when
        )

    def _score(self, entry: CycleGroup, value: Decimal, when: datetime.datetime) -> None:
        items = []
        for ind in self._manual(entry.cycle):
            note = NOTES.get(ind.code, ("", INSPECTOR_NOTE))[1]
            if ind.kind == Indicator.Kind.PASS_FAIL:
                items.append(services.ScoreInput(ind, passed=True, note=note))
            else:
                items.append(services.ScoreInput(ind, score=ind.scale_max * value / 10, note=note))
        services.scores_save(
            entry=entry, actor=self.city, expected_version=entry.version, items=items, now=when
        )

    def _pilot_cycle(self) -> None:
        """The published cycle of the three pilot groups (A-1, A-2), on the story's days."""
        if Cycle.objects.filter(name=PILOT_CYCLE).exists():
            return
        codes = [p.code for p in PILOT_GROUPS]
        groups = {g.code: g for g in EducationGroup.objects.filter(code__in=codes)}
        ordered = [groups[c] for c in codes if c in groups]
        if not ordered:
            return
        city = self.city
        cycle = services.cycle_create(
            actor=city,
            name=PILOT_CYCLE,
            framework=self._published_framework(),
            period_start=D(2024, 9, 1),
            period_end=D(2025, 8, 31),
            self_assessment_due=D(2025, 9, 30),
            inspection_due=D(2025, 10, 31),
            factual_check_due=D(2025, 11, 15),
            group_ids=[g.pk for g in ordered],
            now=self._moment(D(2025, 9, 1)),
        )
        cycle = services.cycle_start(
            cycle=cycle, actor=city, expected_version=cycle.version, now=self._moment(D(2025, 9, 3))
        )
        entries = {
            e.group_id: e
            for e in CycleGroup.objects.filter(cycle=cycle).select_related("cycle", "group")
        }
        for i, group in enumerate(ordered):
            principal = self._principal(group)
            if principal is not None:
                self._self_assess(entries[group.pk], principal, self._moment(D(2025, 9, 22 + i)))
        cycle = services.cycle_to_inspection(
            cycle=cycle,
            actor=city,
            expected_version=cycle.version,
            now=self._moment(D(2025, 10, 8)),
        )
        for i, group in enumerate(ordered):
            entry = CycleGroup.objects.select_related("cycle").get(pk=entries[group.pk].pk)
            self._score(entry, SCORES.get(i, Decimal("8")), self._moment(D(2025, 10, 20 + i)))
        cycle = services.cycle_to_factual_check(
            cycle=cycle,
            actor=city,
            expected_version=cycle.version,
            now=self._moment(D(2025, 11, 3)),
        )
        # The 青岛二中 group flags two points: one is accepted (the score corrected), one
        # rejected with a reply.
        first = ordered[0]
        principal = self._principal(first)
        if principal is not None:
            entry = CycleGroup.objects.select_related("cycle", "group").get(pk=entries[first.pk].pk)
            q3 = Indicator.objects.get(dimension__framework_id=cycle.framework_id, code="Q3")
            accepted = services.flag_raise(
                entry=entry,
                actor=principal,
                indicator=q3,
                text="本学年集团统一教研实际开展16次（附活动记录），评估意见按8次计，请核实。",
                now=self._moment(D(2025, 11, 5)),
            )
            rejected = services.flag_raise(
                entry=entry,
                actor=principal,
                indicator=None,
                text="建议将社会声誉维度的家长满意度调查改为按学期计算。",
                now=self._moment(D(2025, 11, 6)),
            )
            services.flag_resolve(
                flag=accepted,
                actor=city,
                action=FlagAction.ACCEPT,
                reply="经核对活动记录，情况属实，予以更正。",
                expected_version=accepted.version,
                score=q3.scale_max,
                now=self._moment(D(2025, 11, 10)),
            )
            services.flag_resolve(
                flag=rejected,
                actor=city,
                action=FlagAction.REJECT,
                reply="该意见涉及评估方法而非事实错误，按本次评估方案执行，不予采纳。",
                expected_version=rejected.version,
                now=self._moment(
                    D(
                        2025,
                        11,
                        10,
                    ),
                    15,
                ),
            )
        cycle = services.cycle_publish(
            cycle=cycle,
            actor=city,
            expected_version=cycle.version,
            now=self._moment(D(2025, 11, 20)),
        )
        self._produce_reports(cycle)

    def _produce_reports(self, cycle: Cycle) -> None:
        """The published cycle's reports, produced synchronously (no worker in the seeder), so
        `export_report QD2019001` works right after seed_demo."""
        from assessments.reports.services import reports_produce_for_cycle

        reports_produce_for_cycle(cycle, now=cycle.published_at)

    def _district_cycle(self) -> None:
        """A 李沧 district cycle in its self-assessment step (A-1), due in three weeks."""
        if Cycle.objects.filter(name=DISTRICT_CYCLE).exists():
            return
        actor = User.objects.filter(
            role=User.Role.DISTRICT_STAFF, username="district", authority__isnull=False
        ).first()
        if actor is None:
            return
        today = timezone.localdate(self.now)
        period_end = D(2026, 8, 31)
        if not services.eligible_groups(actor.authority, period_end).exists():
            return
        framework = self._published_framework()
        cycle = services.cycle_create(
            actor=actor,
            name=DISTRICT_CYCLE,
            framework=framework,
            period_start=D(2025, 9, 1),
            period_end=period_end,
            self_assessment_due=today + datetime.timedelta(days=21),
            inspection_due=today + datetime.timedelta(days=50),
            factual_check_due=today + datetime.timedelta(days=65),
            now=self.now - datetime.timedelta(days=3),
        )
        services.cycle_start(
            cycle=cycle,
            actor=actor,
            expected_version=cycle.version,
            now=self.now - datetime.timedelta(days=2),
        )


__all__ = ["AssessmentSeeder", "Authority"]
