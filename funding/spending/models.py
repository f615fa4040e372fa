"""How the core school spends its subsidy and fee income (policy F-3: the principal decides, the
spending is recorded and audited)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from funding.rates.models import MAX_RATE, MONEY
from groups.registry.models import EducationGroup
from qingdao_groups.models import Attachment


class Spending(models.Model):
    class Category(models.TextChoices):
        TEACHING = "teaching", _("教学研究")
        TRAINING = "training", _("教师培训")
        EXCHANGE = "exchange", _("交流派驻")
        EQUIPMENT = "equipment", _("设施设备")
        ACTIVITIES = "activities", _("学生活动")
        MANAGEMENT = "management", _("管理运行")
        OTHER = "other", _("其他")

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("集团"), on_delete=models.PROTECT, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("财政年度"))
    category = models.CharField(_("支出类别"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(
        _("金额（元）"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_RATE)],
        **MONEY,
    )
    spent_on = models.DateField(_("支出日期"))
    note = models.TextField(_("用途说明"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    attachments = GenericRelation(
        Attachment, content_type_field="owner_type", object_id_field="owner_id"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费支出")
        verbose_name_plural = _("经费支出")
        ordering = ["-spent_on", "-id"]
        indexes = [models.Index(fields=["group", "fiscal_year"], name="spending_group_year_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"
