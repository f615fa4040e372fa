"""Permission-matrix rows of the archive of official documents (issue 8).

A 批复 is readable by whoever may see its application, a 备案回执 by whoever may see its filing
(the same rules as their attachments; 404 otherwise). The verification page needs no login and
answers every visitor alike: the document's identity for a known code, 404 for an unknown one."""

import datetime

from tests.matrix_rows.documents import APPLICATION_OWN, FILING_OWN, OTHER_READ, ROLES

EVERYONE = dict.fromkeys(ROLES, 200)
NO_ONE = dict.fromkeys(ROLES, 404)


def _document(world, owner, authority):
    from django.contrib.contenttypes.models import ContentType

    from qingdao_groups.core.archive import new_code
    from qingdao_groups.models import OfficialDocument

    return OfficialDocument.objects.create(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        kind="application_reply" if owner._meta.model_name == "application" else "filing_receipt",
        authority=authority,
        year=2026,
        serial=owner.pk,
        number=f"测试〔2026〕{owner.pk}号",
        title="关于测试的批复",
        issued_on=datetime.date(2026, 1, 5),
        issued_at=datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC),
        code=new_code(),
        pdf=b"%PDF-1.4\n%%EOF\n",
        size=15,
        sha256="0" * 64,
        template="applications/pdf/reply.html",
    )


def _application_document(world, which):
    from groups.applications.models import Application

    core = world.core if which == "own" else world.other_core
    authority = world.shinan if which == "own" else world.laoshan
    application = Application.objects.create(
        kind=Application.Kind.FOUNDING,
        applicant_school=core,
        deciding_authority=authority,
        created_by=world.users["admin"],
        proposed_name="拟成立集团",
        status=Application.Status.APPROVED,
    )
    return _document(world, application, authority)


def _filing_document(world, which):
    from groups.filings.models import Filing

    filing = Filing.objects.create(
        authority=world.shinan if which == "own" else world.laoshan,
        kind=Filing.Kind.POLICY,
        title="配套政策",
        filed_on=datetime.date(2025, 1, 1),
        filed_by=world.users["admin"],
        status=Filing.Status.ACKNOWLEDGED,
    )
    return _document(world, filing, world.city)


def application_document_kwargs(world, which):
    return {"document_id": _application_document(world, which).pk}


def filing_document_kwargs(world, which):
    return {"document_id": _filing_document(world, which).pk}


def verify_kwargs(world, which):
    if which is None:
        return {"code": "ZZZZZZZZZZ"}  # no document has it
    return {"code": _application_document(world, which).code}


ROWS = [
    ("official:download", "own", "get", APPLICATION_OWN, application_document_kwargs),
    ("official:download", "other", "get", OTHER_READ, application_document_kwargs),
    ("official:download", "own", "get", FILING_OWN, filing_document_kwargs),
    ("official:download", "other", "get", OTHER_READ, filing_document_kwargs),
    # Public: anyone holding a printout checks it, logged in or not, whoever's it is.
    ("verify", "own", "get", EVERYONE, verify_kwargs),
    ("verify", "other", "get", EVERYONE, verify_kwargs),
    ("verify", None, "get", NO_ONE, verify_kwargs),
]

# "403 before state": downloads and the verification page only read.
WRONG_STATE: dict = {}
POST_WITHOUT_STATE: set[str] = set()
READ_ONLY = {"official:download", "verify"}
