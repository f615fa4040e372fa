"""Staff the core school sends to serve in a member school (policy F-4)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.registry.models import EducationGroup, Membership


class Dispatch(models.Model):
    class Role(models.TextChoices):
        EXECUTIVE_PRINCIPAL = "executive_principal", _("执行校长")
        KEY_TEACHER = "key_teacher", _("骨干教师")
        MANAGER = "manager", _("管理干部")

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("集团"), on_delete=models.PROTECT, related_name="+"
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("派驻成员校"),
        on_delete=models.PROTECT,
        related_name="dispatches",
    )
    person_name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("派驻岗位"), max_length=30, choices=Role.choices)
    starts_on = models.DateField(_("派驻开始日期"))
    ends_on = models.DateField(
        _("派驻结束日期"), null=True, blank=True, help_text=_("最后一个在岗日；未定可不填")
    )
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("派驻人员")
        verbose_name_plural = _("派驻人员")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["group", "starts_on"], name="dispatch_group_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="dispatch_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.get_role_display()}）"
