"""A double click never makes two things (issue 6, item 7): every creating form carries a
one-time token; a repeat of the same form — sequential, or two identical requests at once on
PostgreSQL — creates one object and shows the first result.

A second yellow card would count as a repeated warning that allows a red card (expulsion,
policy L-6), so the cards are the first case here."""

import datetime
import threading
import uuid

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups.applications.models import Application, ProposedMember, ProposedPartner
from groups.cards.models import Card
from groups.charter.models import GroupDocument
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.registry.models import EducationGroup, Membership, Partnership
from members.models import School, User
from qingdao_groups.core.submissions import ALREADY_DONE
from qingdao_groups.models import Attachment, SubmissionToken
from tests.factories import PartnerFactory, SchoolFactory
from tests.groups import workflow_helpers as h
from tests.test_uploads import make_pdf, upload

LATER = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()


def _pdf(name="材料.pdf"):
    return upload(make_pdf(), name)


def _card(world):
    return Card.objects.create(
        membership=world.membership,
        group=world.group,
        level=Card.Level.YELLOW,
        status="yellow_issued",
        ground=Card.Ground.AGREEMENT,
        description="未履行协议",
        deadline=LATER,
        issued_by=world.users["district"],
    )


def _filing(world):
    return Filing.objects.create(
        authority=world.shinan,
        kind=Filing.Kind.POLICY,
        title="配套政策",
        filed_on=timezone.localdate(),
        status="filed",
        filed_by=world.users["district"],
    )


# Each case: (user, url, data() -> a fresh POST body, the model whose rows are counted).
def yellow_card(w):
    return (
        w.users["district"],
        reverse("cards:issue", args=[w.membership.pk]),
        lambda: {
            "level": "yellow",
            "ground": "agreement",
            "description": "未派出骨干教师",
            "deadline": LATER,
        },
        Card,
    )


def red_card(w):
    return (
        w.users["district"],
        reverse("cards:issue", args=[w.membership.pk]),
        lambda: {
            "level": "red",
            "ground": "incident",
            "description": "发生严重安全事故",
            "severe": "on",
        },
        Card,
    )


def filing(w):
    return (
        w.users["district"],
        reverse("filings:filing-create"),
        lambda: {"kind": "policy", "title": "集团化办学配套政策", "description": "摘要"},
        Filing,
    )


def filing_with_file(w):
    return (
        w.users["district"],
        reverse("filings:filing-create"),
        lambda: {
            "kind": "policy",
            "title": "集团化办学配套政策",
            "file": _pdf(),
            "file_kind": "policy",
        },
        Filing,
    )


def founding(w):
    actor = h.principal(SchoolFactory(authority=w.shinan))
    return (
        actor,
        reverse("applications:new-founding"),
        lambda: {"version": 0, "proposed_name": "青岛新教育集团", "specialty": "科技创新"},
        Application,
    )


def admission(w):
    return (
        w.users["principal"],
        reverse("applications:new-admission", args=[w.group.pk]),
        lambda: {"version": 0, "admission_mode": "own_choice", "description": "吸纳"},
        Application,
    )


def exit_draft(w):
    return (
        w.users["member"],
        reverse("applications:new-exit", args=[w.membership.pk]),
        lambda: {"version": 0, "reason": "拟牵头组建新集团"},
        Application,
    )


def proposed_member(w):
    built = h.founding_draft(w)
    school = SchoolFactory(authority=w.laoshan, stage=School.Stage.JUNIOR)
    return (
        built.principal,
        reverse("applications:member-add", args=[built.application.pk]),
        lambda: {"school": school.pk, "relation_type": "T-2", "relation_subtype": "T-2a"},
        ProposedMember,
    )


def proposed_partner(w):
    built = h.founding_draft(w)
    partner = PartnerFactory()
    return (
        built.principal,
        reverse("applications:partner-add", args=[built.application.pk]),
        lambda: {"partner": partner.pk, "projects": "研学实践"},
        ProposedPartner,
    )


