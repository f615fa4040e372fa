"""Cooperation agreements of members and the fees they set, receivables per fiscal year and the
payments recorded against them (policy F-2, 谁受益谁出资)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from funding.rates.models import MAX_RATE, MONEY
from groups.registry.models import EducationGroup, Membership
from qingdao_groups.models import Attachment


class Agreement(models.Model):
    """The cooperation agreement that binds one member to its group, and the fee it sets (F-2).
    The payee is the group's core school."""

    class Period(models.TextChoices):
        YEARLY = "yearly", _("按年")
        PER_TERM = "per_term", _("按学期")
        ONE_OFF = "one_off", _("一次性")

    class Payer(models.TextChoices):
        SCHOOL = "school", _("成员校")
        AUTHORITY = "authority", _("成员校主管教育行政部门")

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("集团"), on_delete=models.PROTECT, related_name="+"
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("成员校"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    title = models.CharField(_("协议名称"), max_length=100)
    fee = models.DecimalField(
        _("费用（元）"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_RATE)],
        **MONEY,
    )
    period = models.CharField(_("计费周期"), max_length=10, choices=Period.choices)
    starts_on = models.DateField(_("协议开始日期"))
    ends_on = models.DateField(_("协议结束日期"))
    payer = models.CharField(_("付款方"), max_length=10, choices=Payer.choices)
    due_month = models.PositiveSmallIntegerField(
        _("当年付款截止月份"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    attachments = GenericRelation(
        Attachment, content_type_field="owner_type", object_id_field="owner_id"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("合作协议")
        verbose_name_plural = _("合作协议")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["group", "starts_on"], name="agreement_group_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0), name="agreement_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Receivable(models.Model):
    """What an agreement's payer owes the core school for a fiscal year: the sum of the F-2 lines
    of the year's ledgers (adjustments included), kept in step by the ledger computation."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("合作协议"), on_delete=models.PROTECT, related_name="receivables"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("财政年度"))
    amount = models.DecimalField(_("应收金额（元）"), **MONEY)
    due_on = models.DateField(_("付款截止日"))
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("应收款")
        verbose_name_plural = _("应收款")
        ordering = ["-fiscal_year", "agreement_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "fiscal_year"], name="receivable_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.fiscal_year}"


class Payment(models.Model):
    """A payment received against a receivable (F-2)."""

    receivable = models.ForeignKey(
        Receivable, verbose_name=_("应收款"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(
        _("金额（元）"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_RATE)],
        **MONEY,
    )
    paid_on = models.DateField(_("到账日期"))
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("到账记录")
        verbose_name_plural = _("到账记录")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.paid_on}"
