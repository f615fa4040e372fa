"""Texts the system writes and keeps — policy-check results, notifications, the reasons it records
in the audit history — are stored as a message code with parameters and rendered in the reader's
language when shown (issue 8 "Language and layout"); what people typed stays as typed.

A stored message is JSON text in the column the text lived in before:
``{"code": "check.g1.busy", "params": {"school": "…", "group": "…"}}``. A parameter is data
(a name, a number, a date as 2024-09-01) or itself a message: a choice label is kept as
``{"code": "label", "params": {"text": "<its Chinese source>"}}`` and translated when shown. A text
that is not such JSON is shown as it is (typed text, and rows older than the codes the data
migration could not map; a mapped row keeps its old text as ``fallback``).

`msg(code, **params)` makes a message, `encode` turns it (or a lazy label) into the stored text,
`render(stored)` shows any stored text in the active language. Codes and their Chinese templates
are listed once, below; the templates are the catalogue's msgids, so their English is in
locale/en."""

import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LABEL = "label"
CONCAT = "concat"  # parameters a, b, … rendered and joined (a notice and its suffix)

MESSAGES: dict[str, Promise] = {
    # --- policy checks (groups/applications/checks.py) ----------------------------------------
    "check.g1.free": _("拟加入学校均未加入其他集团。"),
    "check.g1.busy": _("%(school)s 已是“%(group)s”的在册学校，不能同时加入两个集团。"),
    "check.g1.core_is_member": _("核心校不能同时作为本集团的成员校。"),
    "check.documents.missing": _("缺少必需的材料：%(docs)s。"),
    "check.documents.complete": _("必需材料齐全。"),
    "check.l1.no_members": _("请至少填写一所拟加入的成员校。"),
    "check.l3.one_candidate": _("吸纳申请须填写且只填写一所拟吸纳的学校。"),
    "check.t1.stage_mismatch": _(
        "%(school)s（%(stage)s、%(nature)s）与核心校（%(core_stage)s、%(core_nature)s）"
        "学段或性质不同；融合型原则上仅限同类型、同学段、同性质学校。"
    ),
    "check.t2.same_stage": _(
        "%(school)s 与核心校学段相同（%(stage)s）；聚合型原则上在不同类型或学段的学校之间。"
    ),
    "check.t2a.no_pilot": _("%(school)s 拟开展贯通式培养，须填写试点批准文号。"),
    "check.t3.no_project": _("%(school)s 为联合型合作，须至少填写一个合作项目。"),
    "check.g3.no_reason": _("拟任总校长（%(chief)s）不是核心校校长（%(core)s），且未说明理由。"),
    "check.g3.other_chief": _("拟任总校长（%(chief)s）不是核心校校长，理由：%(reason)s"),
    "check.g3.core_chief": _("由核心校校长任总校长。"),
    "check.g6.private_core": _("核心校 %(core)s 为民办学校；公办学校应保持引领地位。"),
    "check.a4.weak_share": _(
        "薄弱学校占成员校 %(weak)s/%(total)s（%(pct)s%%），最低要求 %(min)s%%。"
    ),
    "check.l4.growth": _(
        "近12个月已吸纳 %(recent)s 所，加上本次共 %(total)s 所；上限 %(limit)s 所。"
    ),
    "check.l5.not_member": _("该学校已不是本集团的在册成员校。"),
    "check.l5.before_join": _("退出日期不能早于加入日期。"),
    "check.l5.open_cards": _(
        "该校有 %(n)s 张未结束的黄牌预警（政策 L-6）；退出原则上适用于办学质量高、声誉好的成员校。"
    ),
    "check.l5.no_cards": _("该校没有未结束的黄牌预警。"),
    "check.l5.open_exit": _("该校已有一份未办结的退出申请。"),
    "check.l3.open_elsewhere": _("拟吸纳的学校已出现在另一份已提交、未办结的申请中。"),
    "check.t2a.not_basic": _(
        "基础教育跨学段聚合限于小学、初中、高中（含一贯制学校）之间；"
        "%(school)s（%(stage)s）与核心校 %(core)s（%(core_stage)s）不都属于此列。"
        "普通高中与职业学校之间请选“普通高中职业高中聚合”（T-2b）。"
    ),
    "check.t2b.not_general_vocational": _(
        "普通高中职业高中聚合须一方为普通高中、一方为中等职业学校；"
        "%(school)s（%(stage)s）与核心校 %(core)s（%(core_stage)s）不是。"
    ),
    "check.t2c.no_university": _(
        "高等教育基础教育聚合须有高等院校参与：集团（或本申请）尚无高等院校合作单位，"
        "请先添加高等院校合作单位，或为 %(school)s 选择其他子类型。"
    ),
    "check.t3a.several_projects": _(
        "%(school)s 为“单个项目”联合，却填写了 %(n)s 个项目；多个项目请选 T-3b。"
    ),
    "check.t3b.one_project": _(
        "%(school)s 为“多个项目”联合，只填写了 1 个项目；单个项目请选 T-3a。"
    ),
    "check.l5.open_exit_named": _("该校已有一份未办结的退出申请：%(application)s。"),
    "check.open_elsewhere_named": _(
        "%(school)s 已出现在另一份已提交、未办结的申请中：%(application)s（政策 %(clause)s）。"
    ),
    # --- notifications ------------------------------------------------------------------------
    "notice.exit.opinion_wanted": _("%(school)s 申请退出集团，请核心校提出意见。"),
    "notice.application.consent_wanted": _("“%(title)s”请求贵单位同意。"),
    "notice.application.to_decide": _("“%(title)s”待审批。"),
    "notice.application.consent_refused": _("%(authority)s 不同意“%(title)s”，申请已退回。"),
    "notice.application.consents_given": _("“%(title)s”各方已同意，待审批。"),
    "notice.application.opinion_given": _("“%(title)s”核心校已提出意见，待审批。"),
    "notice.application.decided": _("“%(title)s”：%(decision)s。%(reason)s"),
    "notice.card.yellow": _(
        "%(group)s：%(school)s 收到黄牌预警（%(ground)s），请于 %(deadline)s 前提交整改材料"
        "（政策 L-6）。"
    ),
    "notice.card.rectified": _("%(school)s 已就黄牌预警提交整改材料，待审核（政策 L-6）。"),
    "notice.card.lifted": _("%(school)s 的黄牌预警已撤销（政策 L-6）。"),
    "notice.card.rejected": _(
        "%(school)s 的整改未通过审核，请于 %(date)s 前重新提交整改材料（政策 L-6）。"
    ),
    "notice.card.overdue": _(
        "%(group)s：%(school)s 的黄牌整改已逾期（期限 %(deadline)s，政策 L-6）。"
    ),
    "notice.card.red": _(
        "%(group)s：%(school)s 被红牌淘汰，自 %(date)s 起不再是集团成员校（政策 L-6）。"
    ),
    "notice.filing.filed": _("%(authority)s 向市教育局报备：%(title)s"),
    "notice.filing.group_founded": _("%(authority)s 报备新成立的教育集团：%(name)s"),
    "notice.filing.refiled": _("%(authority)s 重新报备：%(title)s"),
    "notice.filing.late": _("（未提前报备，政策 D-2）"),
    "notice.filing.acknowledged": _("市教育局已确认报备：%(title)s"),
    "notice.filing.returned": _("市教育局退回报备：%(title)s。意见：%(remarks)s"),
    "notice.plan.filed": _("%(school)s 报送了 %(year)s 年度招生计划，待核定"),
    "notice.plan.refiled": _("%(school)s 重新报送了 %(year)s 年度招生计划"),
    "notice.plan.set": _("%(year)s 年度招生计划已由主管部门核定"),
    "notice.plan.returned": _("%(year)s 年度招生计划被主管部门退回。意见：%(remarks)s"),
    # --- reasons the system records -----------------------------------------------------------
    "reason.with_remarks": _("%(action)s：%(remarks)s"),
    "reason.consent_refused": _("%(authority)s 不同意：%(reason)s"),
    "reason.no_consents_needed": _("无需其他部门同意"),
    "reason.evaluation": _("填写准入评估"),
    "reason.draft_created": _("创建草稿"),
    "reason.consent_requested": _("征求意见"),
    "reason.seat_ended_with_membership": _("成员关系结束（%(reason)s），卸任"),
    "reason.plan_filed": _("报送"),
    "reason.filing_filed": _("报备"),
    "reason.filing_auto": _("区（市）批准成立集团后自动报备（政策 L-2）"),
    "reason.filing_late": _(
        "项目开始日期 %(start)s 不晚于报备日期 %(filed)s：改革创新项目须在开始之前向市教育局"
        "报备（提前报备，政策 D-2）。"
    ),
    "reason.card_yellow": _("发出黄牌预警"),
    "reason.card_lifted": _("整改通过，撤销预警"),
    "reason.card_rejected": _("整改不通过，新期限 %(date)s"),
    "reason.card_overdue": _("整改逾期"),
    "reason.card_escalated_red": _("由黄牌升级为红牌"),
    "reason.card_red": _("发出红牌，淘汰出集团"),
    "reason.card_escalated": _("升级为红牌"),
    "reason.card_closed_with_membership": _("成员关系结束（%(reason)s），预警关闭"),
    "reason.document_registered": _("登记%(kind)s第 %(v)d 版"),
    "reason.document_from_application": _("申请批准，%(kind)s成为集团文件（第 %(v)d 版）"),
    "reason.attachment_uploaded": _("上传附件：%(name)s"),
}