def application_upload(w):
    built = h.founding_draft(w)
    return (
        built.principal,
        reverse("applications:upload", args=[built.application.pk]),
        lambda: {"kind": "plan", "file": _pdf("方案.pdf")},
        Attachment,
    )


def enrollment_plan(w):
    return (
        w.users["member"],
        reverse("enrollment:plan-file"),
        lambda: {
            "year": timezone.localdate().year,
            "places": 240,
            "classes": 6,
            "catchment": "宁夏路以南片区",
            "method": "catchment",
        },
        EnrollmentPlan,
    )


def card_upload(w):
    card = _card(w)
    return (
        w.users["district"],
        reverse("cards:upload", args=[card.pk]),
        lambda: {"upload-file": _pdf("督导通报.pdf")},
        Attachment,
    )


def filing_upload(w):
    f = _filing(w)
    return (
        w.users["district"],
        reverse("filings:upload", args=[f.pk]),
        lambda: {"upload-kind": "policy", "upload-file": _pdf("政策.pdf")},
        Attachment,
    )


def group_document(w):
    return (
        w.users["district"],
        reverse("documents:group-documents", args=[w.group.pk]),
        lambda: {
            "kind": "charter",
            "title": "集团章程",
            "adopted_on": "2025-02-01",
            "file": _pdf("章程.pdf"),
        },
        GroupDocument,
    )


def school(w):
    return (
        w.users["city"],
        reverse("members:school-create"),
        lambda: {
            "name": "新登记学校",
            "code": "3702123456",
            "authority": w.shinan.pk,
            "district": "shinan",
            "stage": "primary",
            "nature": "public",
            "is_legal_entity": "on",
        },
        School,
    )


def group(w):
    core = SchoolFactory(authority=w.shinan)
    return (
        w.users["admin"],
        reverse("groups:group-create"),
        lambda: {
            "name": "新登记教育集团",
            "code": "QD-NEW",
            "core_school": core.pk,
            "specialty": "艺术",
            "founded_on": "2024-09-01",
        },
        EducationGroup,
    )


def membership(w):
    school_ = SchoolFactory(authority=w.shinan)
    return (
        w.users["admin"],
        reverse("groups:membership-add", args=[w.group.pk]),
        lambda: {
            "school": school_.pk,
            "relation_type": "T-1",
            "relation_subtype": "T-1b",
            "joined_on": "2024-09-01",
        },
        Membership,
    )


def partnership(w):
    partner = PartnerFactory()
    return (
        w.users["district"],
        reverse("groups:partnership-add", args=[w.group.pk]),
        lambda: {
            "partner": partner.pk,
            "projects": "研学实践\n科技社团",
            "started_on": "2024-09-01",
        },
        Partnership,
    )


CREATES = [
    yellow_card,
    red_card,
    filing,
    filing_with_file,
    founding,
    admission,
    exit_draft,
    proposed_member,
    proposed_partner,
    application_upload,
    enrollment_plan,
    card_upload,
    filing_upload,
    group_document,
    school,
    group,
    membership,
    partnership,
]


@pytest.mark.parametrize("case", CREATES, ids=[c.__name__ for c in CREATES])
def test_the_same_form_sent_twice_creates_one_object(client, world, case):
    user, url, data, model = case(world)
    client.force_login(user)
    before = model.objects.count()
    token = str(uuid.uuid4())
    field = "upload-submission" if any(k.startswith("upload-") for k in data()) else "submission"
    first = client.post(url, data() | {field: token})
    assert first.status_code == 302, getattr(first, "context", None) and [
        f.errors for f in first.context.get("form", None) and [first.context["form"]] or []
    ]
    assert model.objects.count() == before + 1
    second = client.post(url, data() | {field: token}, follow=True)
    assert second.status_code == 200
    assert model.objects.count() == before + 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert str(ALREADY_DONE) in second.content.decode()
    # A new form (a new token) is a new request: it is not mistaken for a repeat.
    assert SubmissionToken.objects.filter(token=token, user=user).count() == 1


