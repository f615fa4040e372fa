"""The demo's workflows in flight (issue 3): each step taken through its workflow service by the
user who would take it, on the day it happened (passed to the service as `now`: the clock is
never patched), so every demo login finds work in its inbox."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.applications import checks
from groups.applications import services as application_services
from groups.applications.models import AdmissionCriterion, Application, Consent
from groups.applications.selectors import admission_criteria_for
from groups.applications.workflows import Action
from groups.cards import services as card_services
from groups.cards.models import Card
from groups.enrollment import services as enrollment_services
from groups.enrollment.models import EnrollmentPlan
from groups.filings import services as filing_services
from groups.filings.models import Filing
from groups.registry.models import (
    EducationGroup,
    Membership,
    PolicyParameters,
)
from members.models import User
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.demo.data import (
    ACKNOWLEDGED_FILING_DAYS,
    ACKNOWLEDGED_FILING_TITLE,
    ADMISSION_CRITERIA,
    ADMISSION_DAYS,
    CRITERION_MAX_SCORE,
    EXIT_DAYS,
    FOUNDED_DAYS,
    MEMBER_CARD_DAYS,
    MEMBER_USER_SCHOOL,
    OVERDUE_CARD_DAYS,
    OVERDUE_CARD_SCHOOL,
    PENDING_DAYS,
    PILOT_GROUP_CODE,
    POLICY_FILING_DAYS,
    POLICY_FILING_TITLE,
    PROJECT_FILING_DAYS,
    PROJECT_FILING_TITLE,
    USERS,
    District,
    StoryPlan,
    district_bureau_code,
    group_name_for,
)
from qingdao_groups.models import Attachment

if TYPE_CHECKING:  # the seeder runs the story; the story only refers to it
    from qingdao_groups.demo.seeder import Seeder


def demo_pdf(title: str, lines: tuple[str, ...] = (), caption: str = "Demo document") -> bytes:
    """A tiny valid one-page PDF. The Chinese lines use the standard Adobe-GB1 font (STSong-Light,
    not embedded: PDF readers bring it); the caption is plain ASCII so that pdftotext finds text
    even without poppler's CJK language pack."""

    def utf16(text: str) -> str:
        return "<" + text.encode("utf-16-be").hex().upper() + ">"

    # A PDF literal string: printable ASCII, with backslash and parentheses escaped.
    caption = "".join(ch for ch in caption if " " <= ch <= "~")
    caption = caption.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    ops = [
        "BT",
        "/F2 9 Tf",
        "72 800 Td",
        f"(Qingdao education groups - {caption}) Tj",
        "ET",
        "BT",
        "/F1 14 Tf",
        "22 TL",
        "72 760 Td",
    ]
    ops += [f"{utf16(line)} Tj T*" for line in (title, *lines)]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R /F2 7 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 8 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _month_start_after(day: datetime.date, months: int) -> datetime.date:
    """The first day of the (months + 1)-th month after `day`'s: more than `months` months on."""
    month = day.month + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


