"""The archive of official documents (issue 8): 批复, 备案回执 and, next, reports and ledgers.

A feature registers each kind of document it issues from its hooks module, with who may read it:

    register_document_kind("application_reply", label=_("批复"), can_view=(user, owner) -> bool)

and issues a document inside the transaction of the act it records (a decision, an
acknowledgement):

    issue_document(owner=…, kind=…, authority=…, title=…, template=…, context=…, actor=…, now=…)

which takes the next number (文号) of the issuing authority for the year under a row lock of its
counter, makes a verification code, renders the PDF (qingdao_groups.core.pdf) and archives it
once, with its SHA-256 and the data it was rendered from. If the act rolls back, so do the
number and the document: numbers never repeat and never skip. An archived document is never
changed (OfficialDocument refuses a second save); anyone holding a printout checks it at
/verify/<code>, which shows only its title, number, date, issuing authority and SHA-256."""

import datetime
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from members.models import Authority, User
from qingdao_groups.core.pdf import chinese_date, qr_svg, render_pdf
from qingdao_groups.core.uploads import download_name
from qingdao_groups.models import DocumentNumberCounter, DocumentNumberPattern, OfficialDocument

# --- kinds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: Any  # a lazy translation: 批复, 备案回执
    can_view: Callable[[User, models.Model], bool]


_KINDS: dict[str, DocumentKind] = {}


def register_document_kind(
    key: str, *, label: Any, can_view: Callable[[User, models.Model], bool]
) -> None:
    """Called from a feature's hooks module (loaded in AppConfig.ready); idempotent by key.
    `can_view(user, owner)` is the owner's visibility rule: whoever may see the owner may read
    its documents."""
    _KINDS[key] = DocumentKind(key, label, can_view)


def document_kind(key: str) -> DocumentKind | None:
    return _KINDS.get(key)


# --- numbers (文号) -----------------------------------------------------------------------------

_BUREAU_WORDS = (("教育和体育局", "教体"), ("教育体育局", "教体"), ("教育局", "教"))


def default_pattern(authority: Authority) -> str:
    """The pattern an authority numbers by until one is set in the admin: its short name, 发,
    the year in 〔〕 and the serial: 青岛市教育局 → 青教发〔{year}〕{n}号, 李沧区教育和体育局 →
    李沧教体发〔{year}〕{n}号."""
    name = authority.name
    found = next(((word, short) for word, short in _BUREAU_WORDS if word in name), None)
    if found is None:
        return name + "〔{year}〕{n}号"
    word, short = found
    place = name.split(word)[0]
    if place.startswith("青岛") and len(place) > 3:  # 青岛西海岸新区 → 西海岸新区
        place = place[2:]
    for suffix in ("新区", "区", "市", "县"):
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            place = place[: -len(suffix)]
            break
    if authority.kind == Authority.Kind.CITY:
        place = place[:1]  # 青岛 → 青
    return f"{place}{short}发" + "〔{year}〕{n}号"


def pattern_problem(pattern: str) -> str:
    """Why a pattern cannot number documents ("" when it can): it must hold {n}, may hold
    {year}, and nothing else in braces."""
    if "{n" not in pattern:
        return _("文号格式须包含顺序号 {n}。")
    try:
        pattern.format(year=2026, n=1)
    except (KeyError, IndexError, ValueError):
        return _("文号格式只能使用 {year}（年份）和 {n}（顺序号）。")
    return ""


def number_pattern(authority: Authority) -> str:
    row = DocumentNumberPattern.objects.filter(authority=authority).first()
    return row.pattern if row is not None else default_pattern(authority)


