"""Writing a spec's columns out: XLSX with the Chinese header row in bold and frozen, or CSV in
UTF-8 with a BOM (so Excel on a Chinese Windows opens it right). A text cell that looks like a
formula (= + - @, tab, carriage return) never runs as one: in XLSX it is stored as a text cell,
in CSV it gets a leading apostrophe, which the reader takes off again on import.

Both formats stream in bounded memory, whatever the number of rows: CSV as chunks of encoded
rows (for a StreamingHttpResponse), XLSX written row by row into a temporary file (for a
FileResponse). The XLSX sheet is written directly as SpreadsheetML (inline strings, five cell
styles): openpyxl's per-cell objects made 200,000 schools take most of a minute."""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.tabular.reading import FORMULA_START
from qingdao_groups.core.tabular.spec import TableSpec

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
EXPORT_FORMATS = ("xlsx", "csv")
CSV_ROWS_PER_CHUNK = 500
FILE_CHUNK = 64 * 1024
# Deflate's fastest level: 200,000 schools compress in a third of the time of level 6, the file
# about a sixth larger (11.7 MB instead of 10.0 MB).
XLSX_COMPRESSLEVEL = 1


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


class ExportStream:
    """An export being produced: CSV as an iterator of byte chunks (`chunks`), XLSX as a
    temporary file already written (`file`, at its start). `content` reads it all (tests,
    small files)."""

    def __init__(
        self,
        *,
        filename: str,
        content_type: str,
        chunks: Iterator[bytes] | None = None,
        file: IO[bytes] | None = None,
    ):
        self.filename, self.content_type = filename, content_type
        self._chunks, self.file = chunks, file

    def chunks(self) -> Iterator[bytes]:
        if self._chunks is not None:
            yield from self._chunks
            return
        assert self.file is not None
        with self.file:
            while block := self.file.read(FILE_CHUNK):
                yield block

    @property
    def content(self) -> bytes:
        return b"".join(self.chunks())


