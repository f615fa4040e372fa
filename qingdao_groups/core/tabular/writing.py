"""Writing a spec's columns out: XLSX with the Chinese header row in bold and frozen, or CSV in
UTF-8 with a BOM (so Excel on a Chinese Windows opens it right). A text cell that looks like a
formula (= + - @, tab, carriage return) never runs as one: in XLSX it is stored as a text cell,
in CSV it gets a leading apostrophe, which the reader takes off again on import."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.tabular.reading import FORMULA_START
from qingdao_groups.core.tabular.spec import TableSpec

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
EXPORT_FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def neutralise(value: str) -> str:
    """Text that a spreadsheet would run as a formula, with an apostrophe in front."""
    return "'" + value if value.startswith(FORMULA_START) else value


def write_table(
    spec: TableSpec, rows: Iterable[Sequence[Any]], *, fmt: str, stem: str
) -> ExportFile:
    """`rows` (values in the spec's column order) as `stem`.xlsx or `stem`.csv."""
    if fmt not in EXPORT_FORMATS:
        raise RuleRefusal(_("不支持的导出格式：%(fmt)s。") % {"fmt": fmt})
    if fmt == "xlsx":
        content = write_xlsx(spec, rows)
        content_type = XLSX_CONTENT_TYPE
    else:
        content = write_csv(spec, rows)
        content_type = CSV_CONTENT_TYPE
    return ExportFile(content=content, filename=f"{stem}.{fmt}", content_type=content_type)


def write_xlsx(spec: TableSpec, rows: Iterable[Sequence[Any]]) -> bytes:
    """Text stays text (a name starting with "=" never becomes a formula, a 10-digit code is
    not turned into a number); ints, Decimals and dates are written as numbers and dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.sheet_title)
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    def value_cell(value: Any) -> WriteOnlyCell | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            value = "是" if value else "否"
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # stored as text, never as a formula
            cell.number_format = "@"  # and Excel keeps it as text when edited
            return cell
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal):
            cell.number_format = "0.00"
        elif isinstance(value, datetime | date):
            cell.number_format = "yyyy-mm-dd"
        return cell

    sheet.append([header_cell(h) for h in spec.headers])
    for row in rows:
        sheet.append([value_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(spec: TableSpec, rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(spec.headers)
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


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
