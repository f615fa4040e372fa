"""Upload validation by content and text extraction (issue 3 "Documents" and "Correctness under
load and bad input": a renamed executable, HTML or SVG with script, an oversized file, a zip bomb
as DOCX, a path in the file name are each refused with a message).

The builders at the top make tiny real files; tests/groups/test_documents.py uses them too."""

import io
import struct
import subprocess
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qingdao_groups.core import uploads
from qingdao_groups.core.uploads import (
    DOCX,
    GIF,
    JPEG,
    OFD,
    PDF,
    PNG,
    UploadRejected,
    clean_original_name,
    download_name,
    extract_text,
    validate_upload,
)
from tests.conftest import PDF_TEXT_AVAILABLE

MB = 1024 * 1024
LIMIT = 20 * MB


# --- builders of tiny real files -------------------------------------------------------------


def make_pdf(text: str = "Group charter version one", *, padding: int = 0) -> bytes:
    """A minimal valid one-page PDF showing `text` (ASCII) in Helvetica, with a correct xref;
    `padding` bytes of comment after the header make it as large as a test needs."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    header = b"%PDF-1.4\n" + (b"%" + b"x" * padding + b"\n" if padding else b"")
    return pdf_from(objects, header=header)


def pdf_from(
    objects: list[bytes],
    *,
    header: bytes = b"%PDF-1.4\n",
    trailer_extra: bytes = b"",
    tail: bytes = b"",
) -> bytes:
    """A PDF of `objects` (1 is the catalog) with a correct xref; `tail` is appended after it."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out) + tail


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def document_xml(paragraphs: list[str]) -> str:
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )


def make_docx(
    paragraphs: list[str] | None = None,
    *,
    extra: dict[str, bytes] | None = None,
    document: str | None = None,
) -> bytes:
    """A minimal DOCX made with zipfile: content types, relationships and word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://'
            'schemas.openxmlformats.org/package/2006/relationships"/>',
        )
        archive.writestr(
            "word/document.xml", document or document_xml(paragraphs or ["第一章 总则"])
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_ofd() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd='
            '"http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
            "</ofd:DocBody></ofd:OFD>",
        )
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


def make_png() -> bytes:
    """A real 1×1 PNG: signature, IHDR, IDAT, IEND with correct CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def make_jpeg(size: tuple[int, int] = (2, 2)) -> bytes:
    """A real JPEG (uploads decode and re-encode images, issue 12)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def make_gif(size: tuple[int, int] = (2, 2)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("P", size, 1).save(out, format="GIF")
    return out.getvalue()


def make_zip_bomb(uncompressed_mb: int = 101, name: str = "word/document.xml") -> bytes:
    """A DOCX-shaped zip whose one big entry inflates to `uncompressed_mb` MB of zeros from about
    a hundred kilobytes (deflate's best ratio is about 1000:1)."""
    buffer = io.BytesIO()
    zeros = b"\x00" * MB
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        with archive.open(name, "w", force_zip64=True) as entry:
            for _ in range(uncompressed_mb):
                entry.write(zeros)
    return buffer.getvalue()


def upload(data: bytes, name: str = "file.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- accepted, by content ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected", "extension"),
    [
        (make_pdf(), "章程.pdf", PDF, "pdf"),
        (make_docx(), "章程.docx", DOCX, "docx"),
        (make_ofd(), "批复.ofd", OFD, "ofd"),
        (make_png(), "证明.png", PNG, "png"),
        (make_jpeg(), "现场照片.jpg", JPEG, "jpg"),
        (make_gif(), "动图.gif", GIF, "gif"),
        # the name and the browser's type say nothing: a PDF called .png is a PDF
        (make_pdf(), "scan.png", PDF, "pdf"),
    ],
)
def test_accepted_types_are_decided_by_content(data, name, expected, extension):
    import hashlib

    info = validate_upload(upload(data, name, "image/png"), max_bytes=LIMIT)
    # Images are stored re-encoded (issue 12): size and digest are those of what is stored.
    stored = data if info.content is None else info.content
    assert (info.content is not None) is expected.startswith("image/")
    assert (info.content_type, info.extension, info.size) == (expected, extension, len(stored))
    assert info.sha256 == hashlib.sha256(stored).hexdigest()


# --- refused, each with a message naming what is accepted --------------------------------------

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "通知.pdf", "可执行程序"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "章程.docx", "可执行程序"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "章程.pdf", "HTML"),
        (b"<html><script>steal()</script></html>", "a.pdf", "HTML"),
        (SVG, "logo.png", "SVG"),
        (b'<?xml version="1.0"?><root><a>1</a></root>', "data.docx", "XML"),
        (b"#!/bin/sh\nrm -rf /\n", "run.pdf", "脚本"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧章程.doc", "DOCX"),
        (b"just some words", "notes.txt", "不支持"),
    ],
)
def test_unaccepted_content_is_refused_with_a_clear_message(data, name, says):
    with pytest.raises(UploadRejected) as excinfo:
        validate_upload(upload(data, name), max_bytes=LIMIT)
    message = str(excinfo.value.message)
    assert says in message
    assert "只接受 PDF、OFD、DOCX" in message  # names what is accepted
    assert excinfo.value.field == "file"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_zip({"readme.txt": b"hello", "evil.exe": b"MZ"}), "不是 DOCX 或 OFD"),
        (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), "不是 Word"),
        (make_docx(extra={"word/vbaProject.bin": b"\x00"}), "含宏"),
        (make_docx(extra={"../../etc/cron.d/evil": b"* * * * * root sh"}), "不安全的路径"),
        (make_docx(extra={"/etc/passwd": b"root:x:0:0"}), "不安全的路径"),
        (make_docx(extra={"C:\\Windows\\evil.dll": b"MZ"}), "不安全的路径"),
        (make_docx(extra={"word/../../x.xml": b"<x/>"}), "不安全的路径"),
        (b"PK\x03\x04" + b"\x00" * 100, "已损坏"),
    ],
)
def test_zips_that_are_not_plain_docx_or_ofd_are_refused(data, says):
    with pytest.raises(UploadRejected, match=says):
        validate_upload(upload(data, "file.docx"), max_bytes=LIMIT)


