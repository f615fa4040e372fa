"""Reading an uploaded spreadsheet into rows of cell text under a spec's columns.

The format is judged by content, never by the file name: an XLSX workbook (first sheet; the
project's one zip-bomb guard runs before openpyxl opens it), a legacy .xls (refused with advice),
or CSV text in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GB18030 (Excel's CSV on a Chinese
Windows), comma, tab or semicolon separated. The header row may sit under a title row or two;
headers match the spec's Chinese header or any alias, loosely (width, spaces, case). Anything else
is a TableRefused with a message that says what to do."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple

from django.utils.translation import gettext as _

from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.tabular.spec import Column, TableSpec, normalize_key
from qingdao_groups.core.uploads import UploadRejected, ZipRefused, scan_upload, zip_entries

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 5000
MAX_COLUMNS = 40  # columns read per row: a sheet formatted out to column XFD is not 16k wide
HEADER_SCAN_ROWS = 10  # the header may sit under a title row or two
HEADER_MIN_MATCHES = 3  # a row naming fewer known columns is a title, not the header
EXCEL_MAX_ROWS = 1_048_576  # a row number beyond Excel's own limit means a forged sheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TableRefused(RuleRefusal):
    """The file as a whole cannot be imported (unreadable, too large, wrong columns, expired)."""


class TableRow(NamedTuple):
    number: int  # as numbered in the spreadsheet: the header row of a plain sheet is row 1
    cells: dict[str, str]  # field -> the cell's text ("" when empty or the column is absent)


@dataclass
class Table:
    data: bytes  # the upload as read, to keep between a preview and its confirmation
    columns: dict[str, int]  # field -> position in the row
    rows: list[TableRow]


def read_table(
    source, spec: TableSpec, *, max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS
) -> Table:
    """The data rows of an upload (an uploaded file, or the bytes of one kept earlier) under
    `spec`'s columns. Empty rows are skipped; row numbers stay those the spreadsheet shows."""
    data = source if isinstance(source, bytes) else read_upload(source, max_bytes=max_bytes)
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    columns: dict[str, int] | None = None
    rows: list[TableRow] = []
    for number, values in sheet_rows(data):
        texts = [cell_text(v) for v in values]
        if not any(texts):
            continue
        if columns is None:
            found = {i: spec.by_key.get(normalize_key(t)) for i, t in enumerate(texts) if t}
            matched = {i: c for i, c in found.items() if c is not None}
            if len(matched) < min(HEADER_MIN_MATCHES, len(spec.columns)):
                if number >= HEADER_SCAN_ROWS:
                    break
                continue
            columns = _header_columns(spec, matched, number)
            continue
        if len(rows) >= max_rows:
            raise TableRefused(
                _("文件行数过多：每次最多导入 %(max)d 行，请拆分后分批导入。") % {"max": max_rows}
            )
        rows.append(
            TableRow(number, {f: (texts[i] if i < len(texts) else "") for f, i in columns.items()})
        )
    if columns is None:
        raise TableRefused(
            _("没有找到表头行。第一行应为列名：%(headers)s。可下载模板对照填写。")
            % {"headers": "、".join(spec.headers)}
        )
    if not rows:
        raise TableRefused(str(spec.empty_message or _("文件中没有数据行。")))
    return Table(data=data, columns=columns, rows=rows)


def _too_big(limit: int) -> TableRefused:
    return TableRefused(
        _("文件过大：最多 %(mb).1f MB。请拆分后分批导入。") % {"mb": limit / 1024 / 1024}
    )


def read_upload(uploaded_file, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of an upload, refusing one larger than `max_bytes` (whatever it declares) or
    empty."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(max_bytes)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    if not data.strip():
        raise TableRefused(_("文件是空的。"))
    # Imports are uploads too: scanned like every other when a ClamAV daemon is configured.
    try:
        scan_upload(io.BytesIO(data))
    except UploadRejected as exc:
        raise TableRefused(str(exc.message)) from exc
    return data


def _header_columns(spec: TableSpec, found: dict[int, Column], row_number: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, column in sorted(found.items()):
        if column.field in columns:
            raise TableRefused(
                _("第%(row)d行表头中“%(column)s”列出现了两次。")
                % {"row": row_number, "column": column.header}
            )
        columns[column.field] = index
    missing = [c.header for c in spec.columns if c.required and c.field not in columns]
    if missing:
        raise TableRefused(
            _("表头缺少必填列：%(columns)s。可下载模板对照填写。") % {"columns": "、".join(missing)}
        )
    return columns


# --------------------------------------------------------------------------- formats


def sheet_rows(data: bytes) -> Iterator[tuple[int, list]]:
    """(row number, cell values) of the first sheet, judged by content, never by file name."""
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data)
    if data.startswith(OLE_MAGIC):
        raise TableRefused(
            _("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再上传。")
        )
    return _csv_rows(decode_text(data))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    not_xlsx = TableRefused(_("无法读取该文件：它不是有效的 Excel（.xlsx）工作簿。"))
    try:
        # The project's one zip-bomb guard, with the limits every upload has.
        entries = zip_entries(io.BytesIO(data))
    except ZipRefused as exc:
        if isinstance(
            exc.__cause__,
            zipfile.BadZipFile | zipfile.LargeZipFile | OSError | ValueError | EOFError,
        ):
            raise not_xlsx from exc
        raise TableRefused(
            _("该文件解压后过大，可能是恶意构造的压缩文件，已拒绝。请上传正常的 Excel 文件。")
        ) from exc
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    return _xlsx_iter(data, not_xlsx)


def _xlsx_iter(data: bytes, not_xlsx: TableRefused) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed workbook
        raise not_xlsx from exc
    try:
        if not workbook.worksheets:
            raise not_xlsx
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # type: ignore[union-attr]  # stored <dimension> is often wrong
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        for number, values in enumerate(rows, start=1):
            if number > EXCEL_MAX_ROWS:
                raise not_xlsx
            yield number, list(values)
    except TableRefused:
        raise
    except Exception as exc:
        raise not_xlsx from exc
    finally:
        workbook.close()


def decode_text(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (Excel's CSV on a
    Chinese Windows). Anything that is not text is refused."""
    not_text = TableRefused(
        _("无法识别该文件：请上传 Excel（.xlsx）或 CSV 文件。可执行文件、图片、压缩包等不能导入。")
    )
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif b"\x00" in data:
        raise not_text
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        text = text.rstrip("\x1a")  # DOS end-of-file marker
        if _CONTROL_RE.search(text):
            raise not_text
        return text
    raise not_text


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", "\t", ";"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, values[:MAX_COLUMNS]
    except csv.Error as exc:
        raise TableRefused(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO dates (a midnight
    datetime, which is what Excel stores for a date, as the date alone), booleans as 是/否, and
    the apostrophe our CSV export puts before formula-looking text taken off again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_START:
        text = text[1:]
    return text
