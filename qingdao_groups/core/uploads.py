"""Upload validation and text extraction for the documents of a group's life (issue 3,
"Documents"; policy L-1 plan/agreement/charter, G-4 charter, L-6 evidence).

A file's type is decided by its content (magic bytes, then the structure of a zip), never by its
name or the browser's content type. Only PDF, OFD, DOCX and PNG/JPEG/GIF images pass; everything
else is refused with a message that names what is accepted. No Django models here: the services in
groups/services/documents.py store what this module accepts.

Issue 12: a configured ClamAV daemon scans every upload first (core/clamav.py); PDFs with active
content are refused (core/pdf_safety.py); images are re-encoded, and what is stored is the
re-encoded image (core/image_safety.py, UploadInfo.content)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

from qingdao_groups.core.rules import RuleRefusal

logger = logging.getLogger(__name__)

PDF = "application/pdf"
OFD = "application/ofd"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"

EXTENSIONS = {PDF: "pdf", OFD: "ofd", DOCX: "docx", PNG: "png", JPEG: "jpg", GIF: "gif"}
CONTENT_TYPES = {ext: ct for ct, ext in EXTENSIONS.items()} | {"jpeg": JPEG}

# The defaults when settings do not say otherwise (qingdao_groups/settings/base.py, "Uploads").
DEFAULT_ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
DEFAULT_ZIP_MAX_RATIO = 100
DEFAULT_ZIP_MAX_ENTRIES = 2000
DEFAULT_PDFTOTEXT_TIMEOUT = 20
MAX_TEXT_CHARS = 1_000_000  # extracted text kept for search and comparison, not the whole world
ORIGINAL_NAME_MAX = 100
CHUNK = 64 * 1024
HEAD = 4096
# A zip entry this small may compress as well as it likes (a few empty XML parts do).
_RATIO_EXEMPT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class UploadInfo:
    """What validation found out about an accepted file."""

    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str = ""
    # What is stored instead of the upload's own bytes: a re-encoded image (issue 12). None when
    # the file is stored as it came (PDF, OFD, DOCX); size and sha256 describe what is stored.
    content: bytes | None = None

    def stored_file(self, uploaded_file):
        """The file the storing service saves: the re-encoded bytes, or the upload at 0."""
        if self.content is not None:
            from django.core.files.base import ContentFile

            return ContentFile(self.content)
        uploaded_file.seek(0)
        return uploaded_file


class UploadRejected(RuleRefusal):
    """The file is not one we accept; `message` says why and what is accepted."""

    def __init__(self, message, *, field: str | None = "file"):
        super().__init__(message, field=field)


def accepted_types_text() -> str:
    return _(
        "只接受 PDF、OFD、DOCX 文档或 PNG、JPEG、GIF 图片（按文件内容判断类型，与扩展名无关）。"
    )


def _refuse(reason: str) -> UploadRejected:
    return UploadRejected(f"{reason}{accepted_types_text()}")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- file names ------------------------------------------------------------------------------

_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*\\/]')


def clean_original_name(name: str | None, *, max_length: int = ORIGINAL_NAME_MAX) -> str:
    """The user's file name reduced to something safe to show and to offer as a download name:
    the last path component only, no control or separator characters, length-limited with the
    extension kept. It never becomes a storage path (stored names are generated)."""
    name = (name or "").replace("\\", "/")
    name = name.rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip().strip(".").strip()
    if not name:
        return _("未命名文件")
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            name = stem[: max_length - len(ext) - 1] + "." + ext
        else:
            name = name[:max_length]
    return name


def download_name(original_name: str, extension: str) -> str:
    """The name offered when downloading: the cleaned original name, with the extension of the
    real content type so that a PDF saved as "a.exe" downloads as "a.exe.pdf"."""
    name = clean_original_name(original_name)
    lower = name.lower()
    if (
        extension
        and not lower.endswith("." + extension.lower())
        and not (extension == "jpg" and lower.endswith(".jpeg"))
    ):
        name = f"{name}.{extension}"
    return name


# --- validation ------------------------------------------------------------------------------


def _read_all(uploaded_file, max_bytes: int) -> tuple[int, str, bytes]:
    """Read the whole file in chunks (never trusting its declared size), stopping as soon as it
    exceeds max_bytes. Returns (size, sha256, first bytes)."""
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    digest = hashlib.sha256()
    head = b""
    size = 0
    chunks = (
        uploaded_file.chunks(CHUNK)
        if hasattr(uploaded_file, "chunks")
        else iter(lambda: uploaded_file.read(CHUNK), b"")
    )
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise UploadRejected(
                _("文件超过大小上限 %(limit)s，请压缩或拆分后再上传。")
                % {"limit": _human(max_bytes)}
            )
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
        digest.update(chunk)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    return size, digest.hexdigest(), head


def _human(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def _describe_unaccepted(head: bytes) -> str:
    """A short name for a recognisably wrong file, so the message tells the user what we saw."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (
        head.startswith(b"MZ")
        or head.startswith(b"\x7fELF")
        or head[:4]
        in (
            b"\xcf\xfa\xed\xfe",
            b"\xce\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
        )
    ):
        return _("该文件是可执行程序，不能上传。")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _("旧版 Office 文件（如 .doc、.xls）不受支持，请另存为 DOCX 或 PDF。")
    if start.startswith(b"#!"):
        return _("该文件是脚本，不能上传。")
    html = _("网页（HTML）文件不能上传。")
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return html
    if b"<svg" in start:
        return _("SVG 图像可能包含脚本，不能上传。")
    if b"<html" in start[:1024] or b"<script" in start[:1024]:
        return html
    if start.startswith(b"<?xml") or start.startswith(b"<"):
        return _("XML 文件不能直接上传。")
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return _("压缩包不能上传。")
    return _("不支持该文件类型。")


