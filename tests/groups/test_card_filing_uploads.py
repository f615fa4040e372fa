"""Files on yellow cards and district filings (issue 3 "Documents").

Cards (policy L-6): the issuing authority's staff add evidence while the card is open, the warned
member's principal adds rectification material before or with the response. Filings (policy
D-1, D-2, L-2): the filing district's staff attach the policy text or other documents while the
filing is filed or returned. Files are checked by content; a refused file, a refused role or a
state that does not allow it stores nothing (no row, no file under MEDIA_ROOT)."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.cards.models import Card
from groups.cards.services import card_attachment_add
from groups.cards.workflows import CardStatus
from groups.filings.models import Filing
from groups.filings.services import filing_attachment_add
from groups.filings.workflows import FilingStatus
from members.models import User
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.models import Attachment
from tests.factories import MembershipFactory, SchoolFactory, UserFactory
from tests.test_uploads import make_docx, make_pdf, make_png, upload

S = CardStatus
# A date within what forms accept (up to ten years ahead, issue 6).
LATER = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows program renamed to .pdf


def media_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return (
        sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


def nothing_stored() -> bool:
    return not Attachment.objects.exists() and media_files() == []


def make_card(world, status: str = S.YELLOW_ISSUED, *, membership=None, closed=False) -> Card:
    membership = membership or world.membership
    return Card.objects.create(
        membership=membership,
        group=membership.group,
        level=Card.Level.YELLOW,
        status=status,
        ground=Card.Ground.AGREEMENT,
        description="未按协议派出骨干教师",
        deadline=datetime.date(2099, 1, 1),
        issued_by=world.users["district"],
        closed_at=timezone.now() if closed else None,
    )


def make_filing(world, status: str = FilingStatus.FILED, *, authority=None) -> Filing:
    return Filing.objects.create(
        authority=authority or world.shinan,
        kind=Filing.Kind.POLICY,
        title="集团化办学配套政策",
        filed_on=timezone.localdate(),
        status=status,
        filed_by=world.users["district"],
    )


def laoshan_staff(world) -> User:
    return UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.laoshan)


def card_upload(client, card, data: bytes, name: str = "督导通报.pdf"):
    return client.post(reverse("cards:upload", args=[card.pk]), {"upload-file": upload(data, name)})


def download(client, attachment: Attachment) -> bytes:
    response = client.get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


# --- Card uploads: who, when -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "kind"),
    [
        ("district", S.YELLOW_ISSUED, Attachment.Kind.EVIDENCE),
        ("district", S.UNDER_REVIEW, Attachment.Kind.EVIDENCE),
        ("district", S.OVERDUE, Attachment.Kind.EVIDENCE),
        ("member", S.YELLOW_ISSUED, Attachment.Kind.RECTIFICATION),
        ("member", S.OVERDUE, Attachment.Kind.RECTIFICATION),
    ],
)
def test_allowed_role_uploads_to_a_card_and_the_file_is_listed_and_downloadable(
    world, login, role, status, kind
):
    """Policy L-6: the kind is fixed by the uploader's role; the card itself does not change."""
    card = make_card(world, status)
    data = make_pdf("rectification report")
    client = login(world.users[role])
    response = card_upload(client, card, data, "材料.pdf")
    assert response.status_code == 302
    assert response["Location"] == reverse("cards:detail", args=[card.pk])
    attachment = Attachment.objects.get()
    assert (attachment.owner, attachment.kind, attachment.version, attachment.uploaded_by) == (
        card,
        kind,
        1,
        world.users[role],
    )
    assert attachment.history.get().history_user == world.users[role]
    card.refresh_from_db()
    assert (card.status, card.version) == (status, 1)  # nothing else bumped
    page = client.get(reverse("cards:detail", args=[card.pk]))
    html = page.content.decode()
    assert "材料.pdf" in html and str(Attachment.Kind(kind).label) in html
    assert reverse("attachments:download", args=[attachment.pk]) in html
    assert download(client, attachment) == data
    # the other side of the card reads it too
    other = "member" if role == "district" else "district"
    assert download(login(world.users[other]), attachment) == data


