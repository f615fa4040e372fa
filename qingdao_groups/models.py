"""Models of the shared parts every feature plugs into (notifications and their outbox; next,
the document archive)."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app notice; its e-mail copy waits in the Outbox, written in the same transaction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    message = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when notifications lived in the groups app.
        db_table = "groups_notification"
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class SubmissionToken(models.Model):
    """A creating form's one-time token, claimed in the transaction that creates the object, so
    a repeat of the same form (a double click, back-and-resubmit, two identical requests at
    once) finds the object the first one made instead of making another (issue 6). The unique
    index decides between two requests racing on PostgreSQL."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    content_type = models.ForeignKey("contenttypes.ContentType", null=True,
                                     on_delete=models.CASCADE, related_name="+")
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
            models.Index(fields=["next_attempt_at", "id"], condition=Q(sent_at__isnull=True),
                         name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
