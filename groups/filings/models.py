"""Education groups and the dated membership history everything else depends on (DESIGN.md)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.applications.models import Application
from groups.filings.workflows import FilingStatus
from groups.registry.models import EducationGroup
from members.models import Authority
from qingdao_groups.models import Attachment


class Filing(models.Model):
    """A district's filing with the city: a district-founded group (L-2), a supporting policy
    (D-1) or a reform project filed before it starts (D-2)."""

    Status = FilingStatus

    class Kind(models.TextChoices):
        GROUP_FOUNDING = "group_founding", _("区（市）成立集团报备")
        POLICY = "policy", _("配套政策")
        PROJECT = "project", _("改革创新项目")

    authority = models.ForeignKey(
        Authority, verbose_name=_("报备部门"), on_delete=models.PROTECT, related_name="filings"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("内容摘要"), blank=True)
    project_starts_on = models.DateField(_("项目开始日期"), null=True, blank=True)
    filed_on = models.DateField(_("报备日期"))
    first_filed_on = models.DateField(
        _("首次报备日期"),
        null=True,
        blank=True,
        help_text=_("退回后重新报备时保留；是否提前报备以此为准（政策 D-2）"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.FILED
    )
    remarks = models.TextField(_("市教育局意见"), blank=True)
    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("教育集团"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filings",
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="filings"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报备人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    # Its documents (qingdao_groups.core.documents; who may see them: this feature's hooks).
    attachments = GenericRelation(
        Attachment, content_type_field="owner_type", object_id_field="owner_id"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报备")
        verbose_name_plural = _("报备")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="project") | Q(project_starts_on__isnull=False),
                name="filing_project_has_start",
                violation_error_message=_("改革创新项目须填写开始日期。"),
            ),
        ]
        indexes = [models.Index(fields=["status", "filed_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_late(self) -> bool:
        """A project must be filed before it starts (提前报备, policy D-2). A project filed in time,
        returned by the city and refiled after it started was still filed in advance: the first
        filing date counts."""
        return (
            self.kind == self.Kind.PROJECT
            and self.project_starts_on is not None
            and self.project_starts_on <= (self.first_filed_on or self.filed_on)
        )
