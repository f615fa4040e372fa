"""The 备案回执 (filing receipt) every acknowledged filing produces (issue 8): issued by the
city bureau in the acknowledgement's transaction (qingdao_groups.core.archive), numbered by its
sequence. Filing is not approval (policy L-2, D-1, D-2): the receipt says the city has it on
record, with the city's remarks.

Written in Chinese whatever the officer's language: an official paper, so its wording is plain
Chinese text here and in filings/pdf/receipt.html, not gettext."""

import datetime

from django.utils import translation

from groups.filings.models import Filing
from groups.filings.workflows import FilingStatus
from members.models import Authority, User
from qingdao_groups.core.archive import issue_document
from qingdao_groups.core.clauses import CLAUSE_TEXT
from qingdao_groups.core.pdf import chinese_date
from qingdao_groups.models import OfficialDocument

RECEIPT = "filing_receipt"
RECEIPT_TEMPLATE = "filings/pdf/receipt.html"

_KIND_CLAUSES = {
    Filing.Kind.GROUP_FOUNDING: ["L-2"],
    Filing.Kind.POLICY: ["D-1"],
    Filing.Kind.PROJECT: ["D-2"],
}


def receipt_title(filing: Filing) -> str:
    return f"关于{filing.title}的备案回执"


def receipt_data(filing: Filing) -> dict:
    """The data the receipt is rendered from and archived with: plain values, in Chinese."""
    with translation.override("zh-hans"):
        late = ""
        if filing.is_late:
            late = (
                f"该项目开始日期（{chinese_date(filing.project_starts_on)}）不晚于首次报备日期，"
                "未按要求提前报备。"
            )
        return {
            "filing_id": filing.pk,
            "kind": filing.kind,
            "kind_label": filing.get_kind_display(),
            "filing_title": filing.title,
            "group_name": filing.group.name if filing.group_id else "",
            "filed_by": filing.authority.name,
            "filed_on": chinese_date(filing.first_filed_on or filing.filed_on),
            "refiled_on": (
                chinese_date(filing.filed_on)
                if filing.first_filed_on and filing.first_filed_on != filing.filed_on
                else ""
            ),
            "project_starts_on": (
                chinese_date(filing.project_starts_on) if filing.project_starts_on else ""
            ),
            "late": late,
            "remarks": filing.remarks,
            "clauses": [
                {"id": c, "text": str(CLAUSE_TEXT.get(c, ""))} for c in _KIND_CLAUSES[filing.kind]
            ],
        }


def filing_receipt_issue(
    *, filing: Filing, actor: User, now: datetime.datetime
) -> OfficialDocument | None:
    """Issue the 备案回执 of an acknowledged filing (policy L-2, D-1, D-2) in the
    acknowledgement's transaction, by the acknowledging officer's authority (the city bureau)."""
    if filing.status != FilingStatus.ACKNOWLEDGED:
        return None
    authority = actor.authority or Authority.objects.filter(kind=Authority.Kind.CITY).first()
    assert authority is not None  # can_handle_filing: city staff, who act for the city bureau
    return issue_document(
        owner=filing,
        kind=RECEIPT,
        authority=authority,
        title=receipt_title(filing),
        addressee=filing.authority.name,
        template=RECEIPT_TEMPLATE,
        context=receipt_data(filing),
        actor=actor,
        now=now,
    )