def test_a_second_upload_is_a_new_version(world, login):
    card = make_card(world)
    client = login(world.users["district"])
    card_upload(client, card, make_pdf("one"))
    card_upload(client, card, make_png(), "现场照片.png")
    assert list(Attachment.objects.order_by("version").values_list("version", "content_type")) == [
        (1, "application/pdf"),
        (2, "image/png"),
    ]


@pytest.mark.parametrize(
    ("role", "which", "expected"),
    [
        ("city", "own", 403),
        ("principal", "own", 403),  # the core principal sees the group's cards but does not respond
        ("auditor", "own", 403),
        ("admin", "own", 403),
        ("laoshan", "own", 404),
        ("district", "other", 404),
        ("member", "sibling", 404),  # another member school's card
    ],
)
def test_refused_roles_get_403_or_404_and_nothing_is_stored(world, login, role, which, expected):
    if which == "other":
        membership = world.other_group.memberships.get(role="member")
    elif which == "sibling":
        membership = MembershipFactory(
            group=world.group, school=SchoolFactory(authority=world.shibei)
        )
    else:
        membership = world.membership
    card = make_card(world, membership=membership)
    user = laoshan_staff(world) if role == "laoshan" else world.users[role]
    assert card_upload(login(user), card, make_pdf()).status_code == expected
    assert nothing_stored()


@pytest.mark.parametrize(
    ("role", "status", "closed"),
    [
        (
            "member",
            S.UNDER_REVIEW,
            False,
        ),  # the response is in: rectification material came with it
        ("member", S.LIFTED, True),
        ("district", S.LIFTED, True),
        ("district", S.ESCALATED, True),
    ],
)
def test_a_state_that_does_not_allow_the_upload_gives_a_message_and_stores_nothing(
    world, login, role, status, closed
):
    card = make_card(world, status, closed=closed)
    response = card_upload(login(world.users[role]), card, make_pdf())
    assert response.status_code == 302
    assert response["Location"] == reverse("cards:detail", args=[card.pk])
    page = login(world.users[role]).get(response["Location"])
    assert "L-6" in [str(m) for m in page.context["messages"]][0]
    assert nothing_stored()


def test_the_upload_form_is_shown_only_to_whoever_may_upload(world, login):
    card = make_card(world)
    url = reverse("cards:detail", args=[card.pk])
    marker = 'data-testid="upload-form"'
    assert marker in login(world.users["district"]).get(url).content.decode()
    assert marker in login(world.users["member"]).get(url).content.decode()
    for role in ("city", "principal", "auditor"):
        assert marker not in login(world.users[role]).get(url).content.decode(), role
    card.status = S.UNDER_REVIEW
    card.save()
    assert marker not in login(world.users["member"]).get(url).content.decode()
    assert marker in login(world.users["district"]).get(url).content.decode()


def test_a_renamed_executable_is_refused_with_a_message(world, login):
    card = make_card(world)
    response = card_upload(login(world.users["district"]), card, EXE, "通报.pdf")
    assert response.status_code == 200
    assert "可执行程序" in " ".join(response.context["forms"]["upload"].errors["file"])
    assert "可执行程序" in response.content.decode()
    assert nothing_stored()


def test_an_empty_upload_asks_for_a_file(world, login):
    card = make_card(world)
    response = login(world.users["member"]).post(reverse("cards:upload", args=[card.pk]))
    assert response.status_code == 200
    assert response.context["forms"]["upload"].errors["file"]
    assert nothing_stored()


def test_a_card_that_moved_on_after_the_check_refuses_under_the_lock(world):
    """The rule is checked again on the locked row: a card lifted meanwhile takes no evidence."""
    card = make_card(world)
    Card.objects.filter(pk=card.pk).update(status=S.LIFTED, closed_at=timezone.now())
    with pytest.raises(RuleRefusal) as exc:
        card_attachment_add(
            card=card,
            kind=Attachment.Kind.EVIDENCE,
            uploaded_file=upload(make_pdf()),
            actor=world.users["district"],
        )
    assert exc.value.field == "state"
    assert nothing_stored()


