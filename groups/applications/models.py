"""Education groups and the dated membership history everything else depends on (DESIGN.md)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.applications.workflows import ApplicationKind, ApplicationStatus, ConsentStatus
from groups.registry.models import (
    EducationGroup,
    Membership,
    RelationSubtype,
    RelationType,
    validate_unified_areas,
)
from members.models import Authority, Partner, School
from qingdao_groups.core.checks import Outcome, Severity
from qingdao_groups.core.messages import MESSAGES, Message, decode, render
from qingdao_groups.models import Attachment

# Literal and sorted, so the migration's condition stays what it is (workflows.OPEN_STATUSES:
# tests/groups/test_exit_once.py checks they agree).
OPEN_EXIT_STATUSES = [
    "awaiting_consents",
    "awaiting_opinion",
    "draft",
    "returned",
    "under_decision",
]


def application_title(
    kind: str, proposed_name: str, applicant_name: str, group_name: str | None
) -> str:
    """`Application.title` from plain values (the export reads no records)."""
    if kind == ApplicationKind.FOUNDING:
        return proposed_name or applicant_name
    if kind == ApplicationKind.EXIT:
        return f"{applicant_name} → {group_name or ''}"
    return group_name or ""


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
    status = models.CharField(
        _("状态"), max_length=30, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    applicant_school = models.ForeignKey(
        School, verbose_name=_("申请学校"), on_delete=models.PROTECT, related_name="applications"
    )
    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("教育集团"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    deciding_authority = models.ForeignKey(
        Authority,
        verbose_name=_("审批部门"),
        on_delete=models.PROTECT,
        related_name="applications_to_decide",
        help_text=_("核心校所属教育行政部门（政策 L-1、L-3、L-5）"),
    )
    # Founding (L-1)
    proposed_name = models.CharField(_("拟定集团名称"), max_length=100, blank=True)
    specialty = models.CharField(_("集团特色"), max_length=200, blank=True)
    unified_areas = models.JSONField(
        _("统一领域"), default=list, blank=True, validators=[validate_unified_areas]
    )
    chief_principal_name = models.CharField(_("拟任总校长"), max_length=50, blank=True)
    chief_principal_reason = models.TextField(_("总校长非核心校校长的理由"), blank=True)
    description = models.TextField(_("说明"), blank=True)
    # Admission (L-3)
    admission_mode = models.CharField(
        _("结合方式"), max_length=20, choices=AdmissionMode.choices, blank=True
    )
    start_on = models.DateField(
        _("生效日期"), null=True, blank=True, help_text=_("成立、加入或退出生效的日期")
    )
    evaluation_recommendation = models.CharField(
        _("准入评估建议"), max_length=30, choices=Recommendation.choices, blank=True
    )
    evaluation_note = models.TextField(_("准入评估说明"), blank=True)
    # Exit (L-5)
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("退出的成员关系"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exit_applications",
    )
    reason = models.TextField(_("申请理由"), blank=True)
    opinion = models.TextField(_("核心校意见"), blank=True)
    opinion_supports = models.BooleanField(_("核心校是否支持"), null=True, blank=True)
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出意见人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Decision
    decision_reason = models.TextField(_("审批意见"), blank=True)
    conditions = models.TextField(_("附加条件"), blank=True)
    justification = models.TextField(
        _("对提示事项的书面说明"),
        blank=True,
        help_text=_("“原则上”规则提示时，审批人须说明理由后方可继续"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    spun_off_from = models.ForeignKey(
        "self",
        verbose_name=_("退出后新建自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    step_started_at = models.DateTimeField(_("当前环节开始时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    # Its documents (qingdao_groups.core.documents; who may see them: this feature's hooks).
    attachments = GenericRelation(
        Attachment, content_type_field="owner_type", object_id_field="owner_id"
    )
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
            # One open exit per membership, drafts included (policy L-5, issue 8): a second
            # one could only contradict the first.
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(kind="exit", status__in=OPEN_EXIT_STATUSES),
                name="application_one_open_exit_per_membership",
                violation_error_message=_("该成员关系已有一份未办结的退出申请（政策 L-5）。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def stored_outcomes(self, stage: str | None = None) -> list[Outcome]:
        """The policy-check results kept at `stage` (CheckResult.Stage; every stage when None),
        as Outcome objects whose `message` is rendered in the reader's language, in the order
        the page lists them (clause, severity). Reads `check_results` through a prefetch when
        there is one."""
        rows = [r for r in self.check_results.all() if stage is None or r.stage == stage]
        rows.sort(key=lambda r: (r.stage, r.severity, r.clause, r.pk or 0))
        return [r.as_outcome() for r in rows]

    @property
    def title(self) -> str:
        """How the application is named everywhere (pages, inbox, notices): the proposed group
        name of a founding (the applicant school until one is chosen), the leaving school and
        its group of an exit, the group of an admission."""
        return application_title(
            self.kind,
            self.proposed_name,
            self.applicant_school.name,
            self.group.name if self.group else None,
        )


class ProposedMember(models.Model):
    """A school proposed as member by a founding or admission application, with the relation it
    would have to the core (policy T-1 … T-3)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="proposed_members"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    relation_type = models.CharField(_("合作类型"), max_length=4, choices=RelationType.choices)
    relation_subtype = models.CharField(
        _("合作子类型"), max_length=4, choices=RelationSubtype.choices
    )
    through_training = models.BooleanField(
        _("贯通式培养"), default=False, help_text=_("跨学段贯通式培养仅限批准的试点（政策 T-2a）")
    )
    pilot_approval = models.CharField(
        _("贯通培养试点批准文号"),
        max_length=200,
        blank=True,
        help_text=_("T-2a 贯通式培养须经批准试点（政策 T-2a）"),
    )
    projects = models.TextField(
        _("合作项目"), blank=True, help_text=_("联合型须至少一个项目（政策 T-3）")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("拟加入成员校")
        verbose_name_plural = _("拟加入成员校")
        constraints = [
            models.UniqueConstraint(fields=["application", "school"], name="proposed_member_once"),
        ]

    def __str__(self) -> str:
        return str(self.school)


class ProposedPartner(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="proposed_partners"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("合作单位"), on_delete=models.PROTECT, related_name="+"
    )
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

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="consents")
    authority = models.ForeignKey(
        Authority, verbose_name=_("教育行政部门"), on_delete=models.PROTECT, related_name="consents"
    )
    status = models.CharField(
        _("表态"), max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.PENDING
    )
    reason = models.TextField(_("理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("表态时间"), null=True, blank=True)
    requested_at = models.DateTimeField(_("征求时间"), default=timezone.now)
    version = models.PositiveIntegerField(_("版本"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("主管部门意见")
        verbose_name_plural = _("主管部门意见")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "authority"], name="consent_once_per_authority"
            ),
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

    Severity = Severity  # the shared severities (qingdao_groups/core/checks.py)

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="check_results"
    )
    stage = models.CharField(_("环节"), max_length=20, choices=Stage.choices)
    clause = models.CharField(_("政策条款"), max_length=10)
    severity = models.CharField(_("性质"), max_length=10, choices=Severity.choices)
    passed = models.BooleanField(_("是否通过"))
    message = models.TextField(_("说明"))
    url = models.CharField(_("相关链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策检查结果")
        verbose_name_plural = _("政策检查结果")
        ordering = ["application_id", "stage", "severity", "clause", "id"]

    def __str__(self) -> str:
        return f"{self.clause}: {self.text}"

    @property
    def text(self) -> str:
        """The result's text in the reader's language (stored as a message code, issue 8)."""
        return render(self.message)

    def as_outcome(self) -> Outcome:
        """The stored result as the shared Outcome, its message rendered in the active language
        and its code kept in `text` (None for a row stored before codes)."""
        data = decode(self.message)
        code = (
            Message(data["code"], tuple(sorted((data.get("params") or {}).items())))
            if data is not None and data["code"] in MESSAGES
            else None
        )
        return Outcome(self.clause, self.severity, self.passed, self.text, self.url, code)


class AdmissionCriterion(models.Model):
    """An item of the admission evaluation checklist (准入评估, policy L-3). Rows without a
    group apply to every group; a group may add its own."""

    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("教育集团"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="admission_criteria",
    )
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
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="admission_scores"
    )
    criterion = models.ForeignKey(
        AdmissionCriterion, on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(_("得分"))
    comment = models.TextField(_("评语"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("准入评估得分")
        verbose_name_plural = _("准入评估得分")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="admission_score_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
