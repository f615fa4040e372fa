"""Education groups and the dated membership history everything else depends on (DESIGN.md)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Authority, Partner, School


class UnifiedArea(models.TextChoices):
    """What the core school unifies across the group (policy G-2)."""

    PHILOSOPHY = "philosophy", _("教育理念")
    MANAGEMENT = "management", _("学校管理")
    TEACHING_RESEARCH = "teaching_research", _("教育教研")
    INFORMATION_TECHNOLOGY = "information_technology", _("信息技术")
    EVALUATION = "evaluation", _("教育评价")


def validate_unified_areas(value) -> None:
    valid = set(UnifiedArea.values)
    if not isinstance(value, list) or any(v not in valid for v in value):
        raise ValidationError(_("统一领域只能从教育理念、学校管理、教育教研、信息技术、教育评价中选择。"))


class EducationGroupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=EducationGroup.Status.ACTIVE)


class EducationGroup(models.Model):
    """One core school plus members and partners: 1+N+X (policy G-1)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("运行中")
        SUSPENDED = "suspended", _("暂停")
        DISSOLVED = "dissolved", _("已撤销")

    name = models.CharField(_("集团名称"), max_length=100, unique=True)
    code = models.CharField(_("集团编号"), max_length=30, unique=True)
    core_school = models.ForeignKey(
        School, verbose_name=_("核心校"), on_delete=models.PROTECT, related_name="led_groups"
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("审批教育行政部门"), on_delete=models.PROTECT,
        related_name="groups", help_text=_("核心校所属教育行政部门（政策 L-1）"),
    )
    specialty = models.CharField(_("集团特色"), max_length=200, help_text=_("一集团一特色（政策 G-5）"))
    unified_areas = models.JSONField(
        _("统一领域"), default=list, blank=True, validators=[validate_unified_areas],
        help_text=_("核心校引领统一的领域（政策 G-2）"),
    )
    founded_on = models.DateField(_("成立日期"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)

    history = HistoricalRecords()
    objects = EducationGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("教育集团")
        verbose_name_plural = _("教育集团")
        ordering = ["founded_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("founded_on")),
                name="group_dissolved_after_founded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def unified_area_labels(self) -> list[str]:
        labels = dict(UnifiedArea.choices)
        return [str(labels[v]) for v in self.unified_areas if v in labels]


class RelationType(models.TextChoices):
    """How closely a member cooperates with the core (policy T-1, T-2, T-3)."""

    FUSION = "T-1", _("融合型")
    AGGREGATION = "T-2", _("聚合型")
    ALLIANCE = "T-3", _("联合型")


class RelationSubtype(models.TextChoices):
    FUSION_REPLICATION = "T-1a", _("融合复制型")
    FUSION_SPECIALTY = "T-1b", _("融合特色型")
    AGGREGATION_CROSS_STAGE = "T-2a", _("基础教育跨学段聚合")
    AGGREGATION_VOCATIONAL = "T-2b", _("普通高中职业高中聚合")
    AGGREGATION_HIGHER_ED = "T-2c", _("高等教育基础教育聚合")
    ALLIANCE_SINGLE = "T-3a", _("单个项目")
    ALLIANCE_MULTIPLE = "T-3b", _("多个项目")


SUBTYPES_BY_TYPE: dict[str, list[str]] = {
    t: [s for s in RelationSubtype.values if s.startswith(t)] for t in RelationType.values
}


class MembershipQuerySet(models.QuerySet):
    def open(self):
        return self.filter(left_on__isnull=True)

    def active_on(self, day: datetime.date):
        """Memberships in force on `day`: joined on or before it, not yet left (left_on is the
        first day the school is no longer a member)."""
        return self.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))

    def members(self):
        return self.filter(role=Membership.Role.MEMBER)


