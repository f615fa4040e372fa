"""Models of the shared parts every feature plugs into: notifications and their outbox, and
attachments (the documents any model can own)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Notification(models.Model):
    """An in-app notice; its e-mail copy waits in the Outbox, written in the same transaction."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # A message code with its parameters (qingdao_groups/core/messages.py), shown through `text`
    # in the reader's language; older rows hold the text as it was written.
    message = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when notifications lived in the groups app.
        db_table = "groups_notification"
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The notice in the reader's language."""
        from qingdao_groups.core.messages import render

        return render(self.message)


class SubmissionToken(models.Model):
    """A creating form's one-time token, claimed in the transaction that creates the object, so
    a repeat of the same form (a double click, back-and-resubmit, two identical requests at
    once) finds the object the first one made instead of making another (issue 6). The unique
    index decides between two requests racing on PostgreSQL."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表单提交凭据")
        verbose_name_plural = _("表单提交凭据")

    def __str__(self) -> str:
        return str(self.token)


class Outbox(models.Model):
    """A message to leave the system (today: one e-mail to one address), written in the same
    transaction as the change it announces and relayed by the worker, so a broker or mail server
    that is down or hung neither slows the request nor loses the message.

    A row is due while `sent_at` is empty and `next_attempt_at` has passed; a failed attempt
    counts in `attempts`, keeps its error in `last_error` and moves `next_attempt_at` on with an
    exponential backoff (see qingdao_groups.core.notifications.relay_outbox)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("电子邮件")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.EMAIL)
    payload = models.JSONField(_("内容"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["next_attempt_at", "id"]
        indexes = [
            # The relay's query: unsent rows whose time has come, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(sent_at__isnull=True),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Attachment(models.Model):
    """An uploaded file of any owner (an application, a card, a filing; next, funding and
    assessment records), versioned per owner and kind, stored under a generated name outside the
    static path. Who may see and add it is the owner's own rule, registered with
    qingdao_groups.core.documents.register_document_owner."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("集团化办学方案")
        AGREEMENT = "agreement", _("合作办学协议")
        CHARTER = "charter", _("集团章程")
        EVIDENCE = "evidence", _("证明材料")
        RECTIFICATION = "rectification", _("整改材料")
        POLICY = "policy", _("政策文件")
        OTHER = "other", _("其他")

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("版本"), default=1)
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    text = models.TextField(_("提取的文本"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    # The tables keep the names they had when attachments lived in the groups app.
    history = HistoricalRecords(table_name="groups_historicalattachment")

    class Meta:
        db_table = "groups_attachment"
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["kind", "-version", "-id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "kind"], name="attachment_owner_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}: {self.original_name}"
