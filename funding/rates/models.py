"""Rate tables: per authority and fiscal year, versioned, each version a row of its own with its
history (policy F-1, F-4). A new version is a new row; a version never changes once saved, so a
ledger line that names a version can always be explained."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Authority, School

MAX_RATE = Decimal("10000000.00")  # ten million yuan: anything above is a typing error
MONEY = dict(max_digits=14, decimal_places=2)


class Proration(models.TextChoices):
    MONTHS = "months", _("按在册月数（覆盖当月15日计1个月）")
    REFERENCE_DATE = "reference_date", _("按基准日是否在册")


class RateTable(models.Model):
    """One version of an authority's rates for a fiscal year (F-1 subsidy per member, with stage
    overrides in `SubsidyStageRate`; F-4 monthly transport and lodging allowances; the school
    terms F-2's per-term fees count)."""

    authority = models.ForeignKey(
        Authority, verbose_name=_("教育行政部门"), on_delete=models.PROTECT, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("财政年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    proration = models.CharField(
        _("跨年度折算方式"), max_length=20, choices=Proration.choices, default=Proration.MONTHS
    )
    reference_date = models.DateField(
        _("基准日"), null=True, blank=True, help_text=_("按基准日折算时必填")
    )
    subsidy_per_member = models.DecimalField(
        _("成员校专项奖补（元/校/年）"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_RATE)],
        **MONEY,
    )
    transport_per_month = models.DecimalField(
        _("派驻人员交通补助（元/人/月）"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_RATE)],
        **MONEY,
    )
    lodging_per_month = models.DecimalField(
        _("派驻人员食宿补助（元/人/月）"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_RATE)],
        **MONEY,
    )
    spring_term_starts = models.DateField(_("春季学期开学日"), null=True, blank=True)
    autumn_term_starts = models.DateField(_("秋季学期开学日"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("费率表")
        verbose_name_plural = _("费率表")
        ordering = ["authority_id", "-fiscal_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "fiscal_year", "version"], name="rate_table_one_version"
            ),
            models.CheckConstraint(
                condition=Q(subsidy_per_member__gte=0)
                & Q(transport_per_month__gte=0)
                & Q(lodging_per_month__gte=0),
                name="rate_table_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(proration="reference_date") | Q(reference_date__isnull=False),
                name="rate_table_reference_date_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.fiscal_year} v{self.version}"


class SubsidyStageRate(models.Model):
    """A stage whose F-1 subsidy differs from the table's default."""

    table = models.ForeignKey(
        RateTable, verbose_name=_("费率表"), on_delete=models.CASCADE, related_name="stage_rates"
    )
    stage = models.CharField(_("学段"), max_length=20, choices=School.Stage.choices)
    amount = models.DecimalField(
        _("专项奖补（元/校/年）"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_RATE)],
        **MONEY,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("分学段奖补标准")
        verbose_name_plural = _("分学段奖补标准")
        constraints = [
            models.UniqueConstraint(fields=["table", "stage"], name="stage_rate_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="stage_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.amount}"
