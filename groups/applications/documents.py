"""The 批复 (official reply) every decision on a founding, admission or exit application
produces (issue 8): approval, approval with conditions or 不予批准, issued by the deciding
authority in the decision's transaction (qingdao_groups.core.archive). Returning an application
for more information is not a decision on it and issues nothing.

The document is written in Chinese whatever the decider's language: it is an official paper,
so its wording is plain Chinese text here and in applications/pdf/reply.html, not gettext."""

import datetime

from django.utils import timezone, translation

from groups.applications.models import Application, CheckResult
from groups.applications.workflows import APPROVED_STATUSES, ApplicationStatus
from members.models import Authority, User
from qingdao_groups.core.archive import issue_document
from qingdao_groups.core.clauses import CLAUSE_TEXT
from qingdao_groups.core.pdf import chinese_date
from qingdao_groups.models import OfficialDocument

REPLY = "application_reply"
REPLY_TEMPLATE = "applications/pdf/reply.html"
_NUMERALS = "一二三四五六七八九十"
DECIDED_STATUSES = (*APPROVED_STATUSES, ApplicationStatus.REJECTED)

# The clauses every decision of a kind rests on (policy L-1 … L-5).
_KIND_CLAUSES = {
    Application.Kind.FOUNDING: ["L-1"],
    Application.Kind.ADMISSION: ["L-3", "L-4"],
    Application.Kind.EXIT: ["L-5"],
}


def _subject(application: Application) -> tuple[str, str]:
    """(what was applied for, the group's name) in the words of the title."""
    school = application.applicant_school.name
    group = application.group.name if application.group else application.proposed_name
    if application.kind == Application.Kind.FOUNDING:
        return f"成立{application.proposed_name}", application.proposed_name
    if application.kind == Application.Kind.ADMISSION:
        candidate = application.proposed_members.select_related("school").first()
        name = candidate.school.name if candidate else ""
        return f"{name}加入{group}", group
    return f"{school}退出{group}", group


def reply_title(application: Application) -> str:
    subject, _group = _subject(application)
    if application.status == ApplicationStatus.REJECTED:
        return f"关于不予批准{subject}的批复"
    return f"关于同意{subject}的批复"


def _decision_lines(application: Application, day: datetime.date) -> list[str]:
    """What is decided, as the numbered items of the reply."""
    subject, group = _subject(application)
    if application.status == ApplicationStatus.REJECTED:
        return [f"经研究，不予批准{subject}。"]
    effective = chinese_date(application.start_on or day)
    if application.kind == Application.Kind.FOUNDING:
        members = [
            f"{p.school.name}（{p.get_relation_type_display()}·{p.get_relation_subtype_display()}）"
            for p in application.proposed_members.select_related("school").order_by("pk")
        ]
        partners = [p.partner.name for p in application.proposed_partners.select_related("partner")]
        lines = [
            f"同意成立{group}，自{effective}起成立。",
            f"{application.applicant_school.name}为集团核心校"
            + (f"，成员校为：{'、'.join(members)}。" if members else "。"),
        ]
        if partners:
            lines.append(f"合作单位：{'、'.join(partners)}。")
        return lines
    if application.kind == Application.Kind.ADMISSION:
        candidate = application.proposed_members.select_related("school").first()
        relation = (
            f"，合作类型为{candidate.get_relation_type_display()}"
            f"（{candidate.get_relation_subtype_display()}）"
            if candidate
            else ""
        )
        return [f"同意{subject}{relation}，自{effective}起生效。"]
    return [f"同意{subject}，自{effective}起不再为{group}成员校。"]


def reply_data(application: Application, day: datetime.date) -> dict:
    """The data the reply is rendered from and archived with: plain values, in Chinese."""
    with translation.override("zh-hans"):
        _subject_text, group = _subject(application)
        answered = [
            {"clause": r.clause, "message": r.text}
            for r in application.check_results.filter(
                stage=CheckResult.Stage.DECISION, passed=False
            ).order_by("clause", "pk")
            if r.severity != CheckResult.Severity.INFO
        ]
        clauses = list(_KIND_CLAUSES[application.kind])
        if (
            application.kind == Application.Kind.FOUNDING
            and application.deciding_authority.kind == Authority.Kind.DISTRICT
            and application.status in APPROVED_STATUSES
        ):
            clauses.append("L-2")  # filed with the city
        for item in answered:
            if item["clause"] not in clauses:
                clauses.append(item["clause"])
        submitted = application.submitted_at
        lines = _decision_lines(application, day)
        cc = []
        if application.kind == Application.Kind.EXIT and application.group:
            cc.append(application.group.core_school.name)
        elif application.kind != Application.Kind.EXIT:
            cc += [
                p.school.name
                for p in application.proposed_members.select_related("school").order_by("pk")
                if p.school_id != application.applicant_school_id
            ]
        return {
            "application_id": application.pk,
            "kind": application.kind,
            "kind_label": application.get_kind_display(),
            "status": application.status,
            "decision": application.get_status_display(),
            "group_name": group,
            "applicant": application.applicant_school.name,
            "submitted_on": chinese_date(timezone.localdate(submitted)) if submitted else "",
            "lines": [
                f"{_NUMERALS[i]}、{line}" if len(lines) > 1 else line
                for i, line in enumerate(lines)
            ],
            "reason": application.decision_reason,
            "conditions": application.conditions,
            "justification": application.justification,
            "answered": answered,
            "clauses": [{"id": c, "text": str(CLAUSE_TEXT.get(c, ""))} for c in clauses],
            "cc": cc,
        }


def application_reply_issue(
    *, application: Application, actor: User, now: datetime.datetime
) -> OfficialDocument | None:
    """Issue the 批复 of a decided application (approved, approved with conditions or not
    approved; policy L-1, L-3, L-5) in the decision's transaction, numbered by the deciding
    authority. Nothing for any other status (a return for more information)."""
    if application.status not in DECIDED_STATUSES:
        return None
    day = timezone.localdate(now)
    return issue_document(
        owner=application,
        kind=REPLY,
        authority=application.deciding_authority,
        title=reply_title(application),
        addressee=application.applicant_school.name,
        template=REPLY_TEMPLATE,
        context=reply_data(application, day),
        actor=actor,
        now=now,
    )
