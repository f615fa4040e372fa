"""Education groups and the dated membership history everything else depends on (DESIGN.md)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.cards.workflows import CardStatus
from groups.registry.models import EducationGroup, Membership
from qingdao_groups.models import Attachment


class Card(models.Model):
    """A yellow-card warning or red-card expulsion of a member (policy L-6)."""

    Status = CardStatus

    class Level(models.TextChoices):
        YELLOW = "yellow", _("黄牌")
        RED = "red", _("红牌")

    class Ground(models.TextChoices):
        AGREEMENT = "agreement", _("不履行合作办学协议")
        INCIDENT = "incident", _("发生重大事故，影响集团声誉")

    membership = models.ForeignKey(
        Membership, verbose_name=_("成员关系"), on_delete=models.PROTECT, related_name="cards"
    )
    group = models.ForeignKey(
        EducationGroup, verbose_name=_("教育集团"), on_delete=models.PROTECT, related_name="cards"
    )
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    status = models.CharField(_("状态"), max_length=20, choices=CardStatus.choices)
    ground = models.CharField(_("事由"), max_length=20, choices=Ground.choices)
    description = models.TextField(_("情况说明"))
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("发出时间"), default=timezone.now)
    rectification = models.TextField(_("整改情况"), blank=True)
    rectified_at = models.DateTimeField(_("提交整改时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    escalated_from = models.ForeignKey(
        "self",
        verbose_name=_("由此黄牌升级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    # Its documents (qingdao_groups.core.documents; who may see them: this feature's hooks).
    attachments = GenericRelation(
        Attachment, content_type_field="owner_type", object_id_field="owner_id"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("黄牌/红牌")
        verbose_name_plural = _("黄牌/红牌")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="red", status="red_issued")
                | (Q(level="yellow") & ~Q(status="red_issued")),
                name="card_level_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.membership.school}"
