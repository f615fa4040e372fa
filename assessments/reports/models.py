"""Assessment reports (policy A-1; issue 10; DESIGN.md "Reports").

A report is a row — cycle, scope (one group, one district's summary, the city's summary),
framework version, version number — plus its PDF, kept in the archive of official documents
(`qingdao_groups.OfficialDocument`, owner = the report row: immutable bytes, SHA-256,
verification code for /verify/<code>, the JSON data it was rendered from). Producing a report is
idempotent per (cycle, scope, framework version): the producer looks for the row first.
Regenerating makes version n + 1; nothing is overwritten."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.cycles.models import Cycle
from assessments.frameworks.models import Framework
from groups.registry.models import EducationGroup
from members.models import Authority
from qingdao_groups.models import OfficialDocument


class Report(models.Model):
    class Scope(models.TextChoices):
        GROUP = "group", _("集团评估报告")
        DISTRICT = "district", _("区（市）汇总报告")
        CITY = "city", _("全市汇总报告")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("评估周期"), on_delete=models.PROTECT, related_name="reports"
    )
    scope = models.CharField(_("范围"), max_length=20, choices=Scope.choices)
    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("集团"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("区（市）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    framework = models.ForeignKey(
        Framework, verbose_name=_("指标体系"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("版本"), default=1)
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    documents = GenericRelation(
        OfficialDocument, content_type_field="owner_type", object_id_field="owner_id"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估报告")
        verbose_name_plural = _("评估报告")
        ordering = ["cycle", "scope", "group", "authority", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "group", "framework", "number"],
                condition=Q(scope="group"),
                name="report_group_version_once",
            ),
            models.UniqueConstraint(
                fields=["cycle", "authority", "framework", "number"],
                condition=Q(scope="district"),
                name="report_district_version_once",
            ),
            models.UniqueConstraint(
                fields=["cycle", "framework", "number"],
                condition=Q(scope="city"),
                name="report_city_version_once",
            ),
        ]
        indexes = [models.Index(fields=["group", "cycle"], name="report_group_cycle")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} · {self.cycle} · v{self.number}"