def test_every_creating_form_renders_a_fresh_token(client, world):
    client.force_login(world.users["district"])
    url = reverse("cards:issue", args=[world.membership.pk])
    first, second = (client.get(url).context["form"]["submission"].value() for _ in range(2))
    assert first and second and first != second
    assert 'name="submission"' in client.get(url).content.decode()


def test_a_refused_creation_leaves_the_token_unused(client, world):
    """The claim commits with the object or not at all: the corrected form can be sent again."""
    client.force_login(world.users["district"])
    url = reverse("filings:filing-create")
    token = str(uuid.uuid4())
    refused = client.post(
        url,
        {
            "kind": "policy",
            "title": "配套政策",
            "file": upload(b"MZ" + b"\0" * 100, "a.pdf"),
            "submission": token,
        },
    )
    assert refused.status_code == 200 and not Filing.objects.exists()
    assert not SubmissionToken.objects.exists()
    assert (
        client.post(url, {"kind": "policy", "title": "配套政策", "submission": token}).status_code
        == 302
    )
    assert Filing.objects.count() == 1


def test_another_users_token_is_refused_not_shown(client, world):
    url = reverse("filings:filing-create")
    token = str(uuid.uuid4())
    client.force_login(world.users["district"])
    client.post(url, {"kind": "policy", "title": "配套政策", "submission": token})
    other = User.objects.create(
        username="t-district-2", role=User.Role.DISTRICT_STAFF, authority=world.shinan
    )
    client.force_login(other)
    response = client.post(url, {"kind": "policy", "title": "配套政策", "submission": token})
    assert response.status_code == 200 and Filing.objects.count() == 1


def test_a_mangled_token_still_creates(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("filings:filing-create"),
        {"kind": "policy", "title": "配套政策", "submission": "not-a-uuid"},
    )
    assert response.status_code == 302 and Filing.objects.count() == 1


# --- two identical requests at the same instant (PostgreSQL) -----------------------------------

on_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="a real race needs PostgreSQL (SQLite serialises all writers); set DATABASE_URL",
)


def _race(user, url, data, threads: int = 4) -> list[int]:
    barrier = threading.Barrier(threads)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt():
        try:
            client = Client()
            client.force_login(user)
            body = data()
            barrier.wait(timeout=30)
            status = client.post(url, body).status_code
        except Exception:  # noqa: BLE001 - a crash is a result here
            status = 599
        finally:
            connections.close_all()
        with lock:
            statuses.append(status)

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return statuses


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "case", [yellow_card, filing, filing_with_file, enrollment_plan], ids=lambda c: c.__name__
)
def test_identical_requests_in_parallel_create_one_object(world, case):
    user, url, data, model = case(world)
    before = model.objects.count()
    token = str(uuid.uuid4())
    statuses = _race(user, url, lambda: data() | {"submission": token})
    assert statuses == [302] * len(statuses)
    assert model.objects.count() == before + 1
    assert SubmissionToken.objects.filter(token=token).count() == 1


def test_confirming_the_same_import_twice_imports_once(
    client, world, django_capture_on_commit_callbacks
):
    from tests.members.test_imports import IMPORT_URL, a_row, import_through_pages, xlsx_bytes

    client.force_login(world.users["city"])
    with django_capture_on_commit_callbacks(execute=True):
        preview, first = import_through_pages(client, xlsx_bytes([a_row(world.shinan)]))
    assert first.status_code == 302 and School.objects.filter(code="3702990001").count() == 1
    token = preview.context["confirm_form"].initial["token"]
    second = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert str(ALREADY_DONE) in second.content.decode()
    assert School.objects.filter(code="3702990001").count() == 1