def _encode_value(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_dict()
    if isinstance(value, Promise):
        return label(value).as_dict()
    if isinstance(value, bool | int | str | dict | list) or value is None:
        return value  # data, or a parameter already in its stored form (a decoded message)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    return str(value)


@dataclass(frozen=True, eq=False)
class Message:
    """A text the system writes: a code of MESSAGES (or LABEL) and its parameters. `str()`
    renders it in the active language; `encode()` is what is stored, and two messages are equal
    when they store the same (a decoded one equals the one that was stored)."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and self.encode() == other.encode()

    def __hash__(self) -> int:
        return hash(self.encode())

    def as_dict(self) -> dict:
        return {"code": self.code, "params": {k: _encode_value(v) for k, v in self.params}}

    def encode(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True)

    def __str__(self) -> str:
        return _render_dict(self.as_dict())

    def __html__(self) -> str:  # templates escape str(); never mark it safe
        from django.utils.html import escape

        return str(escape(str(self)))


def msg(code: str, **params: Any) -> Message:
    """A message of the registry; an unknown code is a programming error (KeyError now, not a
    blank text later)."""
    if code not in MESSAGES:
        raise KeyError(f"unknown message code {code!r}")
    return Message(code, tuple(sorted(params.items())))


def concat(*parts: "Message | str") -> Message:
    """Messages (or data) shown one after the other."""
    return Message(CONCAT, tuple((f"p{i:02d}", part) for i, part in enumerate(parts)))


def source_text(text: str | Promise) -> str:
    """The catalogue's msgid of a lazy translatable text (its Chinese source)."""
    with translation.override(None):  # no catalogue: gettext returns the msgid itself
        return str(text)


def label(text: str | Promise) -> Message:
    """A translatable label (a choice's label, an action's name) kept by its Chinese source and
    translated when shown."""
    return Message(LABEL, (("text", source_text(text)),))


def encode(value: "Message | Promise | str") -> str:
    """What a column stores: a message or a lazy label as JSON, a typed text as it is."""
    if isinstance(value, Message):
        return value.encode()
    if isinstance(value, Promise):
        return label(value).encode()
    return str(value)


def _as_message_dict(value: Any) -> dict | None:
    if isinstance(value, dict) and isinstance(value.get("code"), str):
        return value
    return None


def decode(stored: str | None) -> dict | None:
    """The message a stored text holds, as {"code", "params"[, "fallback"]}; None for a typed
    text."""
    if not stored or not stored.startswith('{"'):
        return None
    try:
        value = json.loads(stored)
    except ValueError:
        return None
    return _as_message_dict(value)


def _render_param(value: Any) -> Any:
    nested = _as_message_dict(value)
    return _render_dict(nested) if nested is not None else value


def _render_dict(data: Mapping) -> str:
    code, params = data["code"], data.get("params") or {}
    if code == LABEL:
        text = str(params.get("text", ""))
        return gettext(text) if text else ""
    if code == CONCAT:
        return "".join(str(_render_param(params[k])) for k in sorted(params))
    template = MESSAGES.get(code)
    if template is None:
        return str(data.get("fallback") or code)
    try:
        return str(template) % {k: _render_param(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        return str(data.get("fallback") or template)


def render(stored: "str | Message | Promise | None") -> str:
    """Any stored text in the active language: a message rendered, a typed text as it is."""
    if stored is None:
        return ""
    if isinstance(stored, Message | Promise):
        return str(stored)
    data = decode(stored)
    return stored if data is None else _render_dict(data)


def render_in(language: str | None, stored: "str | Message | None") -> str:
    """`render` in a given language (an e-mail in its recipient's language)."""
    with translation.override(language or None):
        return render(stored)


# --- Rows written before the codes (the data migration) -----------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def _pattern(template: str) -> "re.Pattern[str]":
    parts, last, names = [], 0, set()
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : m.start()]))
        if m.group(0) == "%%":
            parts.append("%")
        elif m.group(1) in names:  # the same value again: must be equal
            parts.append(f"(?P={m.group(1)})")
        else:
            names.add(m.group(1))
            parts.append(f"(?P<{m.group(1)}>.*?)")
        last = m.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts) + r"\Z", re.S)