def test_zip_bomb_named_docx_is_refused_without_inflating_it():
    bomb = make_zip_bomb(101)
    assert len(bomb) < 200 * 1024  # a hundred-odd kilobytes that would inflate to 101 MB
    with pytest.raises(UploadRejected, match="压缩炸弹"):
        validate_upload(upload(bomb, "章程.docx"), max_bytes=LIMIT)


def test_high_compression_ratio_is_refused_even_below_the_total(settings):
    bomb = make_zip_bomb(5)  # 5 MB of zeros, ratio ~1000
    with pytest.raises(UploadRejected, match="压缩比异常"):
        validate_upload(upload(bomb, "a.docx"), max_bytes=LIMIT)


def test_too_many_entries_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 50
    data = make_docx(extra={f"word/media/{i}.xml": b"<x/>" for i in range(60)})
    with pytest.raises(UploadRejected, match="文件过多"):
        validate_upload(upload(data, "a.docx"), max_bytes=LIMIT)


def test_oversized_file_is_refused_by_reading_not_by_trusting_size():
    data = make_pdf() + b"%" * 2000
    with pytest.raises(UploadRejected, match="大小上限"):
        validate_upload(upload(data), max_bytes=1024)
    lying = upload(data)
    lying.size = 10  # a declared size is not believed
    with pytest.raises(UploadRejected, match="大小上限"):
        validate_upload(lying, max_bytes=1024)
    assert validate_upload(upload(data), max_bytes=len(data)).size == len(data)


def test_empty_file_is_refused():
    with pytest.raises(UploadRejected, match="文件为空"):
        validate_upload(upload(b""), max_bytes=LIMIT)


def test_validation_leaves_the_file_readable_from_the_start():
    data = make_docx()
    f = upload(data, "a.docx")
    validate_upload(f, max_bytes=LIMIT)
    assert f.read() == data


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("C:\\Users\\校长\\集团章程（修订稿）.docx", "集团章程（修订稿）.docx"),
        ("章程\x00\x1b[31m.pdf", "章程[31m.pdf"),
        ("a\u202egpj.exe", "agpj.exe"),  # right-to-left override removed
        ('rep"ort<1>.pdf', "rep_ort_1_.pdf"),
        ("..", "未命名文件"),
        ("", "未命名文件"),
        ("/", "未命名文件"),
    ],
)
def test_original_names_are_basenames_without_control_characters(raw, clean):
    assert clean_original_name(raw) == clean


def test_long_names_are_cut_keeping_the_extension():
    name = clean_original_name("长" * 300 + ".docx")
    assert len(name) == 100 and name.endswith(".docx")


def test_download_name_carries_the_real_extension():
    assert download_name("passwd", "pdf") == "passwd.pdf"
    assert download_name("setup.exe", "pdf") == "setup.exe.pdf"
    assert download_name("章程.PDF", "pdf") == "章程.PDF"
    assert download_name("photo.jpeg", "jpg") == "photo.jpeg"


# --- text --------------------------------------------------------------------------------------


def test_docx_text_is_its_paragraphs():
    data = make_docx(["第一章 总则", "第一条 本集团依章程运行。", "第二条 <script>x</script>"])
    text = extract_text(io.BytesIO(data), DOCX)
    assert text.splitlines() == [
        "第一章 总则",
        "第一条 本集团依章程运行。",
        "第二条 <script>x</script>",
    ]


def test_docx_with_a_doctype_is_not_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    assert extract_text(io.BytesIO(make_docx(document=laughs)), DOCX) == ""


def test_broken_docx_gives_no_text_and_no_error():
    assert extract_text(io.BytesIO(b"PK\x03\x04broken"), DOCX) == ""


@pytest.mark.skipif(not PDF_TEXT_AVAILABLE, reason="poppler's pdftotext is not installed")
def test_pdf_text_comes_from_pdftotext(tmp_path):
    data = make_pdf("Article 1 The group runs by its charter")
    assert "Article 1 The group runs by its charter" in extract_text(io.BytesIO(data), PDF)
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    assert "charter" in extract_text(path, PDF)


def test_pdf_text_is_empty_without_pdftotext(monkeypatch):
    monkeypatch.setattr(uploads.shutil, "which", lambda name: None)
    assert extract_text(io.BytesIO(make_pdf()), PDF) == ""


def test_pdf_text_is_empty_when_pdftotext_times_out(monkeypatch):
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(cmd=args[0], timeout=kwargs.get("timeout"))

    monkeypatch.setattr(uploads.subprocess, "run", slow)
    assert extract_text(io.BytesIO(make_pdf()), PDF) == ""


@pytest.mark.parametrize("content_type", [PNG, JPEG, GIF, OFD, "application/octet-stream"])
def test_images_and_ofd_have_no_text(content_type):
    assert extract_text(io.BytesIO(make_png()), content_type) == ""
