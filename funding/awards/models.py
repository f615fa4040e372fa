"""Commendations and rewards to groups, teams and people (policy F-5)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from funding.rates.models import MAX_RATE, MONEY
from groups.registry.models import EducationGroup


class Award(models.Model):
    class RecipientKind(models.TextChoices):
        GROUP = "group", _("集团")
        TEAM = "team", _("团队")
        PERSON = "person", _("个人")

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCIAL = "provincial", _("省级")
        CITY = "city", _("市级")
        DISTRICT = "district", _("区（市）级")

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("集团"), on_delete=models.PROTECT, related_name="+"
    )
    recipient_kind = models.CharField(_("表彰对象"), max_length=10, choices=RecipientKind.choices)
    recipient_name = models.CharField(_("对象名称"), max_length=100)
    title = models.CharField(_("表彰奖励名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=20, choices=Level.choices)
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(
        _("奖励金额（元）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_RATE)],
        **MONEY,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("表彰奖励")
        verbose_name_plural = _("表彰奖励")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="award_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"
