"""State machines of a group's life: status enums and transition tables. Pure data, no database.

The feature's services are the only code that changes a status, and they do it through the one
runner (`qingdao_groups.core.workflow.transition`), so every allowed move is readable here in one
place (STYLE.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    AWAITING_CONSENTS = "awaiting_consents", _("待成员校主管部门出具意见")
    AWAITING_OPINION = "awaiting_opinion", _("待核心校出具意见")
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
    EDIT = "edit", _("修改申请")
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
    # The applicant edits its own fields while the application is with it (policy L-1, L-3,
    # L-5); once submitted, what the authorities consent to and decide on cannot change.
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.RETURNED, A.EDIT): S.RETURNED,
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
    ApplicationKind.FOUNDING: _COMMON
    | {
        (S.DRAFT, A.SUBMIT): S.AWAITING_CONSENTS,
        (S.RETURNED, A.SUBMIT): S.AWAITING_CONSENTS,
    },
    # policy L-3: the candidate's authority consents when it is not the core's
    ApplicationKind.ADMISSION: _COMMON
    | {
        (S.DRAFT, A.SUBMIT): S.AWAITING_CONSENTS,
        (S.RETURNED, A.SUBMIT): S.AWAITING_CONSENTS,
    },
    # policy L-5: the member applies to the core school, whose opinion precedes the decision.
    # Leaving is the member's own choice: it may change its mind at every step before the
    # decision, the authority's included (issue 8).
    ApplicationKind.EXIT: {k: v for k, v in _COMMON.items() if k[0] != S.AWAITING_CONSENTS}
    | {
        (S.DRAFT, A.SUBMIT): S.AWAITING_OPINION,
        (S.RETURNED, A.SUBMIT): S.AWAITING_OPINION,
        (S.AWAITING_OPINION, A.OPINION_GIVEN): S.UNDER_DECISION,
        (S.AWAITING_OPINION, A.WITHDRAW): S.WITHDRAWN,
        (S.UNDER_DECISION, A.WITHDRAW): S.WITHDRAWN,
    },
}


EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED})


OPEN_STATUSES = frozenset(
    {S.DRAFT, S.RETURNED, S.AWAITING_CONSENTS, S.AWAITING_OPINION, S.UNDER_DECISION}
)


APPROVED_STATUSES = frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS})


DECISION_ACTIONS = (A.APPROVE, A.APPROVE_WITH_CONDITIONS, A.RETURN, A.REJECT)


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("待出具意见")
    GIVEN = "given", _("同意")
    REFUSED = "refused", _("不同意")


class ConsentAction(models.TextChoices):
    GIVE = "give", _("同意")
    REFUSE = "refuse", _("不同意")
    REQUEST_AGAIN = "request_again", _("重新征求意见")


CS = ConsentStatus


# One authority's prior consent (policy L-1, L-3); a resubmitted application asks again.
CONSENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (CS.PENDING, ConsentAction.GIVE): CS.GIVEN,
    (CS.PENDING, ConsentAction.REFUSE): CS.REFUSED,
    (CS.GIVEN, ConsentAction.REQUEST_AGAIN): CS.PENDING,
    (CS.REFUSED, ConsentAction.REQUEST_AGAIN): CS.PENDING,
}