@lru_cache(maxsize=4)
def _patterns(languages: tuple[str, ...]) -> list[tuple[str, "re.Pattern[str]", int]]:
    """(code, pattern, how many literal characters) of every template in every language, the
    most literal first (a template of bare parameters would match anything)."""
    found = []
    for language in languages:
        with translation.override(language):
            for code, template in MESSAGES.items():
                text = str(template)
                found.append((code, _pattern(text), len(_PLACEHOLDER.sub("", text))))
    found.sort(key=lambda item: -item[2])
    return found


def legacy_message(
    text: str, *, labels: "tuple[str | Promise, ...]" = (), languages: tuple[str, ...] = ()
) -> str | None:
    """The stored form of a text written before the codes, or None when no code matches (it is
    then kept as it is, shown as typed). A matched text keeps itself as `fallback`; its
    parameters are kept as labels (a name the catalogue knows, such as a stage or a district,
    is then translated; any other is shown as written). `labels` are plain labels the system
    wrote as reasons (the workflow actions' names); `languages` those the text may be in
    (Chinese and English by default)."""
    if not text or decode(text) is not None:
        return None
    languages = languages or ("zh-hans", "en")
    for candidate in labels:
        for language in languages:
            with translation.override(language):
                if str(candidate) == text:
                    return label(candidate).encode()
    for candidate in labels:  # "<action>：<remarks>" (a filing or plan handled with remarks)
        for language in languages:
            with translation.override(language):
                head = str(msg("reason.with_remarks", action=str(candidate), remarks=""))
            if text.startswith(head) and len(text) > len(head):
                remarks = text[len(head) :]
                return msg("reason.with_remarks", action=label(candidate), remarks=remarks).encode()
    for code, pattern, literal in _patterns(languages):
        if literal < 4:  # too loose to tell from typed text
            continue
        m = pattern.match(text)
        if m is None:
            continue
        params = {k: label(v) if v else "" for k, v in m.groupdict().items()}
        data = msg(code, **params).as_dict()
        data["fallback"] = text
        return json.dumps(data, ensure_ascii=False, sort_keys=True)
    return None
