"""Spreadsheets in and out: the shared part of every bulk import and export (issue 6, item 4).

The bureaus keep their lists in Excel; schools came first, funding rates, dispatches and
assessment scores follow. Each import states its columns once as a `TableSpec` (spec.py); this
package reads an upload into rows of cell text under those columns (reading.py: XLSX or CSV in
UTF-8, UTF-8 with BOM or GB18030, size, row and zip-bomb limits, headers matched by their Chinese
or English names and aliases), parses each row into typed values with Chinese errors by row and
column (spec.py, errors.py), and writes the same columns back out (writing.py: XLSX with a frozen
Chinese header row, or CSV, formula-looking text neutralised). staging.py keeps an upload between
a preview and its signed confirmation. No feature's models here: the rules of each import stay in
its own app."""

from qingdao_groups.core.tabular.errors import RowError, RowErrors
from qingdao_groups.core.tabular.reading import Table, TableRefused, TableRow, read_table
from qingdao_groups.core.tabular.spec import (
    Boolean,
    Choice,
    Code,
    Column,
    ColumnType,
    Date,
    Integer,
    Lookup,
    Money,
    ParsedRow,
    TableSpec,
    Text,
    Year,
    normalize_key,
)
from qingdao_groups.core.tabular.writing import (
    CSV_CONTENT_TYPE,
    EXPORT_FORMATS,
    XLSX_CONTENT_TYPE,
    ExportFile,
    ExportStream,
    neutralise,
    stream_table,
    write_csv,
    write_table,
    write_xlsx,
)

__all__ = [
    "CSV_CONTENT_TYPE",
    "EXPORT_FORMATS",
    "XLSX_CONTENT_TYPE",
    "Boolean",
    "Choice",
    "Code",
    "Column",
    "ColumnType",
    "Date",
    "ExportFile",
    "ExportStream",
    "Integer",
    "Lookup",
    "Money",
    "ParsedRow",
    "RowError",
    "RowErrors",
    "Table",
    "TableRefused",
    "TableRow",
    "TableSpec",
    "Text",
    "Year",
    "neutralise",
    "normalize_key",
    "read_table",
    "stream_table",
    "write_csv",
    "write_table",
    "write_xlsx",
]
