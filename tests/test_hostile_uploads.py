"""The hostile-upload battery (issue 12, "Uploads"): every kind of hostile file in
tests/hostile_files.py against every upload field of the system, each refused (a message on the
form, 400 problem+json from the API; no row, no file) or neutralised (an image re-encoded: the
stored bytes differ, carry nothing after the image and decode again; a hostile name cleaned).

Every field sees every kind through its own form (or, for the API, through a real request); the
storing services (the one for attachments of every owner, the one for a group's documents and
the school import) and two real upload pages take every kind end to end.
`test_every_upload_field_is_in_the_battery` fails when a field appears that the battery does not
know. The figures are printed by test_battery_figures."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django import forms
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from PIL import Image
from rest_framework import serializers

from assessments.practice.services import case_create
from funding.spending.models import Spending
from groups.charter.models import GroupDocument
from groups.charter.services import group_document_add
from groups.filings.models import Filing
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.uploads import UploadRejected
from qingdao_groups.models import Attachment
from tests.api.helpers import Api, make_client
from tests.groups.test_card_filing_uploads import make_card, media_files
from tests.hostile_files import NEUTRALISED, REFUSED, RENAMED, Hostile, kinds
from tests.test_uploads import upload

LIMIT = 2 * 1024 * 1024  # the upload ceiling in these tests (settings.UPLOAD_MAX_BYTES)
KINDS = {h.kind: h for h in kinds(LIMIT)}
FILINGS = "/api/v1/filings/"


def _form_fields():
    """(form class, field name) -> the keyword arguments its constructor needs."""
    from assessments.cycles.forms import EvidenceForm
    from assessments.practice.forms import CaseUploadForm
    from funding.agreements.forms import AgreementCreateForm, AgreementEditForm
    from funding.spending.forms import SpendingForm
    from groups.applications.forms import UploadForm as ApplicationUploadForm
    from groups.cards.forms import IssueForm, RespondForm
    from groups.cards.forms import UploadForm as CardUploadForm
    from groups.charter.forms import GroupDocumentForm
    from groups.filings.forms import FilingCreateForm, FilingUploadForm

    return {
        (EvidenceForm, "file"): {},
        (CaseUploadForm, "file"): {},
        (AgreementCreateForm, "file"): {
            "members": [],
            "documents": GroupDocument.objects.none(),
        },
        (AgreementEditForm, "file"): {},
        (SpendingForm, "receipt"): {},
        (FilingCreateForm, "file"): {},
        (FilingUploadForm, "file"): {},
        (RespondForm, "file"): {},
        (CardUploadForm, "file"): {},
        (IssueForm, "evidence"): {},
        (GroupDocumentForm, "file"): {"max_bytes": LIMIT},
        (ApplicationUploadForm, "file"): {"kinds": [("charter", "charter")]},
    }


# The school import takes spreadsheets, not documents: its file is read by the import service and
# goes through the page here (every kind must be refused there: none is a spreadsheet).
IMPORT_FIELD = ("SchoolImportForm", "file")
# The API's upload fields: serializer and field -> how the battery posts to it.
API_FIELDS = {("FilingCreateSerializer", "file"), ("FilingDocumentSerializer", "file")}


def _subclasses(cls):
    stack, seen = [cls], set()
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return seen


def _project(cls) -> bool:
    return not cls.__module__.startswith(("django.", "rest_framework", "drf_spectacular"))


def test_every_upload_field_is_in_the_battery():
    """A new form or API field that takes a file must be added to the battery."""
    import api.serializers  # noqa: F401
    import members.views_import  # noqa: F401
    from tests.test_fuzz_forms import _all_form_fields

    _all_form_fields()  # imports every feature's forms
    known = {(cls.__name__, name) for cls, name in _form_fields()} | {IMPORT_FIELD}
    found = {
        (cls.__name__, name)
        for cls in _subclasses(forms.BaseForm)
        if _project(cls)
        for name, field in getattr(cls, "base_fields", {}).items()
        if isinstance(field, forms.FileField)
    }
    assert found == known, found ^ known
    api_found = {
        (cls.__name__, name)
        for cls in _subclasses(serializers.Serializer)
        if _project(cls)
        for name, field in cls._declared_fields.items()
        if isinstance(field, serializers.FileField)
    }
    assert api_found == API_FIELDS, api_found ^ API_FIELDS


def test_every_form_file_field_checks_content():
    """Each form's file field is the one checked field (no plain FileField left behind)."""
    from qingdao_groups.core.forms import CheckedFileField, UploadInput

    for (cls, name), _kwargs in _form_fields().items():
        field = cls.base_fields[name]
        assert isinstance(field, CheckedFileField), (cls, name)
        assert isinstance(field.widget, UploadInput), (cls, name)


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def battery(settings, request):
    settings.UPLOAD_MAX_BYTES = LIMIT
    caches["api"].clear()  # the API's write throttle counts per test

    def hostile(kind: str) -> Hostile:
        h = KINDS[kind]
        if h.needs_scanner:
            request.getfixturevalue("scanning")
        return h

    return hostile


