"""What a group's dossier (案卷) holds, read a kind at a time (policy A-1; issue 10).

Each function is one query (two for the history), whatever the number of rows: official
documents are read without their bytes (`pdf_chunks` reads the bytes afterwards through one
server-side cursor), ledger lines as plain values in chunks."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from assessments.reports.models import Report
from funding.ledgers.models import Ledger, LedgerLine
from groups.applications.models import Application, Consent
from groups.cards.models import Card
from groups.charter.models import GroupDocument
from groups.filings.models import Filing
from groups.registry.models import EducationGroup
from qingdao_groups.models import Attachment, OfficialDocument

# The applications whose uploaded documents go into the dossier (the founding and admissions).
DOCUMENT_KINDS = (Application.Kind.FOUNDING, Application.Kind.ADMISSION)
PDF_CHUNK = 20  # archived PDFs held in memory at a time while the ZIP is written


def dossier_group(group_id: int) -> EducationGroup:
    return EducationGroup.objects.select_related("core_school", "authority").get(pk=group_id)


def _types(*models) -> dict:
    return ContentType.objects.get_for_models(*models)


def report_documents(group_id: int) -> QuerySet[OfficialDocument]:
    """Every archived version of the group's assessment reports (no bytes), oldest first."""
    report_type = _types(Report)[Report]
    return (
        OfficialDocument.objects.select_related("authority")
        .filter(
            owner_type=report_type,
            owner_id__in=Report.objects.filter(group_id=group_id).values("pk"),
        )
        .order_by("issued_at", "id")
    )


def official_documents(group_id: int) -> QuerySet[OfficialDocument]:
    """The official documents whose owner concerns the group (no bytes), oldest first: the 批复
    of its founding, admission and exit applications, the 备案回执 of its filings and the
    statements of its ledgers. Reports are read by `report_documents`."""
    types = _types(Application, Filing, Ledger)
    owners = (
        Q(
            owner_type=types[Application],
            owner_id__in=Application.objects.filter(group_id=group_id).values("pk"),
        )
        | Q(
            owner_type=types[Filing],
            owner_id__in=Filing.objects.filter(group_id=group_id).values("pk"),
        )
        | Q(
            owner_type=types[Ledger],
            owner_id__in=Ledger.objects.filter(group_id=group_id).values("pk"),
        )
    )
    return (
        OfficialDocument.objects.select_related("authority")
        .filter(owners)
        .order_by("issued_at", "id")
    )


def pdf_chunks(document_ids: list[int]) -> Iterator[tuple[int, bytes]]:
    """(id, bytes) of the archived PDFs, in the order of `document_ids`' ids, read through one
    query a few at a time (a server-side cursor on PostgreSQL)."""
    if not document_ids:
        return iter(())
    rows = (
        OfficialDocument.objects.filter(pk__in=document_ids)
        .order_by("pk")
        .values_list("pk", "pdf")
        .iterator(chunk_size=PDF_CHUNK)
    )
    return ((pk, bytes(pdf)) for pk, pdf in rows)


def application_attachments(group_id: int) -> QuerySet[Attachment]:
    """Every version of every document uploaded to the group's founding and admission
    applications, with the application (`application_title` etc. annotated in one query)."""
    application_type = _types(Application)[Application]
    applications = Application.objects.filter(group_id=group_id, kind__in=DOCUMENT_KINDS)
    return Attachment.objects.filter(
        owner_type=application_type, owner_id__in=applications.values("pk")
    ).order_by("owner_id", "kind", "version", "id")


def applications_by_id(group_id: int) -> dict[int, Application]:
    """The group's applications with what the decisions CSV and the file names need."""
    return {
        a.pk: a
        for a in Application.objects.filter(group_id=group_id)
        .select_related("applicant_school", "decided_by", "deciding_authority", "group")
        .order_by("created_at", "id")
    }


def consents(group_id: int) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(application__group_id=group_id)
        .select_related("authority", "decided_by")
        .order_by("application_id", "id")
    )


def group_documents(group_id: int) -> QuerySet[GroupDocument]:
    """Every version of the group's charter, rules, plan and agreements, oldest first."""
    return GroupDocument.objects.filter(group_id=group_id).order_by("kind", "version", "id")


def cards(group_id: int) -> QuerySet[Card]:
    return (
        Card.objects.filter(group_id=group_id)
        .select_related("membership__school", "issued_by")
        .order_by("issued_at", "id")
    )


LEDGER_LINE_FIELDS = (
    "ledger__fiscal_year",
    "ledger__authority__name",
    "ledger__sequence",
    "ledger__status",
    "position",
    "rule",
    "payer_name",
    "payee_name",
    "period_start",
    "period_end",
    "amount",
    "applicable",
    "is_adjustment",
    "formula",
)


def ledger_lines(group_id: int) -> Iterator[tuple]:
    """Every line of every ledger of the group as plain values (LEDGER_LINE_FIELDS), ledger by
    ledger, in chunks."""
    return (
        LedgerLine.objects.filter(ledger__group_id=group_id)
        .order_by("ledger__fiscal_year", "ledger__authority_id", "ledger__sequence", "position")
        .values_list(*LEDGER_LINE_FIELDS)
        .iterator(chunk_size=500)
    )
