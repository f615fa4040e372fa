"""The notices the cycle sends, registered with the shared message codes so each reader gets
them in their language (issue 8)."""

from django.utils.translation import gettext_lazy as _

from qingdao_groups.core.messages import MESSAGES

MESSAGES.update(
    {
        "notice.cycle.started": _("“%(cycle)s”已启动，请于 %(due)s 前完成%(group)s的自评并提交。"),
        "notice.cycle.self_submitted": _("%(group)s已提交“%(cycle)s”自评。"),
        "notice.cycle.factual_check": _(
            "“%(cycle)s”评估初步结果已出，请于 %(due)s 前核对%(group)s的结果，如有事实错误请提出。"
        ),
        "notice.cycle.flag_raised": _("%(group)s对“%(cycle)s”的评估结果提出事实核对意见。"),
        "notice.cycle.flag_resolved": _("您对“%(cycle)s”提出的事实核对意见已处理：%(decision)s。"),
        "notice.cycle.published": _("“%(cycle)s”评估结果已发布：%(group)s %(grade)s。"),
    }
)
