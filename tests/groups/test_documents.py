"""Documents of a group's life: versioned uploads, adoption on founding, permission-checked
downloads and the side-by-side comparison of charter versions (issue 3 "Documents"; policy L-1,
G-4, L-8). Bad files are refused with a message and leave nothing on disk."""

import datetime
import hashlib
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import get_resolver, reverse

from groups.applications.models import Application
from groups.cards.models import Card
from groups.charter.diff import text_diff_rows
from groups.charter.models import GroupDocument
from groups.charter.services import group_document_add, group_document_from_attachment
from groups.filings.models import Filing
from groups.registry.models import PolicyParameters
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.messages import render
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.uploads import upload_limit_bytes
from qingdao_groups.models import Attachment
from tests.conftest import PDF_TEXT_AVAILABLE
from tests.test_uploads import (
    SVG,
    document_xml,
    make_docx,
    make_ofd,
    make_pdf,
    make_png,
    make_zip_bomb,
    upload,
)

TODAY = datetime.date(2025, 3, 1)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def media_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return (
        sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


@pytest.fixture
def application(world):
    """The world's core school drafting a founding application to its 市南 bureau (policy L-1)."""
    return Application.objects.create(
        kind=Application.Kind.FOUNDING,
        applicant_school=world.core,
        deciding_authority=world.shinan,
        created_by=world.users["principal"],
        proposed_name="拟成立教育集团",
    )


def _docs(group, kind, texts):
    return [
        GroupDocument.objects.create(
            group=group,
            kind=kind,
            version=i + 1,
            title=f"章程 v{i + 1}",
            text=text,
            adopted_on=datetime.date(2020 + i, 1, 1),
        )
        for i, text in enumerate(texts)
    ]


# --- attachments -------------------------------------------------------------------------------


def test_attachment_is_stored_under_a_generated_name_with_hash_text_and_versions(
    world, application
):
    data = make_docx(["第一章 总则", "第一条 集团依章程运行。"])
    principal = world.users["principal"]
    first = attachment_add(
        owner=application,
        kind=Attachment.Kind.CHARTER,
        uploaded_file=upload(data, "集团章程.docx", "text/html"),
        actor=principal,
    )
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.docx", first.file.name)
    assert (first.version, first.original_name, first.content_type, first.size, first.sha256) == (
        1,
        "集团章程.docx",
        DOCX_TYPE,
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    assert first.text == "第一章 总则\n第一条 集团依章程运行。"
    assert (Path(django_settings.MEDIA_ROOT) / first.file.name).read_bytes() == data
    second = attachment_add(
        owner=application,
        kind=Attachment.Kind.CHARTER,
        uploaded_file=upload(make_pdf(), "章程修订.pdf"),
        actor=principal,
    )
    plan = attachment_add(
        owner=application,
        kind=Attachment.Kind.PLAN,
        uploaded_file=upload(make_ofd(), "方案.ofd"),
        actor=principal,
    )
    assert (second.version, plan.version) == (2, 1)
    assert second.file.name.endswith(".pdf")
    assert "Group charter" in second.text or not PDF_TEXT_AVAILABLE
    assert plan.text == ""
    history = first.history.get()
    assert history.history_user == principal and "集团章程.docx" in render(
        history.history_change_reason
    )


def test_a_path_in_the_file_name_is_shown_as_its_basename_only(world, application, login):
    attachment = attachment_add(
        owner=application,
        kind=Attachment.Kind.OTHER,
        uploaded_file=upload(make_pdf(), "../../etc/passwd"),
        actor=world.users["principal"],
    )
    assert attachment.original_name == "passwd"
    assert "passwd" not in attachment.file.name and ".." not in attachment.file.name
    assert media_files() == [attachment.file.name]
    response = login(world.users["district"]).get(
        reverse("attachments:download", args=[attachment.pk])
    )
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'


REFUSED = {
    "exe renamed .pdf": (b"MZ\x90\x00" + b"\x00" * 500, "通知.pdf", "可执行程序"),
    "html named .pdf": (b"<!doctype html><html><script>alert(1)</script></html>", "a.pdf", "HTML"),
    "svg with script named .png": (SVG, "logo.png", "SVG"),
    "zip named .docx": (None, "章程.docx", "不是 DOCX"),
    "traversal entry": (None, "章程.docx", "不安全的路径"),
    "empty": (b"", "空.pdf", "文件为空"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_uploads_write_nothing_and_save_nothing(world, application, case):
    data, name, says = REFUSED[case]
    if case == "zip named .docx":
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("payload.exe", b"MZ")
        data = buffer.getvalue()
    if case == "traversal entry":
        data = make_docx(extra={"../../../var/www/shell.php": b"<?php system($_GET[1]);"})
    before = media_files()
    with pytest.raises(RuleRefusal) as excinfo:
        attachment_add(
            owner=application,
            kind=Attachment.Kind.CHARTER,
            uploaded_file=upload(data, name),
            actor=world.users["principal"],
        )
    assert says in str(excinfo.value.message)
    assert media_files() == before == []
    assert not Attachment.objects.exists()


def test_zip_bomb_as_docx_and_oversized_file_write_nothing(world, application):
    PolicyParameters.objects.update_or_create(
        pk=PolicyParameters.current().pk, defaults={"upload_max_mb": 1}
    )
    principal = world.users["principal"]
    with pytest.raises(RuleRefusal, match="压缩炸弹"):
        attachment_add(
            owner=application,
            kind=Attachment.Kind.CHARTER,
            uploaded_file=upload(make_zip_bomb(101), "章程.docx"),
            actor=principal,
        )
    with pytest.raises(RuleRefusal, match="大小上限 1 MB"):
        attachment_add(
            owner=application,
            kind=Attachment.Kind.CHARTER,
            uploaded_file=upload(make_pdf() + b"%" * (1024 * 1024), "大.pdf"),
            actor=principal,
        )
    assert media_files() == [] and not Attachment.objects.exists()


def test_upload_limit_is_the_policy_parameter_capped_by_the_server(world, settings):
    params = PolicyParameters.current()
    assert upload_limit_bytes() == 20 * 1024 * 1024  # default 20 MB
    params.upload_max_mb = 5
    params.save()
    assert upload_limit_bytes() == 5 * 1024 * 1024
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    assert upload_limit_bytes() == 2 * 1024 * 1024


@pytest.mark.parametrize("role", ["member", "auditor"])
def test_who_cannot_see_or_may_not_change_the_owner_cannot_attach(world, application, role):
    with pytest.raises(PermissionDenied):
        attachment_add(
            owner=application,
            kind=Attachment.Kind.CHARTER,
            uploaded_file=upload(make_pdf()),
            actor=world.users[role],
        )
    assert media_files() == []


def test_versions_are_per_owner_and_kind(world, application):
    card = Card.objects.create(
        membership=world.membership,
        group=world.group,
        level=Card.Level.YELLOW,
        status=Card.Status.YELLOW_ISSUED,
        ground=Card.Ground.AGREEMENT,
        description="未履行",
        issued_by=world.users["district"],
    )
    filing = Filing.objects.create(
        authority=world.shinan,
        kind=Filing.Kind.POLICY,
        title="配套政策",
        filed_on=TODAY,
        filed_by=world.users["district"],
    )
    made = [
        attachment_add(
            owner=card,
            kind="evidence",
            uploaded_file=upload(make_png(), "a.png"),
            actor=world.users["district"],
        ),
        attachment_add(
            owner=card,
            kind="rectification",
            uploaded_file=upload(make_pdf()),
            actor=world.users["member"],
        ),
        attachment_add(
            owner=card,
            kind="rectification",
            uploaded_file=upload(make_pdf()),
            actor=world.users["member"],
        ),
        attachment_add(
            owner=filing,
            kind="policy",
            uploaded_file=upload(make_pdf()),
            actor=world.users["district"],
        ),
        attachment_add(
            owner=application,
            kind="other",
            uploaded_file=upload(make_pdf()),
            actor=world.users["principal"],
        ),
    ]
    assert [a.version for a in made] == [1, 1, 2, 1, 1]
    assert made[0].owner == card and made[3].owner == filing and made[4].owner == application
    with pytest.raises(RuleRefusal):
        attachment_add(
            owner=card,
            kind="nonsense",
            uploaded_file=upload(make_pdf()),
            actor=world.users["district"],
        )


# --- group documents ---------------------------------------------------------------------------


def test_founding_documents_become_group_documents_sharing_the_file(world, application):
    charter = attachment_add(
        owner=application,
        kind="charter",
        uploaded_file=upload(make_docx(["第一条 总则"]), "章程.docx"),
        actor=world.users["principal"],
    )
    _docs(world.group, "charter", ["旧章程"])
    staff = world.users["district"]
    document = group_document_from_attachment(
        group=world.group, attachment=charter, adopted_on=TODAY, actor=staff
    )
    assert (
        document.kind,
        document.version,
        document.file.name,
        document.text,
        document.original_name,
        document.uploaded_by,
    ) == ("charter", 2, charter.file.name, "第一条 总则", "章程.docx", staff)
    assert document.history.get().history_user == staff
    other = attachment_add(
        owner=application,
        kind="other",
        uploaded_file=upload(make_pdf()),
        actor=world.users["principal"],
    )
    with pytest.raises(RuleRefusal):
        group_document_from_attachment(
            group=world.group, attachment=other, adopted_on=TODAY, actor=staff
        )
    application.group = world.other_group
    application.save()
    with pytest.raises(RuleRefusal, match="另一个集团"):
        group_document_from_attachment(
            group=world.group, attachment=charter, adopted_on=TODAY, actor=staff
        )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("principal", True),
        ("district", True),
        ("city", False),
        ("member", False),
        ("auditor", False),
        ("admin", False),
    ],
)
def test_who_may_record_a_new_charter_version(world, role, allowed):
    """policy G-4, L-8: the core principal or the group's authority staff."""

    def add():
        return group_document_add(
            group=world.group,
            kind="charter",
            uploaded_file=upload(make_pdf(), "章程.pdf"),
            title="章程（修订）",
            adopted_on=TODAY,
            actor=world.users[role],
        )

    if allowed:
        document = add()
        assert document.version == 1
        assert re.fullmatch(
            rf"documents/{world.group.pk}/charter/[0-9a-f]{{32}}\.pdf", document.file.name
        )
        assert "Group charter" in document.text or not PDF_TEXT_AVAILABLE
    else:
        with pytest.raises(PermissionDenied):
            add()
        assert media_files() == []


def test_group_document_add_refuses_bad_input_and_writes_nothing(world):
    principal = world.users["principal"]
    cases = [
        ({"kind": "plan"}, "kind"),
        ({"title": "  "}, "title"),
        ({"adopted_on": datetime.date(2999, 1, 1)}, "adopted_on"),
        ({"uploaded_file": upload(SVG, "章程.png")}, "file"),
    ]
    for override, field in cases:
        kwargs = {
            "group": world.group,
            "kind": "charter",
            "title": "章程",
            "uploaded_file": upload(make_pdf()),
            "adopted_on": TODAY,
            "actor": principal,
        }
        with pytest.raises(RuleRefusal) as excinfo:
            group_document_add(**(kwargs | override))
        assert excinfo.value.field == field
    assert media_files() == [] and not GroupDocument.objects.exists()


# --- pages -------------------------------------------------------------------------------------


def test_upload_through_the_page_enforces_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["principal"])
    url = reverse("documents:group-documents", args=[world.group.pk])
    page = client.get(url)
    assert 'enctype="multipart/form-data"' in page.content.decode()
    token = page.cookies["csrftoken"].value
    data = {"kind": "rules", "title": "教学管理制度", "adopted_on": "2025-02-01"}
    forged = client.post(url, data | {"file": upload(make_pdf(), "制度.pdf")})
    assert forged.status_code == 403 and not GroupDocument.objects.exists()
    response = client.post(
        url,
        data | {"file": upload(make_docx(["制度正文"]), "制度.docx"), "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert "已登记内部管理制度第 1 版" in response.content.decode()
    document = GroupDocument.objects.get()
    assert (document.kind, document.title, document.text) == ("rules", "教学管理制度", "制度正文")


def test_rejected_upload_on_the_page_is_explained_keeps_input_and_writes_nothing(world, login):
    client = login(world.users["district"])
    response = client.post(
        reverse("documents:group-documents", args=[world.group.pk]),
        {
            "kind": "charter",
            "title": "我填写的章程标题",
            "adopted_on": "2025-02-01",
            "file": upload(SVG, "章程.png", "image/png"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "SVG 图像可能包含脚本" in html and "只接受 PDF、OFD、DOCX" in html
    assert "我填写的章程标题" in html and 'value="2025-02-01"' in html
    assert media_files() == [] and not GroupDocument.objects.exists()


def test_members_see_the_documents_but_no_upload_form(world, login):
    _docs(world.group, "charter", ["一", "二"])
    html = (
        login(world.users["member"])
        .get(reverse("documents:group-documents", args=[world.group.pk]))
        .content.decode()
    )
    assert "章程 v2" in html and "upload-form" not in html
    assert reverse("documents:compare", args=[world.group.pk]) in html


def test_downloads_are_attachments_with_nosniff(world, application, login):
    data = make_pdf()
    attachment = attachment_add(
        owner=application,
        kind="charter",
        uploaded_file=upload(data, "集团章程.pdf"),
        actor=world.users["principal"],
    )
    document = group_document_from_attachment(
        group=world.group, attachment=attachment, adopted_on=TODAY, actor=world.users["district"]
    )
    client = login(world.users["principal"])
    for url in (
        reverse("attachments:download", args=[attachment.pk]),
        reverse("documents:group-document-download", args=[document.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert (
            "filename*=utf-8''%E9%9B%86%E5%9B%A2%E7%AB%A0%E7%A8%8B.pdf"
            in response["Content-Disposition"]
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == data
        assert client.post(url).status_code == 405


def test_a_stored_name_without_extension_is_sniffed(world, login):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("documents/legacy/charter-file", ContentFile(make_png()))
    document = GroupDocument.objects.create(
        group=world.group, kind="charter", version=1, title="扫描件", file=name, adopted_on=TODAY
    )
    response = login(world.users["city"]).get(
        reverse("documents:group-document-download", args=[document.pk])
    )
    assert response["Content-Type"] == "image/png"
    assert (
        response["Content-Disposition"].endswith('.png"')
        or ".png" in response["Content-Disposition"]
    )


def test_objects_the_user_may_not_see_are_404(world, application, login):
    other = _docs(world.other_group, "charter", ["崂山章程"])[0]
    attachment = attachment_add(
        owner=application,
        kind="plan",
        uploaded_file=upload(make_pdf()),
        actor=world.users["principal"],
    )
    district = login(world.users["district"])
    assert (
        district.get(reverse("documents:group-document-download", args=[other.pk])).status_code
        == 404
    )
    assert (
        district.get(reverse("documents:compare", args=[world.other_group.pk])).status_code == 404
    )
    member = login(world.users["member"])  # the member school is not party to the application
    assert member.get(reverse("attachments:download", args=[attachment.pk])).status_code == 404
    assert member.get(reverse("attachments:download", args=[99999])).status_code == 404


def test_media_is_never_served(world, application, login):
    from qingdao_groups.settings import base

    attachment = attachment_add(
        owner=application,
        kind="plan",
        uploaded_file=upload(make_pdf()),
        actor=world.users["principal"],
    )
    response = login(world.users["admin"]).get(f"{django_settings.MEDIA_URL}{attachment.file.name}")
    assert response.status_code == 404
    assert not any(
        str(p.pattern).lstrip("^").startswith(base.MEDIA_URL.strip("/"))
        for p in get_resolver().url_patterns
    )
    for media in (Path(base.MEDIA_ROOT).resolve(), Path(django_settings.MEDIA_ROOT).resolve()):
        for static in [Path(base.STATIC_ROOT), *map(Path, base.STATICFILES_DIRS)]:
            static = static.resolve()
            assert not media.is_relative_to(static) and not static.is_relative_to(media)


# --- comparing versions --------------------------------------------------------------------------

OLD = "第一章 总则\n第一条 本集团名称。\n第二条 已删除的条款。\n第三条 集团依章程运行。"
NEW = (
    "第一章 总则\n第一条 本集团名称。\n第三条 集团依章程和制度运行。\n"
    "第四条 <script>alert(1)</script>"
)


def test_compare_page_shows_added_removed_and_changed_lines_escaped(world, login):
    _docs(world.group, "charter", [OLD, NEW])
    response = login(world.users["member"]).get(
        reverse("documents:compare", args=[world.group.pk]), {"kind": "charter", "a": 1, "b": 2}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-kind="removed">.*?已删除的条款', html, re.S)
    assert re.search(r'data-kind="added">.*?第四条', html, re.S)
    assert re.search(
        r'data-kind="changed">.*?<ins class="bg-success-subtle">和制度</ins>', html, re.S
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_compare_defaults_to_the_latest_two_and_explains_bad_choices(world, login):
    _docs(world.group, "charter", [OLD, NEW, NEW + "\n第五条 附则"])
    client = login(world.users["principal"])
    url = reverse("documents:compare", args=[world.group.pk])
    response = client.get(url, {"kind": "charter", "a": "abc", "b": "99"})
    assert response.status_code == 200
    assert "所选版本不存在" in response.content.decode()
    assert (response.context["left"].version, response.context["right"].version) == (2, 3)
    response = client.get(url, {"kind": "nonsense"})
    assert response.status_code == 200 and response.context["kind"] == "charter"
    response = client.get(url, {"kind": "rules"})
    assert "尚未登记内部管理制度" in response.content.decode()


def test_compare_without_text_says_so(world, login):
    _docs(world.group, "charter", ["有文字的版本", ""])
    html = (
        login(world.users["city"])
        .get(reverse("documents:compare", args=[world.group.pk]))
        .content.decode()
    )
    assert 'data-testid="text-missing"' in html and "无法提取" in html


def test_diff_rows_fold_unchanged_runs():
    old = "\n".join(f"第{i}条" for i in range(1, 41))
    new = old.replace("第20条", "第20条（修订）")
    rows, truncated = text_diff_rows(old, new)
    kinds = [r.kind for r in rows]
    assert not truncated
    assert kinds == ["skipped"] + ["equal"] * 3 + ["changed"] + ["equal"] * 3 + ["skipped"]
    assert rows[0].skipped == 16 and rows[-1].skipped == 17
    assert rows[4].right == [("第20条", False), ("（修订）", True)]
    assert len(text_diff_rows(old, new, context=None)[0]) == 40
    assert text_diff_rows(old, old) == ([], False)


# --- query counts --------------------------------------------------------------------------------


def _count(client, url, params=None):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["principal", "district", "member"])
def test_document_pages_run_a_constant_number_of_queries(
    world, login, role, django_assert_max_num_queries
):
    client = login(world.users[role])
    documents = reverse("documents:group-documents", args=[world.group.pk])
    compare = reverse("documents:compare", args=[world.group.pk])
    _docs(world.group, "charter", [OLD, NEW])
    client.get(documents)  # the first request creates the policy parameters row
    small = (_count(client, documents), _count(client, compare))
    uploader = world.users["district"]
    for kind in ("rules", "plan", "agreement"):
        for v in range(1, 16):
            GroupDocument.objects.create(
                group=world.group,
                kind=kind,
                version=v,
                title="文件",
                adopted_on=TODAY,
                uploaded_by=uploader,
            )
    long_text = "\n".join(f"第{i}条 {'内容' * 20}" for i in range(400))
    for v in range(3, 30):
        GroupDocument.objects.create(
            group=world.group,
            kind="charter",
            version=v,
            title="章程",
            text=long_text + f"\n第{v}版附则",
            adopted_on=TODAY,
            uploaded_by=uploader,
        )
    large = (_count(client, documents), _count(client, compare, {"a": 3, "b": 29}))
    assert small == large, (small, large)
    print(f"queries as {role}: documents {large[0]}, compare {large[1]}")
    with django_assert_max_num_queries(9):
        client.get(documents)
    with django_assert_max_num_queries(9):
        client.get(compare, {"a": 3, "b": 29, "full": "1"})


# --- racing uploads (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_uploads_of_one_kind_get_distinct_versions(world, application):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    errors: list[Exception] = []

    def attempt(i):
        try:
            barrier.wait()
            attachment_add(
                owner=application,
                kind="charter",
                uploaded_file=upload(make_pdf(f"version {i}")),
                actor=world.users["principal"],
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    versions = sorted(application.attachments.values_list("version", flat=True))
    assert versions == list(range(1, threads_count + 1))
    assert len(media_files()) == threads_count


def test_large_uploads_spooled_to_disk_by_django_are_checked_the_same_way(world, login):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django hands over a TemporaryUploadedFile."""
    import io
    import zipfile

    client = login(world.users["district"])
    url = reverse("documents:group-documents", args=[world.group.pk])
    big_pdf = make_pdf("Big charter") + b"%" * (3 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # stored, not deflated: 3 MB on the wire
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml(["大制度"]))
        archive.writestr("word/media/image1.png", make_png() + bytes(range(256)) * 12_000)
    for kind, data, name, text in (
        ("charter", big_pdf, "章程.pdf", "Big charter"),
        ("rules", buffer.getvalue(), "制度.docx", "大制度"),
    ):
        response = client.post(
            url,
            {
                "kind": kind,
                "title": "大文件",
                "adopted_on": "2025-01-01",
                "file": upload(data, name),
            },
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
        document = GroupDocument.objects.get(kind=kind)
        assert text in document.text or (name.endswith(".pdf") and not PDF_TEXT_AVAILABLE)
        assert (Path(django_settings.MEDIA_ROOT) / document.file.name).stat().st_size == len(data)


def test_attachment_list_partial_links_to_the_checked_download(world, application):
    from django.template.loader import render_to_string

    attachment = attachment_add(
        owner=application,
        kind="plan",
        uploaded_file=upload(make_pdf(), "<b>方案.pdf"),
        actor=world.users["principal"],
    )
    html = render_to_string(
        "documents/_attachments.html", {"attachments": application.attachments.all()}
    )
    assert reverse("attachments:download", args=[attachment.pk]) in html
    assert "_b_方案.pdf" in html and "<b>" not in html
    assert "集团化办学方案" in html