def _file(h: Hostile):
    return upload(h.data, h.name, "application/pdf")


def _assert_neutralised(h: Hostile, stored: bytes, content_type: str, original_name: str):
    if h.outcome == NEUTRALISED:
        assert stored != h.data, h.kind
        image = Image.open(io.BytesIO(stored))
        image.load()  # decodes again
        assert (
            image.format
            == {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF"}[content_type]
        )
        for payload in (b"<script", b"<html", b"PK\x03\x04", b"META-INF", b"Exif"):
            assert payload not in stored, (h.kind, payload)
    else:
        assert h.outcome == RENAMED
        assert stored == h.data
        assert not any(ch in original_name for ch in "\x00\u202e/\\") and len(original_name) <= 100


def _stored_bytes(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as fh:
        return fh.read()


# --- 1. every form field ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_form_field_refuses_or_passes_for_neutralising(battery, kind):
    h = battery(kind)
    for (cls, name), kwargs in _form_fields().items():
        form = cls(data={}, files={name: _file(h)}, **kwargs)
        form.is_valid()
        errors = form.errors.get(name)
        if h.outcome == REFUSED:
            assert errors, (cls.__name__, name, kind)
            assert h.says in " ".join(errors), (cls.__name__, kind, errors)
        else:
            assert not errors, (cls.__name__, name, kind, errors)


# --- 2. the API's upload fields, through real requests ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_api_upload_refuses_or_neutralises(battery, world, kind):
    h = battery(kind)
    _client, token = make_client(world, authority=world.shinan, scopes=["filings:write"])
    api = Api(token)
    filing_id = api.post(FILINGS, {"kind": "policy", "title": "空白报备"}).json()["id"]
    before = (Filing.objects.count(), Attachment.objects.count(), media_files())
    for path, data in (
        (FILINGS, {"kind": "policy", "title": "带文件的报备", "file": _file(h)}),
        (f"{FILINGS}{filing_id}/documents/", {"kind": "policy", "file": _file(h)}),
    ):
        response = api.post(path, data)
        if h.outcome == REFUSED:
            assert response.status_code == 400, (path, kind, response.content[:300])
            assert response["Content-Type"].startswith("application/problem+json")
            assert h.says in " ".join(response.json()["errors"]["file"]), response.json()
            assert (Filing.objects.count(), Attachment.objects.count(), media_files()) == before
        else:
            assert response.status_code == 201, (path, kind, response.content[:300])
            attachment = Attachment.objects.latest("pk")
            _assert_neutralised(
                h, _stored_bytes(attachment.file), attachment.content_type, attachment.original_name
            )


# --- 3. the storing services ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_storing_services_refuse_or_store_neutralised(battery, world, kind):
    h = battery(kind)
    card = make_card(world)
    stores = {
        "attachment_add": lambda: attachment_add(
            owner=card,
            kind=Attachment.Kind.EVIDENCE,
            uploaded_file=_file(h),
            actor=world.users["district"],
        ),
        "group_document_add": lambda: group_document_add(
            group=world.group,
            kind="charter",
            uploaded_file=_file(h),
            title="章程",
            adopted_on=datetime.date(2025, 1, 1),
            actor=world.users["principal"],
        ),
    }
    for name, store in stores.items():
        before = (Attachment.objects.count(), GroupDocument.objects.count(), media_files())
        if h.outcome == REFUSED:
            with pytest.raises(UploadRejected) as refused:
                store()
            assert h.says in str(refused.value.message), (name, kind)
            assert (Attachment.objects.count(), GroupDocument.objects.count(), media_files()) == (
                before
            ), (name, kind)
        else:
            stored = store()
            original = getattr(stored, "original_name", h.name)
            content_type = getattr(stored, "content_type", "")
            data = _stored_bytes(stored.file)
            if content_type == "" and h.outcome == NEUTRALISED:
                content_type = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}[
                    Path(stored.file.name).suffix.lstrip(".")
                ]
            if name == "group_document_add" and h.outcome == RENAMED:
                original = "x"  # group documents keep a title, never the file's name
            _assert_neutralised(h, data, content_type, original)
            assert Path(stored.file.name).name.split(".")[0].isalnum()  # a generated name


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_school_import_refuses_every_kind(battery, world, client, kind):
    h = battery(kind)
    client.force_login(world.users["district"])
    before = media_files()
    response = client.post(reverse("members:school-import"), {"file": _file(h)})
    assert response.status_code == 200
    assert response.context["form"].errors.get("file"), kind
    assert media_files() == before


# --- 4. real upload pages ---------------------------------------------------------------------


def _once(name):
    def build(world):
        from tests import test_submission_once as once

        user, url, data, model = getattr(once, name)(world)
        return user, url, data(), model

    return build


def _respond(world):
    card = make_card(world)
    body = {"respond-rectification": "已派出三名骨干教师", "respond-version": 1}
    return world.users["member"], reverse("cards:respond", args=[card.pk]), body, Attachment


def _case_upload(world):
    actor = world.users["principal"]
    case = case_create(group=world.group, title="联合教研", text="正文", actor=actor)
    return actor, reverse("practice:case-upload", args=[case.pk]), {}, Attachment


def _spending(world):
    body = {"category": "training", "amount": "100", "spent_on": "2025-05-06", "note": "培训"}
    url = reverse("funding:spending-create", args=[world.group.pk])
    return world.users["principal"], url, body, Spending


# page -> (builder(world) -> (user, url, body, model counted), the file's field in the body)
PAGES = {
    "card-upload": (_once("card_upload"), "upload-file"),
    "card-issue": (_once("yellow_card"), "evidence"),
    "card-respond": (_respond, "respond-file"),
    "filing-upload": (_once("filing_upload"), "upload-file"),
    "filing-create": (_once("filing_with_file"), "file"),
    "application-upload": (_once("application_upload"), "file"),
    "group-document": (_once("group_document"), "file"),
    "case-upload": (_case_upload, "file"),
    "spending-create": (_spending, "receipt"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page_name", list(PAGES))
def test_real_upload_pages_refuse_or_neutralise(settings, world, client, request, page_name):
    """Every kind through the page; each post is rolled back afterwards so that the next kind
    meets the same state (a neutralised upload has moved the card on, created the filing…)."""
    settings.UPLOAD_MAX_BYTES = LIMIT
    page = page_name  # not "page": pytest-playwright owns that fixture name
    build, key = PAGES[page]
    user, url, data, model = build(world)
    client.force_login(user)
    for kind, h in KINDS.items():
        settings.CLAMAV_SOCKET = ""
        if h.needs_scanner:
            try:
                settings.CLAMAV_SOCKET = request.getfixturevalue("clamd").socket
            except pytest.skip.Exception:
                continue  # no clamd on this machine (never in CI: the fixture fails there)
        files = media_files()
        with transaction.atomic():
            counts = (model.objects.count(), Attachment.objects.count())
            counts += (GroupDocument.objects.count(),)
            response = client.post(url, data | {key: _file(h)})
            after = (model.objects.count(), Attachment.objects.count())
            after += (GroupDocument.objects.count(),)
            transaction.set_rollback(True)
        if h.outcome == REFUSED:
            assert response.status_code == 200, (page, kind, response.status_code)
            assert h.says in response.content.decode(), (page, kind)
            assert after == counts and media_files() == files, (page, kind)
            continue
        assert response.status_code == 302, (page, kind, response.status_code)
        new = sorted(set(media_files()) - set(files))
        assert len(new) == 1, (page, kind, new)
        stored = (Path(settings.MEDIA_ROOT) / new[0]).read_bytes()
        if h.outcome == NEUTRALISED:
            ext = Path(new[0]).suffix.lstrip(".")
            content_type = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}[ext]
            _assert_neutralised(h, stored, content_type, "")
        else:
            assert stored == h.data


def test_battery_figures(capsys):
    """The figures the issue's note reports: kinds × fields."""
    fields = len(_form_fields()) + 1 + len(API_FIELDS)
    outcomes = {
        o: sum(h.outcome == o for h in KINDS.values()) for o in (REFUSED, NEUTRALISED, RENAMED)
    }
    assert len(KINDS) >= 30
    with capsys.disabled():
        print(
            f"\nhostile uploads: {len(KINDS)} kinds × {fields} upload fields = "
            f"{len(KINDS) * fields} uploads ({outcomes[REFUSED]} kinds refused, "
            f"{outcomes[NEUTRALISED]} images re-encoded, {outcomes[RENAMED]} names cleaned), "
            f"plus {len(KINDS)} × 2 storing services and {len(KINDS)} × {len(PAGES)} real pages; "
            "0 accepted as sent"
        )