class StorySeeder:
    """Applications, consents, decisions, cards, filings and enrollment plans in progress, each
    step through its service by the user who takes it (issue 3). Each scenario is skipped when
    its marker object exists, and runs in a savepoint: a refusal skips it whole, with a warning."""

    def __init__(self, seeder: Seeder, story: StoryPlan):
        self.seeder = seeder
        self.story = story
        self.warn = seeder.warn
        self.schools = seeder.schools
        self.users = {
            u.username: u
            for u in User.objects.select_related("school", "authority").filter(
                username__in=[p.username for p in (*USERS, *story.users)]
            )
        }
        self.authorities = seeder.authorities
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    def run(self) -> None:
        self._checklist()
        self._parameters()
        erzhong = EducationGroup.objects.filter(code=PILOT_GROUP_CODE).first()
        licang = self.authorities[district_bureau_code(District.LICANG)]
        member_school = self.schools[MEMBER_USER_SCHOOL]
        scenarios: tuple[tuple[str, Callable[[], bool], Callable[[], None]], ...] = (
            (
                _("李沧区批准成立的集团"),
                lambda: self._founding_exists(self.story.founded_core),
                self._approved_founding,
            ),
            (
                _("待市北区同意的成立申请"),
                lambda: self._founding_exists(self.story.pending_core),
                self._pending_founding,
            ),
            (
                _("青岛二中教育集团的吸纳申请"),
                lambda: Application.objects.filter(
                    kind=Application.Kind.ADMISSION, group=erzhong
                ).exists(),
                lambda: self._admission(erzhong),
            ),
            (
                _("九水路中学的退出申请"),
                lambda: Application.objects.filter(
                    kind=Application.Kind.EXIT, applicant_school=member_school
                ).exists(),
                lambda: self._exit(erzhong),
            ),
            (
                _("逾期未整改的黄牌"),
                lambda: Card.objects.filter(
                    group=erzhong, membership__school=self.schools[OVERDUE_CARD_SCHOOL]
                ).exists(),
                lambda: self._overdue_card(erzhong),
            ),
            (
                _("九水路中学的黄牌"),
                lambda: Card.objects.filter(membership__school=member_school).exists(),
                lambda: self._member_card(erzhong),
            ),
            (
                _("李沧区的配套政策报备"),
                lambda: Filing.objects.filter(
                    authority=licang, kind=Filing.Kind.POLICY, title=POLICY_FILING_TITLE
                ).exists(),
                self._policy_filing,
            ),
            (
                _("李沧区的改革项目报备"),
                lambda: Filing.objects.filter(
                    authority=licang, kind=Filing.Kind.PROJECT, title=PROJECT_FILING_TITLE
                ).exists(),
                self._project_filing,
            ),
            (
                _("市北区已确认的配套政策报备"),
                lambda: Filing.objects.filter(
                    kind=Filing.Kind.POLICY, title=ACKNOWLEDGED_FILING_TITLE
                ).exists(),
                self._acknowledged_filing,
            ),
            (
                _("青岛二中的招生计划"),
                lambda: EnrollmentPlan.objects.filter(
                    school=self._user("principal").school, year=self.today.year
                ).exists(),
                self._erzhong_enrollment,
            ),
            (
                _("九水路中学的招生计划"),
                lambda: EnrollmentPlan.objects.filter(
                    school=member_school, year=self.today.year
                ).exists(),
                self._member_enrollment,
            ),
        )
        for label, exists, build in scenarios:
            if erzhong is None or exists():
                continue
            try:
                with transaction.atomic():
                    build()
            except (RuleRefusal, PermissionDenied, ObjectDoesNotExist) as exc:
                # e.g. the member left through the demo's own pages before a second run
                self.warn(
                    _("跳过演示事项“%(label)s”：%(reason)s")
                    % {"label": label, "reason": getattr(exc, "message", str(exc))}
                )

    # -- helpers ----------------------------------------------------------------------------
    def _at(self, days_ago: int) -> datetime.datetime:
        """The moment a step `days_ago` days back took place (its services' `now`)."""
        return self.now - datetime.timedelta(days=days_ago)

    def _day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def _user(self, username: str) -> User:
        return self.users[username]

    def _founding_exists(self, core: str) -> bool:
        name = group_name_for(core)
        return (
            Application.objects.filter(kind=Application.Kind.FOUNDING, proposed_name=name).exists()
            or EducationGroup.objects.filter(name=name).exists()
        )

    def _attach(
        self,
        application: Application,
        kind: str,
        filename: str,
        title: str,
        lines: tuple[str, ...],
        actor: User,
        now: datetime.datetime,
    ) -> None:
        caption = {
            Attachment.Kind.PLAN: "group-running plan (demo)",
            Attachment.Kind.AGREEMENT: "cooperation agreement (demo)",
            Attachment.Kind.CHARTER: "group charter (demo)",
        }[kind]
        upload = SimpleUploadedFile(
            filename, demo_pdf(title, lines, caption), content_type="application/pdf"
        )
        attachment_add(owner=application, kind=kind, uploaded_file=upload, actor=actor, now=now)

    @staticmethod
    def _fresh(application: Application) -> Application:
        return Application.objects.get(pk=application.pk)

    # -- the checklist and the parameters ----------------------------------------------------
    def _checklist(self) -> None:
        """The city-wide admission evaluation checklist (policy L-3)."""
        existing = set(
            AdmissionCriterion.objects.filter(group__isnull=True).values_list("name", flat=True)
        )
        for order, (name, description) in enumerate(ADMISSION_CRITERIA, start=1):
            if name not in existing:
                self.seeder._save(
                    AdmissionCriterion(
                        name=name,
                        description=description,
                        max_score=CRITERION_MAX_SCORE,
                        order=order,
                    )
                )

    def _parameters(self) -> None:
        """The policy's numbers at their defaults (A-4, L-4, L-6), recorded by the admin."""
        if not PolicyParameters.objects.exists():
            self.seeder._save(PolicyParameters())

    # -- founding (policy L-1, L-2) ----------------------------------------------------------
    def _draft_founding(
        self,
        username: str,
        core: str,
        local: str,
        other: str,
        *,
        specialty: str,
        areas: list[str],
        local_projects: str,
        other_subtype: str,
        other_projects: str,
        partner: tuple[str, str],
        now: datetime.datetime,
    ) -> Application:
        school = self.schools[core]
        actor = self._user(username)
        name = group_name_for(core)
        application = application_services.application_create(
            kind=Application.Kind.FOUNDING,
            actor=actor,
            proposed_name=name,
            specialty=specialty,
            unified_areas=areas,
            chief_principal_name=school.principal_name,
            description=_(
                "以%(core)s为核心校，联合%(local)s、%(other)s组建教育集团，"
                "推进课程共建、教研共享和教师交流。"
            )
            % {"core": core, "local": local, "other": other},
            now=now,
        )
        application_services.proposed_member_set(
            application=application,
            school=self.schools[local],
            relation_type="T-2",
            relation_subtype="T-2a",
            projects=local_projects,
            actor=actor,
            now=now,
        )
        application_services.proposed_member_set(
            application=application,
            school=self.schools[other],
            relation_type=other_subtype[:3],
            relation_subtype=other_subtype,
            projects=other_projects,
            actor=actor,
            now=now,
        )
        partner_name, projects = partner
        application_services.proposed_partner_add(
            application=application,
            partner=self.seeder.partners[partner_name],
            projects=projects,
            actor=actor,
            now=now,
        )
        documents = (
            (
                Attachment.Kind.PLAN,
                "集团化办学方案.pdf",
                f"{name}集团化办学方案",
                (
                    f"一、集团特色：{specialty}",
                    f"二、核心校：{core}",
                    f"三、成员校：{local}、{other}",
                ),
            ),
            (
                Attachment.Kind.AGREEMENT,
                f"合作办学协议-{local}.pdf",
                f"{core}与{local}合作办学协议",
                ("合作方式：聚合型（基础教育跨学段聚合）",),
            ),
            (
                Attachment.Kind.AGREEMENT,
                f"合作办学协议-{other}.pdf",
                f"{core}与{other}合作办学协议",
                (f"合作方式：{'联合型' if other_subtype.startswith('T-3') else '聚合型'}",),
            ),
            (
                Attachment.Kind.CHARTER,
                "集团章程.pdf",
                f"{name}章程",
                (
                    f"第一条 本集团名称为{name}，由{core}作为核心校。",
                    f"第二条 本集团以“{specialty}”为办学特色。",
                    "第三条 集团设立理事会，原则上由核心校校长担任总校长。",
                ),
            ),
        )
        for kind, filename, title, lines in documents:
            self._attach(application, kind, filename, title, lines, actor, now)
        return application

    def _approved_founding(self) -> None:
        """Drafted by 金水路学校, consented by 崂山, approved by 李沧, then filed with the city
        automatically (policy L-1, L-2): the city's inbox holds the filing."""
        story = self.story
        application = self._draft_founding(
            "licang_principal2",
            story.founded_core,
            story.founded_local,
            story.founded_other,
            specialty="体艺融合与健康成长",
            areas=["philosophy", "management", "teaching_research"],
            local_projects="小学与初中体育艺术课程衔接",
            other_subtype="T-3b",
            other_projects="校园足球联合训练\n艺术教师跨区交流",
            partner=("青岛大学", "体育教师专业发展培训\n学生体质健康监测"),
            now=self._at(FOUNDED_DAYS["draft"]),
        )
        application_services.application_submit(
            application=application,
            actor=application.created_by,
            now=self._at(FOUNDED_DAYS["submit"]),
        )
        consent = Consent.objects.get(
            application=application, authority=self.schools[story.founded_other].authority
        )
        application_services.consent_record(
            consent=consent,
            given=True,
            actor=self._user("laoshan"),
            reason=_("同意%(school)s以联合型方式加入，开展校园足球和艺术教育合作项目。")
            % {"school": story.founded_other},
            now=self._at(FOUNDED_DAYS["consent"]),
        )
        application = self._fresh(application)
        warnings = checks.warnings(
            checks.run_checks(application, self._day(FOUNDED_DAYS["decide"]))
        )
        application_services.application_decide(
            application=application,
            action=Action.APPROVE,
            actor=self._user("district"),
            expected_version=application.version,
            reason=_("材料齐全，各成员校主管部门均已同意，符合集团化办学有关规定，同意成立。"),
            justification=_("经审核，提示事项不影响集团运行，同意。") if warnings else "",
            now=self._at(FOUNDED_DAYS["decide"]),
        )

    def _pending_founding(self) -> None:
        """Drafted and submitted by 楼山中学: 李沧 will decide once 市北 has consented; the
        `shibei` user's inbox holds the consent (policy L-1)."""
        story = self.story
        application = self._draft_founding(
            "licang_principal",
            story.pending_core,
            story.pending_local,
            story.pending_other,
            specialty="海洋科普与跨学科实践",
            areas=["philosophy", "teaching_research", "information_technology"],
            local_projects="小初衔接课程\n薄弱学校帮扶（政策 A-4）",
            other_subtype="T-3a",
            other_projects="初中数学联合教研",
            partner=("青岛科技馆", "海洋科普研学实践"),
            now=self._at(PENDING_DAYS["draft"]),
        )
        application_services.application_submit(
            application=application,
            actor=application.created_by,
            now=self._at(PENDING_DAYS["submit"]),
        )

    # -- admission (policy L-3, L-4) ---------------------------------------------------------
    def _admission(self, group: EducationGroup) -> None:
        """青岛二中 applies to admit a 李沧 school; the city decides once 李沧 has consented: the
        `district` user's inbox holds the consent (policy L-3)."""
        actor = self._user("principal")
        candidate = self.schools[self.story.candidate]
        drafted = self._at(ADMISSION_DAYS["draft"])
        application = application_services.application_create(
            kind=Application.Kind.ADMISSION,
            actor=actor,
            group=group,
            admission_mode=Application.AdmissionMode.OWN_CHOICE,
            start_on=_month_start_after(self.today, 2),
            description=_("%(school)s 自主申请加入集团，双方已就课程共建和教师交流达成合作意向。")
            % {"school": candidate.name},
            now=drafted,
        )
        application_services.proposed_member_set(
            application=application,
            school=candidate,
            relation_type="T-2",
            relation_subtype="T-2a",
            projects="初高中课程衔接\n骨干教师跟岗学习",
            actor=actor,
            now=drafted,
        )
        self._attach(
            application,
            Attachment.Kind.AGREEMENT,
            "合作办学协议.pdf",
            f"青岛第二中学与{candidate.name}合作办学协议",
            ("合作方式：聚合型（基础教育跨学段聚合）", "合作期限：三年"),
            actor,
            drafted,
        )
        criteria = list(admission_criteria_for(group))
        marks = (17, 15, 16, 19, 17)
        scores = {
            c.pk: (min(marks[i % len(marks)], c.max_score), _("符合要求"))
            for i, c in enumerate(criteria)
        }
        application_services.admission_evaluation_record(
            application=application,
            scores=scores,
            recommendation=Application.Recommendation.ADMIT,
            actor=actor,
            note=_("候选学校办学理念与集团契合，合作意愿强，建议吸纳。"),
            now=self._at(ADMISSION_DAYS["evaluate"]),
        )
        application_services.application_submit(
            application=application, actor=actor, now=self._at(ADMISSION_DAYS["submit"])
        )

    # -- exit (policy L-5) -------------------------------------------------------------------
    def _exit(self, group: EducationGroup) -> None:
        """九水路中学 applies to leave a few months ahead; the `principal` user's inbox holds the
        core school's opinion (policy L-5)."""
        actor = self._user("member")
        membership = Membership.objects.current(today=self.today).get(
            group=group, school=actor.school
        )
        application = application_services.application_create(
            kind=Application.Kind.EXIT,
            actor=actor,
            membership=membership,
            start_on=_month_start_after(self.today, 3),
            reason=_(
                "本校办学质量已显著提升，拟退出集团，牵头与李沧区相邻学校组建新的教育集团"
                "（政策 L-5）。"
            ),
            now=self._at(EXIT_DAYS["draft"]),
        )
        application_services.application_submit(
            application=application, actor=actor, now=self._at(EXIT_DAYS["submit"])
        )

    # -- cards (policy L-6) ------------------------------------------------------------------
    def _overdue_card(self, group: EducationGroup) -> None:
        """A yellow card the city issued, whose deadline passed: the daily task marked it overdue
        the next day, so the city's inbox shows an overdue rectification (policy L-6)."""
        membership = Membership.objects.current(today=self.today).get(
            group=group, school=self.schools[OVERDUE_CARD_SCHOOL]
        )
        card_services.card_issue_yellow(
            membership=membership,
            ground=Card.Ground.AGREEMENT,
            actor=self._user("city"),
            deadline=self._day(OVERDUE_CARD_DAYS["deadline"]),
            description=_(
                "本学年未按合作办学协议参加集团联合教研和教师培训项目，缺席集团教研活动 6 次。"
            ),
            now=self._at(OVERDUE_CARD_DAYS["issue"]),
        )
        marked_on = OVERDUE_CARD_DAYS["deadline"] - 1
        card_services.cards_mark_overdue(today=self._day(marked_on), now=self._at(marked_on))

    def _member_card(self, group: EducationGroup) -> None:
        """A yellow card for the `member` user's school, awaiting its rectification (L-6)."""
        membership = Membership.objects.current(today=self.today).get(
            group=group, school=self._user("member").school
        )
        card_services.card_issue_yellow(
            membership=membership,
            ground=Card.Ground.AGREEMENT,
            actor=self._user("city"),
            description=_(
                "未按合作办学协议接收核心校派驻的执行校长开展工作，集团课程共建项目进度滞后。"
            ),
            now=self._at(MEMBER_CARD_DAYS),
        )

    # -- district filings (policy D-1, D-2) --------------------------------------------------
    def _policy_filing(self) -> None:
        filing_services.filing_create(
            kind=Filing.Kind.POLICY,
            title=POLICY_FILING_TITLE,
            actor=self._user("district"),
            description=_("明确区属学校参与集团化办学的准入、考核和经费保障措施（政策 D-1）。"),
            now=self._at(POLICY_FILING_DAYS),
        )

    def _project_filing(self) -> None:
        """Filed after it started: the city sees it flagged late (提前报备, policy D-2)."""
        filing_services.filing_create(
            kind=Filing.Kind.PROJECT,
            title=PROJECT_FILING_TITLE,
            actor=self._user("district"),
            project_starts_on=self._day(PROJECT_FILING_DAYS["starts"]),
            description=_("集团内骨干教师每周到成员校走教不少于两个半天（政策 D-2）。"),
            now=self._at(PROJECT_FILING_DAYS["filed"]),
        )

    def _acknowledged_filing(self) -> None:
        """市北 filed a supporting policy; the city acknowledged it and issued its 备案回执
        (policy D-1; issue 8)."""
        filing = filing_services.filing_create(
            kind=Filing.Kind.POLICY,
            title=ACKNOWLEDGED_FILING_TITLE,
            actor=self._user("shibei"),
            description=_("明确集团化办学专项经费的来源、拨付和使用管理（政策 D-1）。"),
            now=self._at(ACKNOWLEDGED_FILING_DAYS["filed"]),
        )
        filing_services.filing_acknowledge(
            filing=filing,
            actor=self._user("city"),
            remarks=_("已收悉，予以备案。"),
            expected_version=filing.version,
            now=self._at(ACKNOWLEDGED_FILING_DAYS["acknowledged"]),
        )

    # -- enrollment plans (policy L-7) -------------------------------------------------------
    # Filed today (the services' default `now`): these plans are not dated back.
    def _erzhong_enrollment(self) -> None:
        """青岛二中 files its plan and the city sets it."""
        plan = enrollment_services.enrollment_plan_file(
            school=self._user("principal").school,
            year=self.today.year,
            places=600,
            classes=12,
            catchment=_("全市统一招生（含崂山区、市南区、市北区等）"),
            method=EnrollmentPlan.Method.EXAMINATION,
            gifted_programme=True,
            notes=_("含拔尖创新人才培养实验班 2 个。"),
            actor=self._user("principal"),
        )
        enrollment_services.enrollment_plan_set(
            plan=plan, actor=self._user("city"), remarks=_("同意。")
        )

    def _member_enrollment(self) -> None:
        """九水路中学 files its plan; it waits for 李沧 to set it (the `district` inbox)."""
        enrollment_services.enrollment_plan_file(
            school=self._user("member").school,
            year=self.today.year,
            places=360,
            classes=8,
            catchment=_("李沧区九水街道划片范围"),
            method=EnrollmentPlan.Method.CATCHMENT,
            notes=_("与青岛二中开展初高中衔接课程。"),
            actor=self._user("member"),
        )
