"""Active content in an uploaded PDF (issue 12, "Uploads"): JavaScript, launch actions, embedded
files, rich media, XFA forms and form submission are refused, not neutralised, so what is stored
is exactly what the user sent and what a reader of it will see.

Two looks that must both come back clean:
- a parsed walk (pypdf) over every object the cross-reference names, those inside compressed
  object streams included; pypdf decodes `#xx` escapes in names, so `/J#61vaScript` is
  `/JavaScript`;
- a raw scan of the file's bytes outside stream bodies, and of every decompressed object stream,
  for the same names (with `#xx` escapes decoded): this finds objects that the cross-reference
  does not name but that a lenient reader rebuilding a broken file would.

A file that pypdf cannot open is refused as damaged."""

from __future__ import annotations

import io
import logging
import re

logger = logging.getLogger(__name__)

# Name tokens that make a PDF do something beyond showing pages.
ACTIVE_NAMES = {
    "JS": "JavaScript",
    "JavaScript": "JavaScript",
    "Launch": "Launch",
    "EmbeddedFile": "EmbeddedFile",
    "EmbeddedFiles": "EmbeddedFile",
    "FileAttachment": "EmbeddedFile",
    "RichMedia": "RichMedia",
    "XFA": "XFA",
    "SubmitForm": "SubmitForm",
    "ImportData": "ImportData",
    "GoToE": "EmbeddedFile",
}
MAX_OBJECTS = 200_000
MAX_DEPTH = 60
# Decompressed object streams are PDF syntax, not pixels: this much is plenty.
MAX_OBJSTM_BYTES = 50 * 1024 * 1024

_NAME = re.compile(rb"/((?:[^\x00\t\n\x0c\r /\[\]()<>{}%#]|#[0-9A-Fa-f]{2})+)")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
# A literal string (one level of nesting per pass): "/JS" in a link's URL is text, not a name.
_STRING = re.compile(rb"\((?:\\.|[^\\()])*\)", re.DOTALL)


class PdfDamaged(Exception):
    """pypdf could not read the file."""


class PdfEncrypted(Exception):
    """The file is encrypted with a password (or a cipher we cannot open) and cannot be checked."""


def _decode_name(raw: bytes) -> str:
    return _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def raw_active_names(data: bytes) -> set[str]:
    """The active-content names among the name tokens of PDF syntax in `data`."""
    found = set()
    for match in _NAME.finditer(data):
        name = _decode_name(match.group(1))
        if name in ACTIVE_NAMES:
            found.add(ACTIVE_NAMES[name])
    return found


def _walk(obj, found: set[str], objstm_data: list[bytes], depth: int = 0) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

    if depth > MAX_DEPTH:
        return
    if isinstance(obj, NameObject):
        if str(obj)[1:] in ACTIVE_NAMES:
            found.add(ACTIVE_NAMES[str(obj)[1:]])
    elif isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if str(key)[1:] in ACTIVE_NAMES:
                found.add(ACTIVE_NAMES[str(key)[1:]])
            # Indirect references are not followed: every indirect object is walked on its own.
            _walk(value, found, objstm_data, depth + 1)
        if isinstance(obj, StreamObject) and obj.get("/Type") == "/ObjStm":
            objstm_data.append(obj.get_data()[:MAX_OBJSTM_BYTES])
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _walk(value, found, objstm_data, depth + 1)


def pdf_active_content(fileobj) -> set[str]:
    """The kinds of active content found in a PDF (empty when there is none).

    Raises PdfDamaged if the file cannot be parsed, PdfEncrypted if it is encrypted with a
    password. Leaves a seekable file at position 0."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError
    from pypdf.generic import IndirectObject

    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    syntax = _STREAM_BODY.sub(b"stream endstream", data)
    for _pass in range(3):
        syntax = _STRING.sub(b"()", syntax)
    found = raw_active_names(syntax)
    objstm_data: list[bytes] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise PdfEncrypted
            except (DependencyError, FileNotDecryptedError, NotImplementedError) as exc:
                raise PdfEncrypted from exc
        root = reader.trailer.get("/Root")
        if root is None or not hasattr(root.get_object(), "get"):
            raise PdfDamaged("no document catalog")
        _walk(reader.trailer, found, objstm_data)
        numbers = [(num, gen) for gen, table in reader.xref.items() for num in table]
        numbers += [(num, 0) for num in reader.xref_objStm]
        if len(numbers) > MAX_OBJECTS:
            raise PdfDamaged(f"{len(numbers)} objects")
        for num, gen in numbers:
            try:
                obj = IndirectObject(num, gen, reader).get_object()
            except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
                logger.info("pdf object %s %s unreadable: %s", num, gen, exc)
                continue
            _walk(obj, found, objstm_data)
        if len(reader.pages) < 1:
            raise PdfDamaged("no pages")
    except PdfEncrypted:
        raise
    except PdfDamaged:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
        RecursionError,
        IndexError,
        AssertionError,
        EOFError,
    ) as exc:
        raise PdfDamaged(str(exc)) from exc
    for chunk in objstm_data:
        for _pass in range(3):
            chunk = _STRING.sub(b"()", chunk)
        found |= raw_active_names(chunk)
    return found