def test_card_upload_enforces_csrf(world):
    card = make_card(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["district"])
    url = reverse("cards:upload", args=[card.pk])
    assert client.post(url, {"upload-file": upload(make_pdf())}).status_code == 403
    assert nothing_stored()
    client.get(reverse("cards:detail", args=[card.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"upload-file": upload(make_pdf()), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert card.attachments.count() == 1


# --- Files with the issue and respond forms ----------------------------------------------------


def issue_data(**extra) -> dict:
    return {
        "level": "yellow",
        "ground": "agreement",
        "description": "连续两学期未派出骨干教师",
        "deadline": LATER,
    } | extra


def test_issuing_a_yellow_card_with_evidence_stores_both(world, login):
    client = login(world.users["district"])
    response = client.post(
        reverse("cards:issue", args=[world.membership.pk]),
        issue_data(evidence=upload(make_docx(["督导通报"]), "督导通报.docx")),
    )
    card = Card.objects.get()
    assert response["Location"] == reverse("cards:detail", args=[card.pk])
    attachment = card.attachments.get()
    assert (attachment.kind, attachment.text, attachment.uploaded_by) == (
        Attachment.Kind.EVIDENCE,
        "督导通报",
        world.users["district"],
    )


def test_a_direct_red_card_keeps_the_evidence_given_when_issuing(world, login):
    """Policy L-6: a red card for a severe incident is closed at once; the evidence given with it
    belongs to the issuing act and is stored with it."""
    login(world.users["district"]).post(
        reverse("cards:issue", args=[world.membership.pk]),
        {
            "level": "red",
            "ground": "incident",
            "description": "发生严重安全事故",
            "severe": "on",
            "evidence": upload(make_pdf(), "事故调查报告.pdf"),
        },
    )
    red = Card.objects.get(level=Card.Level.RED)
    assert red.closed_at is not None
    assert list(red.attachments.values_list("kind", flat=True)) == [Attachment.Kind.EVIDENCE]
    world.membership.refresh_from_db()
    assert world.membership.end_reason == "expulsion"


def test_a_refused_file_leaves_a_red_card_unissued_and_the_member_in_place(world, login):
    response = login(world.users["district"]).post(
        reverse("cards:issue", args=[world.membership.pk]),
        {
            "level": "red",
            "ground": "incident",
            "description": "发生严重安全事故",
            "severe": "on",
            "evidence": upload(EXE, "事故调查报告.pdf"),
        },
    )
    assert response.status_code == 200 and "发生严重安全事故" in response.content.decode()
    assert not Card.objects.exists() and nothing_stored()
    world.membership.refresh_from_db()
    assert world.membership.left_on is None


def test_issuing_without_evidence_still_works(world, login):
    login(world.users["district"]).post(
        reverse("cards:issue", args=[world.membership.pk]), issue_data()
    )
    assert Card.objects.count() == 1 and not Attachment.objects.exists()


def test_issuing_with_a_refused_file_creates_no_card_and_keeps_the_input(world, login):
    response = login(world.users["district"]).post(
        reverse("cards:issue", args=[world.membership.pk]),
        issue_data(evidence=upload(EXE, "证据.pdf")),
    )
    assert response.status_code == 200
    assert "可执行程序" in " ".join(response.context["form"].errors["evidence"])
    html = response.content.decode()
    assert "连续两学期未派出骨干教师" in html and LATER in html
    assert not Card.objects.exists()
    assert nothing_stored()


def test_a_refused_card_with_a_good_file_stores_nothing_and_asks_to_reselect(world, login):
    response = login(world.users["district"]).post(
        reverse("cards:issue", args=[world.membership.pk]),
        issue_data(deadline="2000-01-01", evidence=upload(make_pdf())),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "deadline" in errors and "重新选择" in " ".join(errors["evidence"])
    assert not Card.objects.exists() and nothing_stored()


def test_a_failure_storing_the_file_rolls_the_card_back(world, monkeypatch):
    """The card and its evidence are one transaction: when the disk refuses the file (here a
    full disk, the one thing mocked, as it leaves the process) no card and no notification
    remain."""
    from django.core.files.storage import FileSystemStorage

    def disk_full(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["district"])
    response = client.post(
        reverse("cards:issue", args=[world.membership.pk]), issue_data(evidence=upload(make_pdf()))
    )
    assert response.status_code == 500
    assert not Card.objects.exists() and nothing_stored()
    assert not world.users["member"].notifications.exists()


def test_responding_with_a_rectification_file_stores_both(world, login):
    card = make_card(world)
    client = login(world.users["member"])
    response = client.post(
        reverse("cards:respond", args=[card.pk]),
        {
            "respond-rectification": "已派出三名骨干教师",
            "respond-version": 1,
            "respond-file": upload(make_pdf("rectified"), "整改报告.pdf"),
        },
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == S.UNDER_REVIEW
    attachment = card.attachments.get()
    assert (attachment.kind, attachment.original_name) == (
        Attachment.Kind.RECTIFICATION,
        "整改报告.pdf",
    )


def test_responding_with_a_refused_file_changes_nothing_and_keeps_the_input(world, login):
    card = make_card(world)
    response = login(world.users["member"]).post(
        reverse("cards:respond", args=[card.pk]),
        {
            "respond-rectification": "已派出三名骨干教师",
            "respond-version": 1,
            "respond-file": upload(EXE, "整改报告.pdf"),
        },
    )
    assert response.status_code == 200
    assert "可执行程序" in " ".join(response.context["forms"]["respond"].errors["file"])
    assert "已派出三名骨干教师" in response.content.decode()
    card.refresh_from_db()
    assert (card.status, card.version, card.rectification) == (S.YELLOW_ISSUED, 1, "")
    assert nothing_stored()


# --- Filing uploads ------------------------------------------------------------------------------


def filing_upload(client, filing, data: bytes, name: str = "配套政策.pdf", kind: str = "policy"):
    return client.post(
        reverse("filings:upload", args=[filing.pk]),
        {"upload-kind": kind, "upload-file": upload(data, name)},
    )


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (FilingStatus.FILED, Attachment.Kind.POLICY),
        (FilingStatus.RETURNED, Attachment.Kind.OTHER),
    ],
)
def test_the_filing_district_uploads_and_the_file_is_listed_and_downloadable(
    world, login, status, kind
):
    """Policy D-1, D-2: the district attaches its documents while the city has not acknowledged."""
    filing = make_filing(world, status)
    data = make_pdf("policy text")
    client = login(world.users["district"])
    response = filing_upload(client, filing, data, "实施意见.pdf", kind)
    assert response["Location"] == reverse("filings:filing-detail", args=[filing.pk])
    attachment = Attachment.objects.get()
    assert (attachment.owner, attachment.kind, attachment.uploaded_by) == (
        filing,
        kind,
        world.users["district"],
    )
    filing.refresh_from_db()
    assert (filing.status, filing.version) == (status, 1)
    html = client.get(reverse("filings:filing-detail", args=[filing.pk])).content.decode()
    assert "实施意见.pdf" in html
    assert reverse("attachments:download", args=[attachment.pk]) in html
    assert download(client, attachment) == data
    assert download(login(world.users["city"]), attachment) == data


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("city", 403),
        ("auditor", 403),
        ("admin", 403),
        ("principal", 404),
        ("member", 404),
        ("laoshan", 404),
    ],
)
def test_refused_roles_cannot_upload_to_a_filing(world, login, role, expected):
    filing = make_filing(world)
    user = laoshan_staff(world) if role == "laoshan" else world.users[role]
    assert filing_upload(login(user), filing, make_pdf()).status_code == expected
    assert nothing_stored()


def test_an_acknowledged_filing_takes_no_upload(world, login):
    filing = make_filing(world, FilingStatus.ACKNOWLEDGED)
    client = login(world.users["district"])
    response = filing_upload(client, filing, make_pdf())
    assert response["Location"] == reverse("filings:filing-detail", args=[filing.pk])
    page = client.get(response["Location"])
    assert "已确认" in [str(m) for m in page.context["messages"]][0]
    assert 'data-testid="upload-form"' not in page.content.decode()
    assert nothing_stored()


def test_a_filing_acknowledged_after_the_check_refuses_under_the_lock(world):
    filing = make_filing(world)
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.ACKNOWLEDGED)
    with pytest.raises(RuleRefusal):
        filing_attachment_add(
            filing=filing,
            kind="policy",
            uploaded_file=upload(make_pdf()),
            actor=world.users["district"],
        )
    assert nothing_stored()


