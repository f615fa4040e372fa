"""Education groups and the dated membership history everything else depends on (DESIGN.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator  # noqa: E402
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.enrollment.workflows import EnrollmentPlanStatus
from members.models import School


class EnrollmentPlan(models.Model):
    """A school's yearly enrollment plan, filed by the school and set by its authority: one plan
    per school (一校一案, policy L-7)."""

    Status = EnrollmentPlanStatus

    class Method(models.TextChoices):
        CATCHMENT = "catchment", _("划片入学")
        LOTTERY = "lottery", _("电脑派位")
        EXAMINATION = "examination", _("中考录取")
        MIXED = "mixed", _("多种方式")

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="enrollment_plans"
    )
    year = models.PositiveSmallIntegerField(
        _("招生年度"), validators=[MinValueValidator(2019), MaxValueValidator(2100)]
    )
    places = models.PositiveIntegerField(_("计划招生人数"))
    classes = models.PositiveSmallIntegerField(_("计划班数"))
    catchment = models.TextField(_("招生范围"))
    method = models.CharField(_("招生方式"), max_length=20, choices=Method.choices)
    through_training = models.BooleanField(_("贯通培养"), default=False)
    gifted_programme = models.BooleanField(_("拔尖创新人才培养"), default=False)
    visiting_study = models.BooleanField(_("访学"), default=False)
    notes = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=EnrollmentPlanStatus.choices,
        default=EnrollmentPlanStatus.FILED,
    )
    remarks = models.TextField(_("主管部门意见"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("招生计划")
        verbose_name_plural = _("招生计划")
        ordering = ["-year", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year"],
                name="enrollment_plan_one_per_year",
                violation_error_message=_("该学校本年度已有招生计划。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"
