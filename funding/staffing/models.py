"""Core schools' requests for teacher quota (编制), recruitment and senior posts, with the group
context that gives them priority (policy S-1), for the staffing office and the human-resources
bureau to see and mark as handled."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.registry.models import EducationGroup
from members.models import School


class StaffingRequest(models.Model):
    class Kind(models.TextChoices):
        QUOTA = "quota", _("教师编制")
        RECRUITMENT = "recruitment", _("招聘计划")
        SENIOR_POST = "senior_post", _("中高级岗位")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        HANDLED = "handled", _("已处理")

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("集团"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        School, verbose_name=_("核心校"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    count = models.PositiveSmallIntegerField(
        _("数量"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    reason = models.TextField(_("理由"))
    context = models.JSONField(_("集团情况"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_note = models.TextField(_("处理意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("编制与岗位需求")
        verbose_name_plural = _("编制与岗位需求")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.group} {self.get_kind_display()} {self.count}"