class ZipRefused(UploadRejected):
    """A zip that is unreadable, unsafe or a suspected zip bomb; `message` says which."""


def zip_entries(fileobj) -> list[zipfile.ZipInfo]:
    """The entries of a zip (a DOCX, an OFD, a spreadsheet), inspected without extracting it.

    The one zip-bomb guard of the project (uploads and imports alike), with one set of limits in
    settings (UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES, UPLOAD_ZIP_MAX_RATIO, UPLOAD_ZIP_MAX_ENTRIES):
    refuses too many entries, a declared uncompressed total or a compression ratio too high,
    and entries whose names are absolute or climb out with `..`. Python's zipfile never
    inflates an entry beyond its declared size, so the declared total is a real bound on what a
    reader will decompress. Leaves a seekable file at position 0."""
    max_total = _setting("UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", DEFAULT_ZIP_MAX_UNCOMPRESSED)
    max_ratio = _setting("UPLOAD_ZIP_MAX_RATIO", DEFAULT_ZIP_MAX_RATIO)
    max_entries = _setting("UPLOAD_ZIP_MAX_ENTRIES", DEFAULT_ZIP_MAX_ENTRIES)
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ZipRefused(_("文件已损坏，无法识别。")) from exc
    finally:
        if hasattr(fileobj, "seek"):
            fileobj.seek(0)
    if len(infos) > max_entries:
        raise ZipRefused(_("压缩结构中的文件过多（%(n)d 个），疑似恶意文件。") % {"n": len(infos)})
    total = 0
    for info in infos:
        if _unsafe_entry_name(info.filename):
            raise ZipRefused(
                _("文件内部含有不安全的路径（%(name)s）。")
                % {"name": clean_original_name(info.filename, max_length=60)}
            )
        total += info.file_size
        if total > max_total:
            raise ZipRefused(
                _("文件解压后超过 %(limit)s，疑似压缩炸弹。") % {"limit": _human(max_total)}
            )
        if info.file_size > _RATIO_EXEMPT_BYTES and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            raise ZipRefused(
                _("文件压缩比异常（超过 %(ratio)d 倍），疑似压缩炸弹。") % {"ratio": max_ratio}
            )
    return infos


def _check_zip(uploaded_file) -> str:
    """The content type of a zip upload (DOCX or OFD), after the zip-bomb guard; or refuse."""
    try:
        infos = zip_entries(uploaded_file)
    except ZipRefused as exc:
        raise _refuse(exc.message) from exc
    if any(info.flag_bits & 0x1 for info in infos):
        raise _refuse(_("文件已加密或设有密码，无法检查其内容，请去除密码后再上传。"))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        if "word/vbaProject.bin" in names or _declares_macros(uploaded_file):
            raise _refuse(_("含宏的 Word 文件（.docm）不能上传，请另存为不含宏的 DOCX。"))
        return DOCX
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        raise _refuse(_("该 Office 文件不是 Word 文档（DOCX）。"))
    raise _refuse(_("该压缩文件不是 DOCX 或 OFD 文档。"))


def _unsafe_entry_name(name: str) -> bool:
    if not name or "\x00" in name:
        return True
    normal = name.replace("\\", "/")
    if normal.startswith("/") or re.match(r"^[A-Za-z]:", normal):
        return True
    return ".." in PurePosixPath(normal).parts


def _declares_macros(uploaded_file) -> bool:
    try:
        with zipfile.ZipFile(uploaded_file) as archive, archive.open("[Content_Types].xml") as fh:
            data = fh.read(256 * 1024)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return True  # unreadable (encrypted, corrupt): treat as not a plain DOCX
    finally:
        uploaded_file.seek(0)
    return b"macroEnabled" in data


