"""Models of the shared parts every feature plugs into (notifications; next, the outbox and the
document archive)."""


from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app notice; the e-mail copy is sent after the transaction commits."""

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