def neutralise(value: str) -> str:
    """Text that a spreadsheet would run as a formula, with an apostrophe in front."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise RuleRefusal(_("不支持的导出格式：%(fmt)s。") % {"fmt": fmt})


def stream_table(
    spec: TableSpec, rows: Iterable[Sequence[Any]], *, fmt: str, stem: str
) -> ExportStream:
    """`rows` (values in the spec's column order) as `stem`.xlsx or `stem`.csv, in bounded
    memory: CSV rows are read as the chunks are consumed; XLSX is written to a temporary file
    here."""
    _check_format(fmt)
    filename = f"{stem}.{fmt}"
    if fmt == "xlsx":
        file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
        try:
            write_xlsx_to(spec, rows, file)
        except BaseException:
            file.close()
            raise
        file.seek(0)
        return ExportStream(filename=filename, content_type=XLSX_CONTENT_TYPE, file=file)
    return ExportStream(
        filename=filename, content_type=CSV_CONTENT_TYPE, chunks=iter_csv(spec, rows)
    )


def write_table(
    spec: TableSpec, rows: Iterable[Sequence[Any]], *, fmt: str, stem: str
) -> ExportFile:
    """`rows` (values in the spec's column order) as `stem`.xlsx or `stem`.csv, in memory."""
    export = stream_table(spec, rows, fmt=fmt, stem=stem)
    return ExportFile(
        content=export.content, filename=export.filename, content_type=export.content_type
    )


# --------------------------------------------------------------------------- CSV


def iter_csv(spec: TableSpec, rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The BOM and header, then the rows, a few hundred to a chunk."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(spec.headers)
    yield codecs.BOM_UTF8 + _drain(buffer)
    # plain text as is (the common case, without a call a cell), anything else as _csv_text
    texts = (
        [v if v.__class__ is str and not v.startswith(FORMULA_START) else _csv_text(v) for v in row]
        for row in rows
    )
    while True:
        writer.writerows(islice(texts, CSV_ROWS_PER_CHUNK))
        if not (chunk := _drain(buffer)):
            return
        yield chunk


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def write_csv(spec: TableSpec, rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(iter_csv(spec, rows))


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        # Excel would run a cell starting with = + - @ as a formula; the reader strips the quote.
        return neutralise(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- XLSX

# Cell styles (cellXfs): the header in bold, text kept as text ("@", so Excel leaves an edited
# cell as text too), amounts with two decimals, dates as yyyy-mm-dd.
_HEADER, _TEXT, _MONEY, _DATE = 1, 2, 3, 4
_EPOCH = date(1899, 12, 30)
# Characters XML 1.0 cannot carry (openpyxl refused them); dropped from text cells.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_SHEET1_TYPE = '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
# Characters a sheet's name may not hold.
_SHEET_TITLE_BAD = re.compile(r"[\\/?*\[\]:]")
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.00"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _workbook_xml(sheet_title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name={quoteattr(sheet_title)} sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(ref: str, value: str, style: int) -> str:
    value = escape(_ILLEGAL_XML.sub("", value))
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{value}</t></is></c>'


def _cell(ref: str, value: Any) -> str:
    """One cell: text stays text (a name starting with "=" never becomes a formula, a 10-digit
    code is not turned into a number); ints, Decimals and dates are numbers and dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _text(ref, "是" if value else "否", _TEXT)
    if isinstance(value, str):
        return _text(ref, value, _TEXT)
    if isinstance(value, Decimal):
        return f'<c r="{ref}" s="{_MONEY}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
        delta = value - datetime(1899, 12, 30)
        return f'<c r="{ref}" s="{_DATE}"><v>{delta.total_seconds() / 86400!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return _text(ref, str(value), _TEXT)


# A row whose cells are all plain text (no character to escape or drop, no space anywhere: most
# rows) is written with one f-string a cell; any other row cell by cell through _cell. The
# result is the same XML either way.
_NOT_PLAIN = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\s]")
XLSX_ROWS_PER_WRITE = 100  # as fast as 1000 a write, a tenth of the memory; 1 is slower


def _plain_text_row(row: Sequence[Any]) -> bool:
    try:
        return _NOT_PLAIN.search("".join(row)) is None
    except TypeError:  # a number or a date among the cells
        return False


def _write_rows(raw: IO[bytes], letters: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """The data rows from row 2 on, encoded a hundred rows at a time. Building each cell with a
    call (and escaping text that needs none) took most of the time of 200,000 schools."""
    text_style = f'" s="{_TEXT}" t="inlineStr"><is><t>'
    batch: list[str] = []
    number = 1
    for row in rows:
        number += 1
        n = str(number)
        if _plain_text_row(row):
            cells = "".join(
                [
                    f'<c r="{letter}{n}{text_style}{value}</t></is></c>'
                    if value.__class__ is str
                    else _cell(letter + n, value)  # a subclass of str: as _cell writes it
                    for letter, value in zip(letters, row, strict=False)
                    if value
                ]
            )
        else:
            cells = "".join(
                [_cell(letter + n, value) for letter, value in zip(letters, row, strict=False)]
            )
        batch.append(f'<row r="{n}">{cells}</row>')
        if len(batch) == XLSX_ROWS_PER_WRITE:
            raw.write("".join(batch).encode())
            batch.clear()
    if batch:
        raw.write("".join(batch).encode())


def write_xlsx_to(spec: TableSpec, rows: Iterable[Sequence[Any]], file: IO[bytes]) -> None:
    """The sheet (header frozen and bold, column widths from the spec) into `file`, row by row."""
    with zipfile.ZipFile(
        file, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL
    ) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook_xml(spec.sheet_title))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        _write_sheet(archive, "xl/worksheets/sheet1.xml", spec, rows)


def write_xlsx_sheets_to(
    sheets: Sequence[tuple[TableSpec, Iterable[Sequence[Any]]]], file: IO[bytes]
) -> None:
    """Several sheets into one workbook, each `(spec, rows)` written as write_xlsx_to writes its
    one (issue 10's dashboard: one sheet per figure). Sheet titles are cut to Excel's 31
    characters and made unique."""
    titles: list[str] = []
    for spec, _rows in sheets:
        title = _SHEET_TITLE_BAD.sub(" ", str(spec.sheet_title))[:31] or "Sheet"
        while title in titles:
            title = f"{title[:28]}~{len(titles) + 1}"
        titles.append(title)
    n = len(sheets)
    with zipfile.ZipFile(
        file, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL
    ) as archive:
        archive.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.replace(
                _SHEET1_TYPE,
                "".join(_SHEET1_TYPE.replace("sheet1", f"sheet{i}") for i in range(1, n + 1)),
            ),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(
                f'<sheet name={quoteattr(title)} sheetId="{i}" r:id="rId{i + 1}"/>'
                for i, title in enumerate(titles, start=1)
            )
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            + "".join(
                f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + "</Relationships>",
        )
        archive.writestr("xl/styles.xml", _STYLES)
        for i, (spec, rows) in enumerate(sheets, start=1):
            _write_sheet(archive, f"xl/worksheets/sheet{i}.xml", spec, rows)


def _write_sheet(
    archive: zipfile.ZipFile, name: str, spec: TableSpec, rows: Iterable[Sequence[Any]]
) -> None:
    letters = [_column_letter(i) for i in range(1, len(spec.columns) + 1)]
    with archive.open(name, "w", force_zip64=True) as raw:
        head = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews><cols>"
        ]
        for index, column in enumerate(spec.columns, start=1):
            head.append(
                f'<col min="{index}" max="{index}" width="{column.width}" customWidth="1"/>'
            )
        head.append('</cols><sheetData><row r="1">')
        for letter, header in zip(letters, spec.headers, strict=True):
            head.append(_text(f"{letter}1", str(header), _HEADER))
        head.append("</row>")
        raw.write("".join(head).encode())
        _write_rows(raw, letters, rows)
        raw.write(b"</sheetData></worksheet>")


def write_xlsx(spec: TableSpec, rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx_to(spec, rows, buffer)
    return buffer.getvalue()