def sniff(head: bytes) -> str | None:
    """The content type of an accepted non-zip format from its first bytes, else None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    return None


def validate_upload(uploaded_file, *, max_bytes: int) -> UploadInfo:
    """Accept a PDF, OFD, DOCX or PNG/JPEG/GIF image no larger than max_bytes, decided by its
    content; raise UploadRejected (an RuleRefusal) with a Chinese message otherwise.

    Issue 12: when a ClamAV daemon is configured the bytes are scanned first (malware, or no
    verdict, refuses); a PDF with active content (JavaScript, launch actions, embedded files …)
    is refused; an image is decoded under a pixel limit and re-encoded, and the re-encoded bytes
    are what `UploadInfo.content` carries to the storing service.
    Reads but never writes; leaves the file at position 0."""
    if uploaded_file is None:
        raise UploadRejected(_("请选择要上传的文件。"))
    size, sha256, head = _read_all(uploaded_file, max_bytes)
    if size == 0:
        raise UploadRejected(_("文件为空，请重新选择。"))
    scan_upload(uploaded_file)
    content_type = sniff(head)
    content = None
    if content_type is None:
        if head.startswith(b"PK\x03\x04"):
            content_type = _check_zip(uploaded_file)
        else:
            raise _refuse(_describe_unaccepted(head))
    elif content_type == PDF:
        _check_pdf(uploaded_file)
    else:
        content = _reencoded_image(uploaded_file, content_type)
        size, sha256 = len(content), hashlib.sha256(content).hexdigest()
    return UploadInfo(
        content_type=content_type,
        extension=EXTENSIONS[content_type],
        size=size,
        sha256=sha256,
        original_name=clean_original_name(getattr(uploaded_file, "name", "")),
        content=content,
    )


# --- active content, images, malware (issue 12) -----------------------------------------------


def _check_pdf(uploaded_file) -> None:
    from qingdao_groups.core.pdf_safety import PdfDamaged, PdfEncrypted, pdf_active_content

    try:
        found = pdf_active_content(uploaded_file)
    except PdfEncrypted as exc:
        raise UploadRejected(
            _("PDF 文件设有密码或加密，无法检查其内容。请去除密码保护后再上传。")
        ) from exc
    except PdfDamaged as exc:
        logger.info("PDF refused as damaged: %s", exc)
        raise UploadRejected(
            _("PDF 文件已损坏或结构异常，无法读取。请重新导出或“打印为 PDF”后再上传。")
        ) from exc
    finally:
        uploaded_file.seek(0)
    if found:
        raise UploadRejected(
            _(
                "PDF 文件含有脚本、自动执行动作、嵌入文件或交互表单（%(what)s），出于安全原因不能"
                "上传。请用“打印为 PDF”或“另存为 PDF”（不含脚本和附件）重新生成后再上传。"
            )
            % {"what": "、".join(sorted(found))}
        )


def _reencoded_image(uploaded_file, content_type: str) -> bytes:
    from qingdao_groups.core.image_safety import (
        MAX_FRAMES,
        ImageRefused,
        image_reencode,
        max_pixels,
    )

    uploaded_file.seek(0)
    try:
        return image_reencode(uploaded_file.read(), content_type)
    except ImageRefused as exc:
        if exc.reason == "damaged":
            raise UploadRejected(
                _("图片已损坏或不完整，无法读取。请重新保存或截图后再上传。")
            ) from exc
        if exc.reason == "frames":
            raise UploadRejected(
                _("动图帧数过多（上限 %(limit)d 帧），请改为静态图片后再上传。")
                % {"limit": MAX_FRAMES}
            ) from exc
        raise UploadRejected(
            _("图片像素过多（上限 %(limit)d 万像素），请缩小后再上传。")
            % {"limit": max_pixels() // 10_000}
        ) from exc
    finally:
        uploaded_file.seek(0)


def scan_upload(uploaded_file) -> None:
    """Scan the upload with the configured ClamAV daemon (nothing when none is configured).
    Malware found, or no verdict (daemon down, timeout, error), refuses it: fail closed."""
    from qingdao_groups.core.clamav import ScannerUnavailable, clamav_configured, clamav_scan

    if not clamav_configured():
        return
    uploaded_file.seek(0)
    chunks = (
        uploaded_file.chunks(CHUNK)
        if hasattr(uploaded_file, "chunks")
        else iter(lambda: uploaded_file.read(CHUNK), b"")
    )
    try:
        verdict = clamav_scan(chunks)
    except ScannerUnavailable as exc:
        logger.error("virus scan unavailable, upload refused: %s", exc)
        raise UploadRejected(_("扫描服务不可用，请稍后再试。")) from exc
    finally:
        uploaded_file.seek(0)
    if not verdict.clean:
        logger.warning("virus scan found %s in an upload; refused", verdict.signature)
        raise UploadRejected(
            _("病毒扫描发现该文件含有恶意代码（%(name)s），已拒绝上传。")
            % {"name": verdict.signature}
        )


def scanning_note() -> str:
    """The short line shown under every file input: whether uploads are scanned for viruses."""
    from qingdao_groups.core.clamav import clamav_configured

    return _("上传文件将经过病毒扫描。") if clamav_configured() else _("未启用病毒扫描。")


# --- text extraction -------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _clean_text(text: str) -> str:
    # PostgreSQL text cannot hold NUL; form feeds are pdftotext's page breaks.
    text = text.replace("\x00", "").replace("\f", "\n").replace("\r\n", "\n")
    return text[:MAX_TEXT_CHARS].strip()


def _docx_text(fileobj) -> str:
    max_total = _setting("UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", DEFAULT_ZIP_MAX_UNCOMPRESSED)
    with zipfile.ZipFile(fileobj) as archive, archive.open("word/document.xml") as fh:
        data = fh.read(max_total + 1)
    if len(data) > max_total:
        return ""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        return ""  # never expand entities from an uploaded file
    root = ElementTree.fromstring(data)  # noqa: S314 - no DTD/entities (checked above)
    paragraphs = []
    for paragraph in root.iter(f"{W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{W}tab":
                parts.append("\t")
            elif node.tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _pdf_text(path: str) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        logger.warning("pdftotext not found; PDF text not extracted")
        return ""
    timeout = _setting("PDFTOTEXT_TIMEOUT_SECONDS", DEFAULT_PDFTOTEXT_TIMEOUT)
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [exe, "-q", "-enc", "UTF-8", "-eol", "unix", path, "-"],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError) as exc:
        logger.warning("pdftotext failed: %s", exc)
        return ""
    if result.returncode != 0:
        return ""
    return result.stdout.decode("utf-8", errors="replace")


def extract_text(path_or_file, content_type: str) -> str:
    """The plain text of a DOCX (paragraphs of word/document.xml) or a PDF (pdftotext, with a
    timeout); "" for images, OFD, or whenever extraction is impossible. Never raises."""
    try:
        if content_type == DOCX:
            if isinstance(path_or_file, str | os.PathLike):
                return _clean_text(_docx_text(os.fspath(path_or_file)))
            path_or_file.seek(0)
            try:
                return _clean_text(_docx_text(path_or_file))
            finally:
                path_or_file.seek(0)
        if content_type == PDF:
            if isinstance(path_or_file, str | os.PathLike):
                return _clean_text(_pdf_text(os.fspath(path_or_file)))
            temporary_path = getattr(path_or_file, "temporary_file_path", None)
            if temporary_path is not None:
                return _clean_text(_pdf_text(temporary_path()))
            with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
                path_or_file.seek(0)
                for chunk in iter(lambda: path_or_file.read(CHUNK), b""):
                    tmp.write(chunk)
                tmp.flush()
                path_or_file.seek(0)
                return _clean_text(_pdf_text(tmp.name))
    except (
        zipfile.BadZipFile,
        KeyError,
        ElementTree.ParseError,
        OSError,
        ValueError,
        RuntimeError,
        EOFError,
    ) as exc:
        logger.warning("text extraction failed: %s", exc)
    return ""


def generated_name(extension: str) -> str:
    """A storage file name that owes nothing to the user's: a random uuid plus the extension of
    the detected type."""
    import uuid

    return f"{uuid.uuid4().hex}.{extension}"


__all__ = [
    "DOCX",
    "GIF",
    "JPEG",
    "OFD",
    "PDF",
    "PNG",
    "UploadInfo",
    "UploadRejected",
    "ZipRefused",
    "accepted_types_text",
    "clean_original_name",
    "download_name",
    "extract_text",
    "scan_upload",
    "scanning_note",
    "generated_name",
    "sniff",
    "validate_upload",
    "zip_entries",
]


# The administrators' size limit (groups keeps it among the policy parameters); registered by
# the app that stores it, so the shared upload check never imports that app.
_limit_mb_provider = None


def set_upload_limit_provider(provider) -> None:
    """`provider()` returns the configured limit of one upload in MB."""
    global _limit_mb_provider
    _limit_mb_provider = provider


def upload_limit_bytes() -> int:
    """The size limit of one upload: the configured limit (PolicyParameters.upload_max_mb,
    editable by administrators), never above the server's ceiling settings.UPLOAD_MAX_BYTES."""
    from django.conf import settings

    ceiling = settings.UPLOAD_MAX_BYTES
    if _limit_mb_provider is None:
        return ceiling
    return min(_limit_mb_provider() * 1024 * 1024, ceiling)