def number_allocate(*, authority: Authority, year: int) -> tuple[int, str]:
    """The next serial of `authority` in `year` and its formatted number. Must run inside the
    transaction that archives the document: the counter row stays locked until it commits (or
    rolls back, giving the number back), so concurrent issuers wait and take the next one."""
    assert transaction.get_connection().in_atomic_block, "allocate inside the archiving transaction"
    # Create-or-lock: INSERT … ON CONFLICT DO NOTHING waits for a concurrent creator's commit
    # on PostgreSQL (SQLite serialises writers), then the row is locked.
    DocumentNumberCounter.objects.bulk_create(
        [DocumentNumberCounter(authority=authority, year=year, last=0)], ignore_conflicts=True
    )
    counter = DocumentNumberCounter.objects.select_for_update().get(authority=authority, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, number_pattern(authority).format(year=year, n=counter.last)


# --- verification codes ----------------------------------------------------------------------

# Crockford's base32: no I, L, O, U, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 random bits
_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A code as typed: any case, O for 0, I or L for 1, spaces and hyphens ignored."""
    code = re.sub(r"[\s-]", "", text or "").upper()
    return code.translate(str.maketrans("OIL", "011"))


def verify_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("verify", kwargs={"code": code})


# --- issuing ---------------------------------------------------------------------------------


@transaction.atomic
def issue_document(
    *,
    owner: models.Model,
    kind: str,
    authority: Authority,
    title: str,
    template: str,
    context: dict,
    addressee: str = "",
    actor: User | None = None,
    now: datetime.datetime | None = None,
) -> OfficialDocument:
    """Archive the official document `kind` of `owner`, issued by `authority` (issue 8).

    `context` is the data the document is rendered from (plain JSON: strings, numbers, lists,
    dicts), kept with it; the template also receives `doc` (number, code, title, addressee,
    authority, date in Chinese, verification URL and its QR code as inline SVG). Issued once
    per owner and kind: a second call returns the first document."""
    if kind not in _KINDS:
        raise TypeError(f"{kind!r} is not a registered document kind")
    owner_type = ContentType.objects.get_for_model(owner)
    existing = OfficialDocument.objects.filter(
        owner_type=owner_type, owner_id=owner.pk, kind=kind
    ).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    issued_on = timezone.localdate(now)
    serial, number = number_allocate(authority=authority, year=issued_on.year)
    code = new_code()
    while OfficialDocument.objects.filter(code=code).exists():  # 50 bits: all but never
        code = new_code()
    url = verify_url(code)
    doc = {
        "number": number,
        "code": code,
        "title": title,
        "addressee": addressee,
        "authority": authority.name,
        "date": chinese_date(issued_on),
        "verify_url": url,
        "qr_svg": qr_svg(url),
    }
    pdf = render_pdf(template, {**context, "doc": doc})
    return OfficialDocument.objects.create(
        owner_type=owner_type,
        owner_id=owner.pk,
        kind=kind,
        authority=authority,
        year=issued_on.year,
        serial=serial,
        number=number,
        title=title,
        addressee=addressee,
        issued_on=issued_on,
        issued_at=now,
        issued_by=actor,
        code=code,
        pdf=pdf,
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        template=template,
        data=context,
    )


@dataclass(frozen=True)
class RenderedDocument:
    """A document rendered but not yet archived: what `render_document` made and
    `archive_rendered` keeps (issue 10)."""

    kind: str
    authority: Authority
    title: str
    addressee: str
    template: str
    context: dict
    code: str
    issued_at: datetime.datetime
    pdf: bytes


def render_document(
    *,
    kind: str,
    authority: Authority,
    title: str,
    template: str,
    context: dict,
    addressee: str = "",
    now: datetime.datetime | None = None,
) -> RenderedDocument:
    """Render a document before its number is taken (issue 10: reports). The template gets
    `doc` as in `issue_document` but without `number`: the PDF carries its identity by its
    verification code, so the authority's counter is locked only for the insert in
    `archive_rendered`, not while WeasyPrint draws many pages."""
    if kind not in _KINDS:
        raise TypeError(f"{kind!r} is not a registered document kind")
    now = now or timezone.now()
    code = new_code()
    while OfficialDocument.objects.filter(code=code).exists():  # 50 bits: all but never
        code = new_code()
    url = verify_url(code)
    doc = {
        "number": "",
        "code": code,
        "title": title,
        "addressee": addressee,
        "authority": authority.name,
        "date": chinese_date(timezone.localdate(now)),
        "verify_url": url,
        "qr_svg": qr_svg(url),
    }
    pdf = render_pdf(template, {**context, "doc": doc})
    return RenderedDocument(kind, authority, title, addressee, template, context, code, now, pdf)


def archive_rendered(
    rendered: RenderedDocument, *, owner: models.Model, actor: User | None = None
) -> OfficialDocument:
    """Archive a rendered document for `owner`, taking the authority's next number now. Must
    run inside the caller's transaction (the owner's row is created in it), which should be
    short: the counter row stays locked until it commits."""
    assert transaction.get_connection().in_atomic_block, "archive inside the owner's transaction"
    issued_on = timezone.localdate(rendered.issued_at)
    serial, number = number_allocate(authority=rendered.authority, year=issued_on.year)
    return OfficialDocument.objects.create(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        kind=rendered.kind,
        authority=rendered.authority,
        year=issued_on.year,
        serial=serial,
        number=number,
        title=rendered.title,
        addressee=rendered.addressee,
        issued_on=issued_on,
        issued_at=rendered.issued_at,
        issued_by=actor,
        code=rendered.code,
        pdf=rendered.pdf,
        size=len(rendered.pdf),
        sha256=hashlib.sha256(rendered.pdf).hexdigest(),
        template=rendered.template,
        data=rendered.context,
    )


# --- reads -----------------------------------------------------------------------------------


def documents_of(owner: models.Model) -> QuerySet[OfficialDocument]:
    """The official documents of any owner, oldest first, without their bytes."""
    return OfficialDocument.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
    ).order_by("issued_at", "id")


def document_get_for_user(user: User, document_id: int) -> OfficialDocument:
    """A document is readable by whoever may see its owner, by its kind's registered rule; 404
    otherwise, so a swapped id reveals nothing."""
    document = OfficialDocument.objects.select_related("owner_type").filter(pk=document_id).first()
    spec = _KINDS.get(document.kind) if document is not None else None
    owner = document.owner if document is not None and spec is not None else None
    if document is None or spec is None or owner is None or not spec.can_view(user, owner):
        raise Http404
    return document


def document_by_code(code: str) -> OfficialDocument | None:
    """The document a verification code names, with its authority (None when none does)."""
    code = normalise_code(code)
    if not _CODE_RE.match(code):
        return None
    return (
        OfficialDocument.objects.select_related("authority")
        .only("title", "number", "issued_on", "sha256", "code", "authority__name")
        .filter(code=code)
        .first()
    )


def document_response(user: User, document_id: int) -> HttpResponse:
    """The archived bytes as issued, as a download named after the document."""
    document = document_get_for_user(user, document_id)
    from qingdao_groups.core.audit import export_record_read_only_download

    # An auditor's download is recorded (policy A-1: who took what away).
    export_record_read_only_download(
        actor=user,
        kind="document",
        key=f"official:{document.kind}",
        label=f"{document.number} {document.title}",
    )
    pdf = OfficialDocument.objects.filter(pk=document.pk).values_list("pdf", flat=True).get()
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    name = download_name(f"{document.number} {document.title}", "pdf")
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
