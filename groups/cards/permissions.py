"""Who may act on cards: person-level gates (role, authority, school relation), each a Decision
that explains a refusal; `require` makes it a 403 before any state is read. The card's state is
the transition table's answer (qingdao_groups.core.workflow, RuleRefusal)."""

import datetime

from django.utils.translation import gettext_lazy as _

from groups.cards.models import Card  # noqa: E402
from groups.cards.workflows import CardStatus
from groups.registry.membership import today as membership_today
from groups.registry.models import Membership
from groups.registry.permissions import _principal_of
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision
from qingdao_groups.models import Attachment


def can_issue_card(
    user: User, membership: Membership, today: datetime.date | None = None
) -> Decision:
    """Bureau staff of the core's authority warn or expel a member (policy L-6): a school that
    is a member today, including one whose exit takes effect later."""
    # The person first: someone who may not warn this group learns nothing about the member.
    if not user.acts_for_authority(membership.group.authority_id):
        return Decision(False, _("只有核心校所属教育行政部门可以发出黄牌或红牌（政策 L-6）。"))
    if membership.role != Membership.Role.MEMBER or not membership.is_active_on(
        today or membership_today()
    ):
        return Decision(False, _("只能对在册成员校发出黄牌或红牌。"))
    return ALLOW


def can_respond_to_card(user: User, card: Card) -> Decision:
    """The warned member's principal submits rectification (policy L-6). Whether the card awaits
    a response is the card transition table's answer."""
    if not _principal_of(user, card.membership.school_id):
        return Decision(False, _("只有被预警学校的校长可以提交整改材料。"))
    return ALLOW


def can_review_card(user: User, card: Card) -> Decision:
    """The issuing authority lifts a yellow card, rejects a rectification or escalates (policy
    L-6). Whether the card is in a state for it is the card transition table's answer."""
    if not user.acts_for_authority(card.group.authority_id):
        return Decision(False, _("只有核心校所属教育行政部门可以处理黄牌（政策 L-6）。"))
    return ALLOW


def card_upload_kind(user: User, card: Card) -> str | None:
    """The document a user adds to a card, fixed by role (policy L-6): evidence for the staff of
    the issuing authority (the group's authority), rectification material for the warned
    member's principal; None for everyone else."""
    if user.acts_for_authority(card.group.authority_id):
        return Attachment.Kind.EVIDENCE
    if _principal_of(user, card.membership.school_id):
        return Attachment.Kind.RECTIFICATION
    return None


def can_upload_to_card(user: User, card: Card) -> Decision:
    """Policy L-6: the issuing authority's staff add evidence while the card is open; the warned
    member's principal adds rectification material while the warning awaits its response
    (yellow card issued or overdue)."""
    kind = card_upload_kind(user, card)
    if kind is None:
        return Decision(
            False, _("只有发出黄牌的教育行政部门或被预警学校的校长可以上传材料（政策 L-6）。")
        )
    if kind == Attachment.Kind.EVIDENCE and card.closed_at is not None:
        return Decision(False, _("该黄牌/红牌已结束，不能再补充证明材料（政策 L-6）。"))
    if kind == Attachment.Kind.RECTIFICATION and card.status not in (
        CardStatus.YELLOW_ISSUED,
        CardStatus.OVERDUE,
    ):
        return Decision(
            False,
            _(
                "整改材料只能在提交整改情况之前或同时上传；该黄牌当前状态为"
                "“%(status)s”（政策 L-6）。"
            )
            % {"status": card.get_status_display()},
        )
    return ALLOW
