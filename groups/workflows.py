"""State machines of a group's life: status enums and transition tables. Pure data, no database.

Services (groups/services/…) are the only code that changes a status, and they do it through
`ensure_transition`, so every allowed move is readable here in one place (STYLE.md)."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    AWAITING_CONSENTS = "awaiting_consents", _("待成员校主管部门同意")
    AWAITING_OPINION = "awaiting_opinion", _("待核心校意见")
    UNDER_DECISION = "under_decision", _("待审批")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("附条件批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class ApplicationKind(models.TextChoices):
    FOUNDING = "founding", _("成立集团")  # policy L-1, L-2
    ADMISSION = "admission", _("吸纳成员校")  # policy L-3, L-4
    EXIT = "exit", _("退出集团")  # policy L-5


class Action(models.TextChoices):
    SUBMIT = "submit", _("提交")
    CONSENTS_COMPLETE = "consents_complete", _("主管部门均已同意")
    CONSENT_REFUSED = "consent_refused", _("主管部门不同意")
    OPINION_GIVEN = "opinion_given", _("核心校提出意见")
    APPROVE = "approve", _("批准")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("附条件批准")
    RETURN = "return", _("退回补充材料")
    REJECT = "reject", _("不予批准")
    WITHDRAW = "withdraw", _("撤回")


S = ApplicationStatus
A = Action

# (kind, from status, action) -> to status. Submission goes to consents when the kind needs any
# (the service decides by whether consent rows were created), else to the opinion or decision.
_COMMON = {
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.RETURNED, A.WITHDRAW): S.WITHDRAWN,
    (S.AWAITING_CONSENTS, A.CONSENTS_COMPLETE): S.UNDER_DECISION,
    (S.AWAITING_CONSENTS, A.CONSENT_REFUSED): S.RETURNED,
    (S.UNDER_DECISION, A.APPROVE): S.APPROVED,
    (S.UNDER_DECISION, A.APPROVE_WITH_CONDITIONS): S.APPROVED_WITH_CONDITIONS,
    (S.UNDER_DECISION, A.RETURN): S.RETURNED,
    (S.UNDER_DECISION, A.REJECT): S.REJECTED,
}
APPLICATION_TRANSITIONS: dict[str, dict[tuple[str, str], str]] = {
    # policy L-1: every proposed member's authority consents before the core's authority decides
    ApplicationKind.FOUNDING: _COMMON | {
        (S.DRAFT, A.SUBMIT): S.AWAITING_CONSENTS,
        (S.RETURNED, A.SUBMIT): S.AWAITING_CONSENTS,
    },
    # policy L-3: the candidate's authority consents when it is not the core's
    ApplicationKind.ADMISSION: _COMMON | {
        (S.DRAFT, A.SUBMIT): S.AWAITING_CONSENTS,
        (S.RETURNED, A.SUBMIT): S.AWAITING_CONSENTS,
    },
    # policy L-5: the member applies to the core school, whose opinion precedes the decision
    ApplicationKind.EXIT: {
        k: v for k, v in _COMMON.items() if k[0] != S.AWAITING_CONSENTS
    } | {
        (S.DRAFT, A.SUBMIT): S.AWAITING_OPINION,
        (S.RETURNED, A.SUBMIT): S.AWAITING_OPINION,
        (S.AWAITING_OPINION, A.OPINION_GIVEN): S.UNDER_DECISION,
        (S.AWAITING_OPINION, A.WITHDRAW): S.WITHDRAWN,
    },
}

EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED})
OPEN_STATUSES = frozenset({S.DRAFT, S.RETURNED, S.AWAITING_CONSENTS, S.AWAITING_OPINION,
                           S.UNDER_DECISION})
APPROVED_STATUSES = frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS})
DECISION_ACTIONS = (A.APPROVE, A.APPROVE_WITH_CONDITIONS, A.RETURN, A.REJECT)


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("待表态")
    GIVEN = "given", _("同意")
    REFUSED = "refused", _("不同意")


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


class FilingStatus(models.TextChoices):
    """District filings with the city (policy L-2, D-1, D-2)."""

    FILED = "filed", _("已报备")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RETURNED = "returned", _("已退回")


class FilingAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("确认")
    RETURN = "return", _("退回")
    REFILE = "refile", _("重新报备")


F = FilingStatus
FA = FilingAction
FILING_TRANSITIONS: dict[tuple[str, str], str] = {
    (F.FILED, FA.ACKNOWLEDGE): F.ACKNOWLEDGED,
    (F.FILED, FA.RETURN): F.RETURNED,
    (F.RETURNED, FA.REFILE): F.FILED,
}


class EnrollmentPlanStatus(models.TextChoices):
    """One plan per school per year, set by its authority (policy L-7)."""

    FILED = "filed", _("学校已报送")
    SET = "set", _("主管部门已核定")
    RETURNED = "returned", _("已退回")


P = EnrollmentPlanStatus
ENROLLMENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (P.FILED, "set"): P.SET,
    (P.FILED, "return"): P.RETURNED,
    (P.RETURNED, "refile"): P.FILED,
}


@dataclass(frozen=True)
class TransitionRefused(Exception):
    current: str
    action: str

    def __str__(self) -> str:
        return f"{self.action} is not allowed from {self.current}"


def next_status(table: dict[tuple[str, str], str], current: str, action: str) -> str:
    """The status `action` leads to from `current`; TransitionRefused when the table has no such
    move."""
    try:
        return table[(current, action)]
    except KeyError:
        raise TransitionRefused(str(current), str(action)) from None


def allowed_actions(table: dict[tuple[str, str], str], current: str) -> list[str]:
    return [action for (status, action) in table if status == current]