def test_a_renamed_executable_is_refused_on_a_filing(world, login):
    filing = make_filing(world)
    response = filing_upload(login(world.users["district"]), filing, EXE, "政策.pdf")
    assert response.status_code == 200
    assert "可执行程序" in " ".join(response.context["upload_form"].errors["file"])
    assert nothing_stored()


def test_filing_upload_enforces_csrf(world):
    filing = make_filing(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["district"])
    url = reverse("filings:upload", args=[filing.pk])
    data = {"upload-kind": "policy"}
    assert client.post(url, data | {"upload-file": upload(make_pdf())}).status_code == 403
    assert nothing_stored()
    client.get(reverse("filings:filing-detail", args=[filing.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(
        url, data | {"upload-file": upload(make_pdf()), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and filing.attachments.count() == 1


def create_data(**extra) -> dict:
    return {
        "kind": "project",
        "title": "课后服务改革试点",
        "description": "我的摘要",
        "project_starts_on": LATER,
    } | extra


def test_filing_created_with_a_file_stores_both(world, login):
    response = login(world.users["district"]).post(
        reverse("filings:filing-create"),
        create_data(file=upload(make_pdf(), "实施方案.pdf"), file_kind="other"),
    )
    filing = Filing.objects.get()
    assert response["Location"] == reverse("filings:filing-detail", args=[filing.pk])
    assert list(filing.attachments.values_list("kind", "original_name")) == [
        ("other", "实施方案.pdf")
    ]


def test_filing_created_with_a_refused_file_creates_nothing_and_keeps_the_input(world, login):
    response = login(world.users["district"]).post(
        reverse("filings:filing-create"), create_data(file=upload(EXE, "实施方案.pdf"))
    )
    assert response.status_code == 200
    assert "可执行程序" in " ".join(response.context["form"].errors["file"])
    html = response.content.decode()
    assert "课后服务改革试点" in html and "我的摘要" in html and LATER in html
    assert not Filing.objects.exists()
    assert nothing_stored()


# --- Query counts: the detail pages do not grow with their attachments ---------------------------


def _attach(n: int, uploader: User, *, owner) -> None:
    """Grow the owner's attachments to n (rows only: the detail page never opens the files)."""
    kind = Attachment.Kind.OTHER if isinstance(owner, Filing) else Attachment.Kind.EVIDENCE
    for i in range(owner.attachments.count(), n):
        Attachment.objects.create(
            owner=owner,
            kind=kind,
            version=i + 1,
            file=f"attachments/2025/01/{i}.pdf",
            original_name=f"材料{i}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=uploader,
        )


def _count(client, url: str) -> int:
    client.get(url)  # warm per-process caches first
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("role", ["district", "member", "city"])
def test_card_detail_queries_do_not_grow_with_attachments(
    world, login, role, django_assert_max_num_queries
):
    card = make_card(world)
    client = login(world.users[role])
    url = reverse("cards:detail", args=[card.pk])
    _attach(1, world.users["district"], owner=card)
    one = _count(client, url)
    _attach(10, world.users["district"], owner=card)
    with django_assert_max_num_queries(one):
        assert "材料9.pdf" in client.get(url).content.decode()
    assert _count(client, url) == one
    print(f"cards:detail as {role}: {one} queries with 1 and with 10 attachments")


@pytest.mark.parametrize("role", ["district", "city"])
def test_filing_detail_queries_do_not_grow_with_attachments(
    world, login, role, django_assert_max_num_queries
):
    filing = make_filing(world)
    client = login(world.users[role])
    url = reverse("filings:filing-detail", args=[filing.pk])
    _attach(1, world.users["district"], owner=filing)
    one = _count(client, url)
    _attach(10, world.users["district"], owner=filing)
    with django_assert_max_num_queries(one):
        assert "材料9.pdf" in client.get(url).content.decode()
    assert _count(client, url) == one
    print(f"filings:filing-detail as {role}: {one} queries with 1 and with 10 attachments")
