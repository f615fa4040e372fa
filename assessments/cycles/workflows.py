"""The assessment cycle's state machine (policy A-1; issue 10). Pure data, no database.

open ──start──▶ self_assessment ──to_inspection──▶ inspection ──to_factual_check──▶
factual_check ──publish──▶ published

- open: the organising authority (the city, or one district for its own groups) has chosen the
  framework, the period and the groups; nothing is asked of the groups yet.
- self_assessment: each group's core principal fills in the self-assessment with evidence and
  submits it (per group: `CycleGroup.self_submitted_at`).
- inspection: the authority's inspectors score every indicator; derived indicators are computed
  from the system's own data when the step starts and kept with their inputs.
- factual_check: each group sees its draft result and may flag factual errors; staff resolve
  every flag before publication.
- published: results are final; reports are produced by the worker.

A step may be sent back one step (`reopen`) while the cycle is not published. Step deadlines
live on the cycle (`self_assessment_due`, `inspection_due`, `factual_check_due`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleStatus(models.TextChoices):
    OPEN = "open", _("已创建")
    SELF_ASSESSMENT = "self_assessment", _("集团自评")
    INSPECTION = "inspection", _("督导评估")
    FACTUAL_CHECK = "factual_check", _("事实核对")
    PUBLISHED = "published", _("已发布")


class CycleAction(models.TextChoices):
    EDIT = "edit", _("修改")
    START = "start", _("启动自评")
    TO_INSPECTION = "to_inspection", _("进入督导评估")
    TO_FACTUAL_CHECK = "to_factual_check", _("进入事实核对")
    PUBLISH = "publish", _("发布结果")
    REOPEN = "reopen", _("退回上一步")


S = CycleStatus
A = CycleAction

CYCLE_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, A.EDIT): S.OPEN,
    (S.OPEN, A.START): S.SELF_ASSESSMENT,
    (S.SELF_ASSESSMENT, A.TO_INSPECTION): S.INSPECTION,
    (S.INSPECTION, A.REOPEN): S.SELF_ASSESSMENT,
    (S.INSPECTION, A.TO_FACTUAL_CHECK): S.FACTUAL_CHECK,
    (S.FACTUAL_CHECK, A.REOPEN): S.INSPECTION,
    (S.FACTUAL_CHECK, A.PUBLISH): S.PUBLISHED,
}


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACCEPTED = "accepted", _("已采纳并更正")
    REJECTED = "rejected", _("未采纳")


class FlagAction(models.TextChoices):
    ACCEPT = "accept", _("采纳并更正")
    REJECT = "reject", _("不予采纳")


FLAG_TRANSITIONS: dict[tuple[str, str], str] = {
    (FlagStatus.OPEN, FlagAction.ACCEPT): FlagStatus.ACCEPTED,
    (FlagStatus.OPEN, FlagAction.REJECT): FlagStatus.REJECTED,
}
