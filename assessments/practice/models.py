"""Good practice, typical cases and experience of education groups, collected and published
(典型案例, policy A-6)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.practice.workflows import CaseStatus
from groups.registry.models import EducationGroup
from qingdao_groups.models import Attachment


class PracticeCase(models.Model):
    """One group's good practice or typical case (policy A-6). Its district and specialty are the
    group's (the core school's district, the group's 集团特色), read through the group so they
    never drift from the registry. Pictures and attachments are its documents
    (qingdao_groups.core.documents): an image is shown as a picture."""

    Status = CaseStatus

    title = models.CharField(_("标题"), max_length=200)
    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("教育集团"),
        on_delete=models.PROTECT,
        related_name="practice_cases",
    )
    text = models.TextField(_("正文"), help_text=_("纯文本，空一行分段。"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    remarks = models.TextField(_("审核意见"), blank=True)
    withdrawn_reason = models.TextField(_("撤回发布的理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    attachments = GenericRelation(
        Attachment, content_type_field="owner_type", object_id_field="owner_id"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the public list: published cases, newest first
            models.Index(fields=["status", "published_at", "id"], name="practice_public_idx"),
            models.Index(fields=["created_at", "id"], name="practice_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def lead(self) -> str:
        """The first paragraph: what the public list shows of the case."""
        found = self.paragraphs()
        return found[0] if found else ""

    def paragraphs(self) -> list[str]:
        """The text as paragraphs: a blank line (or a line break) starts a new one."""
        return [p.strip() for p in self.text.replace("\r\n", "\n").split("\n") if p.strip()]