class Membership(models.Model):
    """A school's membership of a group over a period: never deleted, only ended (DESIGN.md).

    The core school holds a membership too (role core), so the database itself keeps a school in
    at most one group at a time and keeps the core from also being a member (policy G-1)."""

    class Role(models.TextChoices):
        CORE = "core", _("核心校")
        MEMBER = "member", _("成员校")

    class EndReason(models.TextChoices):
        EXIT = "exit", _("退出")
        EXPULSION = "expulsion", _("红牌淘汰")
        DISSOLUTION = "dissolution", _("集团撤销")
        CORE_CHANGE = "core_change", _("核心校变更")

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("教育集团"), on_delete=models.PROTECT,
        related_name="memberships",
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    relation_type = models.CharField(
        _("合作类型"), max_length=4, choices=RelationType.choices, blank=True
    )
    relation_subtype = models.CharField(
        _("合作子类型"), max_length=4, choices=RelationSubtype.choices, blank=True
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("离开原因"), max_length=20, choices=EndReason.choices, blank=True
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员关系")
        verbose_name_plural = _("成员关系")
        ordering = ["group_id", "-role", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=Q(left_on__isnull=True),
                name="membership_one_open_per_school",
                violation_error_message=_("该学校已是另一个集团的在册成员，同一时间只能属于一个集团。"),
            ),
            models.UniqueConstraint(
                fields=["group"], condition=Q(left_on__isnull=True, role="core"),
                name="membership_one_open_core_per_group",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("离开日期不能早于加入日期。"),
            ),
            models.CheckConstraint(
                condition=(Q(left_on__isnull=True, end_reason="")
                           | (Q(left_on__isnull=False) & ~Q(end_reason=""))),
                name="membership_end_reason_iff_left",
                violation_error_message=_("结束成员关系须同时填写离开日期和离开原因。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(role="core", relation_type="", relation_subtype="")
                    | Q(role="member", relation_type="T-1", relation_subtype__in=["T-1a", "T-1b"])
                    | Q(role="member", relation_type="T-2",
                        relation_subtype__in=["T-2a", "T-2b", "T-2c"])
                    | Q(role="member", relation_type="T-3", relation_subtype__in=["T-3a", "T-3b"])
                ),
                name="membership_type_matches_subtype",
                violation_error_message=_("成员校须选择合作类型及其对应的子类型（政策 T-1 至 T-3）。"),
            ),
        ]
        indexes = [
            models.Index(fields=["group", "left_on"]),
            models.Index(fields=["school", "joined_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.school} @ {self.group}"

    @property
    def is_open(self) -> bool:
        return self.left_on is None


class Partnership(models.Model):
    """A partner's cooperation with a group, with the projects it takes part in (policy G-1)."""

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("教育集团"), on_delete=models.PROTECT,
        related_name="partnerships",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("合作单位"), on_delete=models.PROTECT, related_name="partnerships"
    )
    projects = models.TextField(_("合作项目"), help_text=_("每行一个项目"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("合作关系")
        verbose_name_plural = _("合作关系")
        ordering = ["group_id", "started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="partnership_ended_after_started",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} @ {self.group}"

    def project_list(self) -> list[str]:
        return [p.strip() for p in self.projects.splitlines() if p.strip()]


class CouncilSeat(models.Model):
    """A seat on the group's decision-making council (决策议事机构, policy G-3)."""

    class Role(models.TextChoices):
        CHIEF_PRINCIPAL = "chief_principal", _("总校长")
        MEMBER_PRINCIPAL = "member_principal", _("成员校校长")
        ADVISER = "adviser", _("专家顾问")

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("教育集团"), on_delete=models.PROTECT,
        related_name="council_seats",
    )
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices)
    person_name = models.CharField(_("姓名"), max_length=50)
    school = models.ForeignKey(
        School, verbose_name=_("所在学校"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="council_seats",
    )
    title = models.CharField(_("职务/职称"), max_length=100, blank=True)
    started_on = models.DateField(_("任职开始"))
    ended_on = models.DateField(_("任职结束"), null=True, blank=True)
    non_default_reason = models.TextField(
        _("总校长非核心校校长的理由"), blank=True,
        help_text=_("原则上由核心校校长任总校长（政策 G-3）；另行安排须说明理由"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("议事机构成员")
        verbose_name_plural = _("议事机构成员")
        ordering = ["group_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="chief_principal", ended_on__isnull=True),
                name="council_one_chief_principal",
                violation_error_message=_("一个集团同一时间只能有一位总校长。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person_name}"


def document_upload_to(instance: "GroupDocument", filename: str) -> str:
    # Generated names only: the user's file name never becomes a path (stored in original_name).
    import uuid

    return f"documents/{instance.group_id}/{instance.kind}/{uuid.uuid4().hex}"


class GroupDocument(models.Model):
    """A versioned document of a group: charter and management rules (policy G-4, L-8), plans and
    cooperation agreements (policy L-1)."""

    class Kind(models.TextChoices):
        CHARTER = "charter", _("集团章程")
        RULES = "rules", _("内部管理制度")
        PLAN = "plan", _("集团化办学方案")
        AGREEMENT = "agreement", _("合作办学协议")

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("教育集团"), on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("文件类别"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to=document_upload_to, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    text = models.TextField(_("正文"), blank=True)
    adopted_on = models.DateField(_("通过日期"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("集团文件")
        verbose_name_plural = _("集团文件")
        ordering = ["group_id", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "kind", "version"], name="document_unique_version",
                violation_error_message=_("该文件的这一版本已存在。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


# ---------------------------------------------------------------------------------------------
# A group's life: applications, consents, checks, evaluation, cards, filings, enrollment plans.
# Status values and the allowed moves between them live in groups/workflows.py.
# ---------------------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from django.core.validators import MaxValueValidator, MinValueValidator  # noqa: E402

from groups.workflows import (  # noqa: E402
    ApplicationKind,
    ApplicationStatus,
    CardStatus,
    ConsentStatus,
    EnrollmentPlanStatus,
    FilingStatus,
)


class PolicyParameters(models.Model):
    """The numbers the policy leaves to the authorities, editable by administrators (one row)."""

    min_weak_share = models.DecimalField(
        _("薄弱学校最低占比"), max_digits=4, decimal_places=3, default=Decimal("0.200"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("成员校中薄弱学校占比低于此值时提示（政策 A-4）"),
    )
    max_admissions_per_year = models.PositiveSmallIntegerField(
        _("12个月内吸纳成员校上限"), default=3,
        help_text=_("超过此数时提示稳步发展（政策 L-4）"),
    )
    yellow_card_window_days = models.PositiveSmallIntegerField(
        _("两次黄牌的间隔天数"), default=365,
        help_text=_("此期间内第二张黄牌即可升级为红牌（政策 L-6）"),
    )
    rectification_days = models.PositiveSmallIntegerField(_("默认整改期限（天）"), default=60)
    consent_days = models.PositiveSmallIntegerField(_("主管部门表态期限（天）"), default=20)
    decision_days = models.PositiveSmallIntegerField(_("审批期限（天）"), default=30)
    upload_max_mb = models.PositiveSmallIntegerField(_("上传文件大小上限（MB）"), default=20)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")

    def __str__(self) -> str:
        return str(_("政策参数"))

    @classmethod
    def current(cls) -> "PolicyParameters":
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.create()


class Application(models.Model):
    """A founding (L-1), admission (L-3) or exit (L-5) application and its decision."""

    Kind = ApplicationKind
    Status = ApplicationStatus

    class AdmissionMode(models.TextChoices):
        OWN_CHOICE = "own_choice", _("学校自主结合")
        ADMINISTRATIVE = "administrative", _("行政主导结合")

    class Recommendation(models.TextChoices):
        ADMIT = "admit", _("建议吸纳")
        ADMIT_WITH_CONDITIONS = "admit_with_conditions", _("建议附条件吸纳")
        DO_NOT_ADMIT = "do_not_admit", _("不建议吸纳")

    kind = models.CharField(_("申请类别"), max_length=20, choices=ApplicationKind.choices)
    status = models.CharField(_("状态"), max_length=30, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT)
    applicant_school = models.ForeignKey(
        School, verbose_name=_("申请学校"), on_delete=models.PROTECT, related_name="applications"
    )
    group = models.ForeignKey(
        EducationGroup, verbose_name=_("教育集团"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="applications",
    )
    deciding_authority = models.ForeignKey(
        Authority, verbose_name=_("审批部门"), on_delete=models.PROTECT,
        related_name="applications_to_decide",
        help_text=_("核心校所属教育行政部门（政策 L-1、L-3、L-5）"),
    )
    # Founding (L-1)
    proposed_name = models.CharField(_("拟定集团名称"), max_length=100, blank=True)
    specialty = models.CharField(_("集团特色"), max_length=200, blank=True)
    unified_areas = models.JSONField(_("统一领域"), default=list, blank=True,
                                     validators=[validate_unified_areas])
    chief_principal_name = models.CharField(_("拟任总校长"), max_length=50, blank=True)
    chief_principal_reason = models.TextField(_("总校长非核心校校长的理由"), blank=True)
    description = models.TextField(_("说明"), blank=True)
    # Admission (L-3)
    admission_mode = models.CharField(_("结合方式"), max_length=20,
                                      choices=AdmissionMode.choices, blank=True)
    start_on = models.DateField(_("生效日期"), null=True, blank=True,
                                help_text=_("成立、加入或退出生效的日期"))
    evaluation_recommendation = models.CharField(
        _("准入评估建议"), max_length=30, choices=Recommendation.choices, blank=True)
    evaluation_note = models.TextField(_("准入评估说明"), blank=True)
    # Exit (L-5)
    membership = models.ForeignKey(
        Membership, verbose_name=_("退出的成员关系"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="exit_applications",
    )
    reason = models.TextField(_("申请理由"), blank=True)
    opinion = models.TextField(_("核心校意见"), blank=True)
    opinion_supports = models.BooleanField(_("核心校是否支持"), null=True, blank=True)
    opinion_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出意见人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # Decision
    decision_reason = models.TextField(_("审批意见"), blank=True)
    conditions = models.TextField(_("附加条件"), blank=True)
    justification = models.TextField(
        _("对提示事项的书面说明"), blank=True,
        help_text=_("“原则上”规则提示时，审批人须说明理由后方可继续"),
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    spun_off_from = models.ForeignKey(
        "self", verbose_name=_("退出后新建自"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    step_started_at = models.DateTimeField(_("当前环节开始时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["deciding_authority", "status"]),
            models.Index(fields=["applicant_school", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="exit") | Q(membership__isnull=False),
                name="application_exit_names_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def title(self) -> str:
        if self.kind == ApplicationKind.FOUNDING:
            return self.proposed_name
        if self.kind == ApplicationKind.EXIT:
            return f"{self.applicant_school.name} → {self.group.name if self.group else ''}"
        return self.group.name if self.group else ""


class ProposedMember(models.Model):
    """A school proposed as member by a founding or admission application, with the relation it
    would have to the core (policy T-1 … T-3)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="proposed_members")
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT,
                               related_name="+")
    relation_type = models.CharField(_("合作类型"), max_length=4, choices=RelationType.choices)
    relation_subtype = models.CharField(_("合作子类型"), max_length=4,
                                        choices=RelationSubtype.choices)
    through_training = models.BooleanField(
        _("贯通式培养"), default=False, help_text=_("跨学段贯通式培养仅限批准的试点（政策 T-2a）"))
    pilot_approval = models.CharField(
        _("贯通培养试点批准文号"), max_length=200, blank=True,
        help_text=_("T-2a 贯通式培养须经批准试点（政策 T-2a）"),
    )
    projects = models.TextField(_("合作项目"), blank=True, help_text=_("联合型须至少一个项目（政策 T-3）"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("拟加入成员校")
        verbose_name_plural = _("拟加入成员校")
        constraints = [
            models.UniqueConstraint(fields=["application", "school"],
                                    name="proposed_member_once"),
        ]

    def __str__(self) -> str:
        return str(self.school)


class ProposedPartner(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="proposed_partners")
    partner = models.ForeignKey(Partner, verbose_name=_("合作单位"), on_delete=models.PROTECT,
                                related_name="+")
    projects = models.TextField(_("合作项目"), help_text=_("每行一个项目"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("拟合作单位")
        verbose_name_plural = _("拟合作单位")

    def __str__(self) -> str:
        return str(self.partner)


class Consent(models.Model):
    """One authority's prior consent to an application (policy L-1, L-3)."""

    Status = ConsentStatus

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="consents")
    authority = models.ForeignKey(Authority, verbose_name=_("教育行政部门"),
                                  on_delete=models.PROTECT, related_name="consents")
    status = models.CharField(_("表态"), max_length=10, choices=ConsentStatus.choices,
                              default=ConsentStatus.PENDING)
    reason = models.TextField(_("理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("表态时间"), null=True, blank=True)
    requested_at = models.DateTimeField(_("征求时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("主管部门意见")
        verbose_name_plural = _("主管部门意见")
        constraints = [
            models.UniqueConstraint(fields=["application", "authority"],
                                    name="consent_once_per_authority"),
        ]
        indexes = [models.Index(fields=["authority", "status"])]

    def __str__(self) -> str:
        return f"{self.authority}: {self.get_status_display()}"


class CheckResult(models.Model):
    """The outcome of one policy check, run at submission and again at decision, kept so the
    decision page shows what the approver saw."""

    class Stage(models.TextChoices):
        SUBMISSION = "submission", _("提交时")
        DECISION = "decision", _("审批时")

    class Severity(models.TextChoices):
        HARD = "hard", _("硬性规定")
        WARNING = "warning", _("原则性规定")
        INFO = "info", _("信息")

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="check_results")
    stage = models.CharField(_("环节"), max_length=20, choices=Stage.choices)
    clause = models.CharField(_("政策条款"), max_length=10)
    severity = models.CharField(_("性质"), max_length=10, choices=Severity.choices)
    passed = models.BooleanField(_("是否通过"))
    message = models.TextField(_("说明"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策检查结果")
        verbose_name_plural = _("政策检查结果")
        ordering = ["application_id", "stage", "severity", "clause", "id"]

    def __str__(self) -> str:
        return f"{self.clause}: {self.message}"


class AdmissionCriterion(models.Model):
    """An item of the admission evaluation checklist (准入评估, policy L-3). Rows without a
    group apply to every group; a group may add its own."""

    group = models.ForeignKey(EducationGroup, verbose_name=_("教育集团"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="admission_criteria")
    name = models.CharField(_("评估项目"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=10)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("准入评估项目")
        verbose_name_plural = _("准入评估项目")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class AdmissionScore(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="admission_scores")
    criterion = models.ForeignKey(AdmissionCriterion, on_delete=models.PROTECT,
                                  related_name="scores")
    score = models.PositiveSmallIntegerField(_("得分"))
    comment = models.CharField(_("评语"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("准入评估得分")
        verbose_name_plural = _("准入评估得分")
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"],
                                    name="admission_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Card(models.Model):
    """A yellow-card warning or red-card expulsion of a member (policy L-6)."""

    Status = CardStatus

    class Level(models.TextChoices):
        YELLOW = "yellow", _("黄牌")
        RED = "red", _("红牌")

    class Ground(models.TextChoices):
        AGREEMENT = "agreement", _("不履行合作办学协议")
        INCIDENT = "incident", _("发生重大事故，影响集团声誉")

    membership = models.ForeignKey(Membership, verbose_name=_("成员关系"),
                                   on_delete=models.PROTECT, related_name="cards")
    group = models.ForeignKey(EducationGroup, verbose_name=_("教育集团"),
                              on_delete=models.PROTECT, related_name="cards")
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    status = models.CharField(_("状态"), max_length=20, choices=CardStatus.choices)
    ground = models.CharField(_("事由"), max_length=20, choices=Ground.choices)
    description = models.TextField(_("情况说明"))
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发出人"),
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("发出时间"), auto_now_add=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    rectified_at = models.DateTimeField(_("提交整改时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    escalated_from = models.ForeignKey("self", verbose_name=_("由此黄牌升级"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("黄牌/红牌")
        verbose_name_plural = _("黄牌/红牌")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="red", status="red_issued") | (Q(level="yellow")
                                                                 & ~Q(status="red_issued")),
                name="card_level_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.membership.school}"


class Filing(models.Model):
    """A district's filing with the city: a district-founded group (L-2), a supporting policy
    (D-1) or a reform project filed before it starts (D-2)."""

    Status = FilingStatus

    class Kind(models.TextChoices):
        GROUP_FOUNDING = "group_founding", _("区（市）成立集团报备")
        POLICY = "policy", _("配套政策")
        PROJECT = "project", _("改革创新项目")

    authority = models.ForeignKey(Authority, verbose_name=_("报备部门"),
                                  on_delete=models.PROTECT, related_name="filings")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("内容摘要"), blank=True)
    project_starts_on = models.DateField(_("项目开始日期"), null=True, blank=True)
    filed_on = models.DateField(_("报备日期"))
    first_filed_on = models.DateField(
        _("首次报备日期"), null=True, blank=True,
        help_text=_("退回后重新报备时保留；是否提前报备以此为准（政策 D-2）"))
    status = models.CharField(_("状态"), max_length=20, choices=FilingStatus.choices,
                              default=FilingStatus.FILED)
    remarks = models.TextField(_("市教育局意见"), blank=True)
    group = models.ForeignKey(EducationGroup, verbose_name=_("教育集团"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="filings")
    application = models.ForeignKey(Application, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="filings")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报备人"),
                                 on_delete=models.PROTECT, related_name="+")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报备")
        verbose_name_plural = _("报备")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="project") | Q(project_starts_on__isnull=False),
                name="filing_project_has_start",
                violation_error_message=_("改革创新项目须填写开始日期。"),
            ),
        ]
        indexes = [models.Index(fields=["status", "filed_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_late(self) -> bool:
        """A project must be filed before it starts (提前报备, policy D-2). A project filed in time,
        returned by the city and refiled after it started was still filed in advance: the first
        filing date counts."""
        return (self.kind == self.Kind.PROJECT and self.project_starts_on is not None
                and self.project_starts_on <= (self.first_filed_on or self.filed_on))


class EnrollmentPlan(models.Model):
    """A school's yearly enrollment plan, filed by the school and set by its authority: one plan
    per school (一校一案, policy L-7)."""

    Status = EnrollmentPlanStatus

    class Method(models.TextChoices):
        CATCHMENT = "catchment", _("划片入学")
        LOTTERY = "lottery", _("电脑派位")
        EXAMINATION = "examination", _("中考录取")
        MIXED = "mixed", _("多种方式")

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT,
                               related_name="enrollment_plans")
    year = models.PositiveSmallIntegerField(
        _("招生年度"), validators=[MinValueValidator(2019), MaxValueValidator(2100)])
    places = models.PositiveIntegerField(_("计划招生人数"))
    classes = models.PositiveSmallIntegerField(_("计划班数"))
    catchment = models.TextField(_("招生范围"))
    method = models.CharField(_("招生方式"), max_length=20, choices=Method.choices)
    through_training = models.BooleanField(_("贯通培养"), default=False)
    gifted_programme = models.BooleanField(_("拔尖创新人才培养"), default=False)
    visiting_study = models.BooleanField(_("访学"), default=False)
    notes = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=EnrollmentPlanStatus.choices,
                              default=EnrollmentPlanStatus.FILED)
    remarks = models.TextField(_("主管部门意见"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    filed_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("招生计划")
        verbose_name_plural = _("招生计划")
        ordering = ["-year", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="enrollment_plan_one_per_year",
                                    violation_error_message=_("该学校本年度已有招生计划。")),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"


class Attachment(models.Model):
    """An uploaded file of a workflow (application documents, card evidence, filings), versioned
    per owner and kind, stored under a generated name outside the static path."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("集团化办学方案")
        AGREEMENT = "agreement", _("合作办学协议")
        CHARTER = "charter", _("集团章程")
        EVIDENCE = "evidence", _("证明材料")
        RECTIFICATION = "rectification", _("整改材料")
        POLICY = "policy", _("政策文件")
        OTHER = "other", _("其他")

    application = models.ForeignKey(Application, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="attachments")
    card = models.ForeignKey(Card, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="attachments")
    filing = models.ForeignKey(Filing, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="attachments")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("版本"), default=1)
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    text = models.TextField(_("提取的文本"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["kind", "-version", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(application__isnull=False, card__isnull=True, filing__isnull=True)
                           | Q(application__isnull=True, card__isnull=False, filing__isnull=True)
                           | Q(application__isnull=True, card__isnull=True,
                               filing__isnull=False)),
                name="attachment_has_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}: {self.original_name}"


class Notification(models.Model):
    """An in-app notice; the e-mail copy is sent after the transaction commits."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    message = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message
