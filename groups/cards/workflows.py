"""State machines of a group's life: status enums and transition tables. Pure data, no database.

The feature's services are the only code that changes a status, and they do it through the one
runner (`qingdao_groups.core.workflow.transition`), so every allowed move is readable here in one
place (STYLE.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CardStatus(models.TextChoices):
    """Yellow and red cards (policy L-6)."""

    YELLOW_ISSUED = "yellow_issued", _("黄牌预警中")
    UNDER_REVIEW = "under_review", _("整改待审核")
    OVERDUE = "overdue", _("整改逾期")
    LIFTED = "lifted", _("已撤销预警")
    ESCALATED = "escalated", _("已升级为红牌")  # the yellow ends; a new red card expels
    CLOSED = "closed", _("成员关系结束，预警关闭")
    RED_ISSUED = "red_issued", _("红牌淘汰")


class CardAction(models.TextChoices):
    RECTIFY = "rectify", _("提交整改材料")
    LIFT = "lift", _("撤销预警")
    REJECT_RECTIFICATION = "reject_rectification", _("整改不通过")
    MARK_OVERDUE = "mark_overdue", _("逾期")
    ESCALATE = "escalate", _("升级为红牌")
    CLOSE = "close", _("随成员关系结束而关闭")


C = CardStatus


CA = CardAction


CARD_TRANSITIONS: dict[tuple[str, str], str] = {
    (C.YELLOW_ISSUED, CA.RECTIFY): C.UNDER_REVIEW,
    (C.OVERDUE, CA.RECTIFY): C.UNDER_REVIEW,
    (C.UNDER_REVIEW, CA.LIFT): C.LIFTED,
    (C.UNDER_REVIEW, CA.REJECT_RECTIFICATION): C.YELLOW_ISSUED,
    (C.YELLOW_ISSUED, CA.MARK_OVERDUE): C.OVERDUE,
    # Escalation answers a missed deadline or a rectification judged insufficient (policy L-6);
    # a fresh yellow card cannot be turned red before the member had its chance to rectify.
    (C.OVERDUE, CA.ESCALATE): C.ESCALATED,
    (C.UNDER_REVIEW, CA.ESCALATE): C.ESCALATED,
    # When the membership ends (exit, expulsion by another card) its open cards close with it.
    (C.YELLOW_ISSUED, CA.CLOSE): C.CLOSED,
    (C.UNDER_REVIEW, CA.CLOSE): C.CLOSED,
    (C.OVERDUE, CA.CLOSE): C.CLOSED,
}


OPEN_CARD_STATUSES = frozenset({C.YELLOW_ISSUED, C.UNDER_REVIEW, C.OVERDUE})
