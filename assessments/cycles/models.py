"""Assessment cycles, the groups they cover, scores and factual-accuracy flags (policy A-1 …
A-4; issue 10).

A cycle is organised by one authority (the city bureau for every active group of the city, a
district bureau for the groups it leads), scores every covered group on one published framework
for one period, and moves open → self-assessment → inspection → factual check → published
(assessments.cycles.workflows). `CycleGroup` is one group's part of it; `Score` one indicator of
one group: the group's own score and note (self-assessment), the inspector's score and note,
and for derived indicators the value computed from the system's data with its inputs, kept so
a published result can always be explained and recomputed."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.cycles.workflows import CycleStatus, FlagStatus
from assessments.frameworks.models import SCORE, Framework, Indicator
from groups.registry.models import EducationGroup
from members.models import Authority
from qingdao_groups.models import Attachment


def _user_fk(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class Cycle(models.Model):
    Status = CycleStatus

    name = models.CharField(_("名称"), max_length=200)
    authority = models.ForeignKey(
        Authority, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    framework = models.ForeignKey(
        Framework, verbose_name=_("指标体系"), on_delete=models.PROTECT, related_name="cycles"
    )
    period_start = models.DateField(_("评估期开始"))
    period_end = models.DateField(_("评估期结束"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    self_assessment_due = models.DateField(_("自评截止日期"))
    inspection_due = models.DateField(_("督导评估截止日期"))
    factual_check_due = models.DateField(_("事实核对截止日期"))
    step_started_at = models.DateTimeField(_("本步骤开始时间"), default=timezone.now)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = _user_fk(_("创建人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = _user_fk(_("发布人"))
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估周期")
        verbose_name_plural = _("评估周期")
        ordering = ["-period_end", "-id"]
        indexes = [models.Index(fields=["status", "authority"], name="cycle_status_authority")]

    def __str__(self) -> str:
        return self.name

    def step_due(self):
        """The deadline of the step the cycle is in (None when it waits for no one)."""
        return {
            CycleStatus.SELF_ASSESSMENT: self.self_assessment_due,
            CycleStatus.INSPECTION: self.inspection_due,
            CycleStatus.FACTUAL_CHECK: self.factual_check_due,
        }.get(self.status)


class CycleGroup(models.Model):
    """One group's part of a cycle, with its result once computed (scoring.GroupResult as JSON:
    dimension scores, total, grade, bonus item, trend)."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("评估周期"), on_delete=models.PROTECT, related_name="entries"
    )
    group = models.ForeignKey(
        EducationGroup, verbose_name=_("集团"), on_delete=models.PROTECT, related_name="+"
    )
    self_submitted_at = models.DateTimeField(_("自评提交时间"), null=True, blank=True)
    self_submitted_by = _user_fk(_("自评提交人"))
    self_summary = models.TextField(_("自评总结"), blank=True)
    inspected_at = models.DateTimeField(_("督导评分完成时间"), null=True, blank=True)
    inspected_by = _user_fk(_("督导评分人"))
    derived_at = models.DateTimeField(_("数据指标计算时间"), null=True, blank=True)
    total = models.DecimalField(_("总分"), null=True, blank=True, **SCORE)
    grade = models.CharField(_("等级"), max_length=20, blank=True)
    bonus = models.DecimalField(_("核心校加分"), null=True, blank=True, **SCORE)
    result = models.JSONField(_("评估结果"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参评集团")
        verbose_name_plural = _("参评集团")
        ordering = ["cycle", "group__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "group"], name="cycle_group_once"),
        ]
        indexes = [models.Index(fields=["group", "cycle"], name="cyclegroup_group")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.group}"


class Score(models.Model):
    entry = models.ForeignKey(
        CycleGroup, verbose_name=_("参评集团"), on_delete=models.PROTECT, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    self_score = models.DecimalField(_("自评分"), null=True, blank=True, **SCORE)
    self_passed = models.BooleanField(_("自评达标"), null=True, blank=True)
    self_note = models.TextField(_("自评说明"), blank=True)
    score = models.DecimalField(_("评估得分"), null=True, blank=True, **SCORE)
    passed = models.BooleanField(_("达标"), null=True, blank=True)
    inspector_note = models.TextField(_("评估意见"), blank=True)
    derived_value = models.DecimalField(
        _("数据值"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    derived_inputs = models.JSONField(_("数据依据"), default=dict, blank=True)
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    scored_by = _user_fk(_("评分人"))
    attachments = GenericRelation(
        Attachment, content_type_field="owner_type", object_id_field="owner_id"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["entry", "indicator__dimension__order", "indicator__order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "indicator"], name="score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.indicator}"


class FactualFlag(models.Model):
    """A factual error the group flags in its draft result (factual-accuracy check); staff
    accept it (and correct the score) or reject it, with a reply, before publication."""

    Status = FlagStatus

    entry = models.ForeignKey(
        CycleGroup, verbose_name=_("参评集团"), on_delete=models.PROTECT, related_name="flags"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("问题说明"))
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    raised_by = _user_fk(_("提出人"))
    status = models.CharField(
        _("状态"), max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    reply = models.TextField(_("处理意见"), blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = _user_fk(_("处理人"))
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("事实核对意见")
        verbose_name_plural = _("事实核对意见")
        ordering = ["entry", "raised_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
