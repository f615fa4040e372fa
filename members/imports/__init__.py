"""Schools in and out of the spreadsheets the bureaus already keep (issue 2: Registry, Bad input).

Import is two steps. `school_import_preview` reads the upload, validates every row and, when the
file is clean, keeps the original bytes and hands back a signed token. `school_import_commit`
re-reads that file, validates again under row locks and writes all rows or none. Export writes the
same columns, so an exported file re-imports as "no changes".

The reading, the column types, the row errors, the kept file and the writing are shared with the
other imports (qingdao_groups.core.tabular); what is the school's own lives here: its columns
(spec.py), its rules (validate.py, including policy L-1 through members.services), the preview and
confirmation (service.py) and the export (export.py)."""

from members.imports.export import school_export
from members.imports.service import (
    ImportRefused,
    ImportRejected,
    ImportResult,
    school_import_commit,
    school_import_preview,
)
from members.imports.spec import COLUMN_BY_FIELD, COLUMNS, HEADERS, SCHOOL_SPEC
from members.imports.validate import FieldChange, ImportPreview, RowPlan
from qingdao_groups.core.tabular import EXPORT_FORMATS, ExportFile, ExportStream, RowError

__all__ = [
    "COLUMNS",
    "COLUMN_BY_FIELD",
    "EXPORT_FORMATS",
    "HEADERS",
    "SCHOOL_SPEC",
    "ExportFile",
    "ExportStream",
    "FieldChange",
    "ImportPreview",
    "ImportRefused",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "RowPlan",
    "school_export",
    "school_import_commit",
    "school_import_preview",
]
