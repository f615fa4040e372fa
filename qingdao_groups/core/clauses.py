"""Short texts of the policy clauses that checks and pages cite (policy/CLAUSES.md), so both the
applicant and the approver read the rule beside its result."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CLAUSE_TEXT = {
    "G-1": _("1+N+X：一所核心校、若干成员校和合作单位；一所学校同一时间只属于一个集团。"),
    "G-3": _("集团设决策议事机构，原则上由核心校校长任总校长。"),
    "G-5": _("一集团一特色。"),
    "G-6": _("集团可跨公办、民办学校，公办学校保持引领地位。"),
    "T-1": _("融合型原则上仅在同类型、同学段、同性质学校之间。"),
    "T-2": _("聚合型原则上在不同类型或学段的学校之间。"),
    "T-2a": _("跨学段贯通式培养仅限经批准的试点。"),
    "T-3": _("联合型以项目为纽带，须至少有一个合作项目。"),
    "L-1": _(
        "经成员校主管部门同意，核心校向其主管部门申请，提交集团化办学方案、合作办学协议和集团章程。"
    ),
    "L-2": _("区（市）成立的集团须报市教育局备案。"),
    "L-3": _("吸纳新成员由核心校持合作办学协议向主管部门申请，并进行准入评估。"),
    "L-4": _("有计划稳步推进，避免短期内快速扩张；成熟一个组建一个。"),
    "L-5": _("成员校可向核心校申请退出，经核心校主管部门同意后退出。"),
    "L-6": _("成员校不履行协议或发生重大事故影响集团声誉的，予以黄牌预警直至红牌淘汰。"),
    "L-7": _("一校一案：各校招生计划、范围和方式由教育行政部门核定。"),
    "F-1": _(
        "公办成员校与核心校隶属同一教育行政部门的，由该部门每年向核心校拨付成员校专项奖补经费。"
    ),
    "F-2": _(
        "成员校隶属其他单位的，按照“谁受益谁出资”的原则，由成员校（或其主管部门）按合作办学协议"
        "约定向核心校支付费用。"
    ),
    "F-3": _("核心校校长统筹使用奖补经费和协议费用，支出如实记录、接受审计。"),
    "F-4": _("核心校派驻成员校的管理干部、骨干教师，其交通、食宿补助由成员校按月承担。"),
    "F-5": _("对集团化办学成效显著的集团负责人、优秀团队和个人予以表彰奖励。"),
    "S-1": _("核心校在教师编制、招聘和中高级岗位设置上优先保障。"),
    "S-2": _("推进校长职级制改革，根据集团发展需要配备干部。"),
    "A-4": _("薄弱学校须占集团成员校的一定比例。"),
    "D-1": _("各区（市）制定配套政策。"),
    "D-2": _("改革创新项目须提前向市教育局报备。"),
}


# Where each clause stands in the original text (关于推进中小学集团化办学的意见, policy/ beside
# CLAUSES.md): (part 一…五, article （一）…, item 1… or 0). A citation reads like the policy:
# 《意见》三、（二）1, with the clause ID beside it as a small tag (`citation`, and the
# `|citation` template filter of qg_texts).
CLAUSE_ARTICLES: dict[str, tuple[int, int, int]] = {
    "G-1": (3, 0, 0),  # 三、基本模式：“1+N+X”
    "G-2": (3, 0, 0),
    "G-3": (4, 3, 0),  # 四、（三）原则上核心校校长兼任教育集团总校长
    "G-4": (4, 3, 0),  # 四、（三）根据集团章程制定各项管理制度
    "G-5": (2, 3, 0),  # 二、（三）“一集团一特色”
    "G-6": (2, 1, 0),  # 二、（一）坚持公办学校主导地位
    "T-1": (3, 1, 0),
    "T-1a": (3, 1, 1),
    "T-1b": (3, 1, 2),
    "T-2": (3, 2, 0),
    "T-2a": (3, 2, 1),
    "T-2b": (3, 2, 2),
    "T-2c": (3, 2, 3),
    "T-3": (3, 3, 0),
    "T-3a": (3, 3, 1),
    "T-3b": (3, 3, 2),
    "L-1": (4, 1, 0),
    "L-2": (4, 1, 0),  # 区市成立教育集团应向市教育局报备
    "L-3": (4, 2, 0),
    "L-4": (2, 3, 0),  # 二、（三）有计划稳步扩大集团规模
    "L-5": (4, 5, 0),
    "L-6": (4, 5, 0),  # 四、（五）黄牌预警机制和红牌淘汰机制
    "L-7": (4, 4, 0),
    "L-8": (4, 3, 0),
    "F-1": (5, 3, 0),
    "F-2": (5, 3, 0),
    "F-3": (5, 3, 0),
    "F-4": (5, 4, 0),
    "F-5": (5, 3, 0),
    "S-1": (5, 4, 0),
    "S-2": (5, 4, 0),
    "A-1": (5, 5, 0),
    "A-2": (5, 5, 0),
    "A-3": (2, 4, 0),  # 二、（四）量质并举
    "A-4": (2, 4, 0),  # 二、（四）薄弱学校要有一定比例
    "A-5": (1, 2, 0),  # 一、（二）目标任务
    "A-6": (5, 6, 0),
    "D-1": (5, 2, 0),
    "D-2": (5, 2, 0),
}

_CN = "〇一二三四五六七八九十"
_ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def article_of(clause: str) -> str:
    """Where `clause` stands in the text, in the reader's language: 三、（二）1 in Chinese,
    III (2) 1 in English; "" for an ID the mapping does not know."""
    place = CLAUSE_ARTICLES.get(clause)
    if place is None:
        return ""
    part, article, item = place
    if not (get_language() or "").startswith("en"):
        text = f"{_CN[part]}、" + (f"（{_CN[article]}）" if article else "")
        return text + (str(item) if item else "")
    text = _ROMAN[part] + (f" ({article})" if article else "")
    return text + (f" {item}" if item else "")


def citation(clause: str) -> str:
    """The clause cited as the policy reads: 《意见》三、（二） (Opinions III (2) in English)."""
    place = article_of(clause)
    return str(_("《意见》%(place)s") % {"place": place}) if place else ""
