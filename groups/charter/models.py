"""Education groups and the dated membership history everything else depends on (DESIGN.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.registry.models import EducationGroup


def document_upload_to(instance: "GroupDocument", filename: str) -> str:
    # Generated names only: the user's file name never becomes a path (stored in original_name).
    import uuid

    return f"documents/{instance.group_id}/{instance.kind}/{uuid.uuid4().hex}"


class GroupDocument(models.Model):
    """A versioned document of a group: charter and management rules (policy G-4, L-8), plans and
    cooperation agreements (policy L-1)."""

    class Kind(models.TextChoices):
        CHARTER = "charter", _("集团章程")
        RULES = "rules", _("内部管理制度")
        PLAN = "plan", _("集团化办学方案")
        AGREEMENT = "agreement", _("合作办学协议")

    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("教育集团"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("文件类别"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to=document_upload_to, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    text = models.TextField(_("正文"), blank=True)
    adopted_on = models.DateField(_("通过日期"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("集团文件")
        verbose_name_plural = _("集团文件")
        ordering = ["group_id", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "kind", "version"],
                name="document_unique_version",
                violation_error_message=_("该文件的这一版本已存在。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"
