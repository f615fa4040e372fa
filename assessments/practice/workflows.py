"""The life of a good-practice case (典型案例, policy A-6): status and action enums and the
transition table. Pure data, no database; the feature's services move a case only through the
one runner (`qingdao_groups.core.workflow.transition`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回发布")


class CaseAction(models.TextChoices):
    EDIT = "edit", _("修改")
    SUBMIT = "submit", _("提交审核")
    PUBLISH = "publish", _("发布")
    RETURN = "return", _("退回")
    RESUBMIT = "resubmit", _("重新提交")
    WITHDRAW = "withdraw", _("撤回发布")


S = CaseStatus
A = CaseAction

CASE_TRANSITIONS: dict[tuple[str, str], str] = {
    # the case is written and changed while it is with its authors
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.RETURNED, A.EDIT): S.RETURNED,
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.PUBLISH): S.PUBLISHED,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.RETURNED, A.RESUBMIT): S.SUBMITTED,
    (S.PUBLISHED, A.WITHDRAW): S.WITHDRAWN,
}

# The states in which authors still add pictures and attachments.
OPEN_STATES = (S.DRAFT, S.RETURNED)
