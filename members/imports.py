"""Schools in and out of the spreadsheets the bureaus already keep (issue 2: Registry, Bad input).

Import is two steps. `school_import_preview` reads the upload, validates every row and, when the
file is clean, keeps the original bytes under MEDIA_ROOT/imports/<uuid> and hands back a signed
token. `school_import_commit` re-reads that file, validates again under row locks and writes all
rows or none. Export writes the same columns, so an exported file re-imports as "no changes".

Why the file and not the session: sessions are rewritten on every request here
(SESSION_SAVE_EVERY_REQUEST), and a 5,000-row plan would be megabytes of JSON rewritten on each
page view; keeping the bytes means the commit validates exactly what the user uploaded with the
same code path as the preview. The token binds user, file and a digest of the previewed plan,
expires after an hour, and the file is deleted after the commit (stale ones are swept).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.models import Authority, District, School, User, validate_school_code
from members.permissions import can_edit_school, can_import_schools
from members.selectors import authorities_user_may_assign, school_list_for_user
from members.services import check_core_school_keeps_authority, led_group_names
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.uploads import ZipRefused, zip_entries

# --------------------------------------------------------------------------- the columns


@dataclass(frozen=True)
class Column:
    """One column of the bureaus' spreadsheet. Headers are part of the file format, so they stay
    Chinese whatever the interface language is (a file exported in English re-imports anywhere)."""

    header: str
    field: str
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("学校名称", "name", True, ("校名",)),
    Column("学校标识码", "code", True, ("标识码", "学校代码")),
    Column("主管教育行政部门", "authority", True, ("主管部门",)),
    Column("所在区（市）", "district", True, ("所在区市", "区（市）", "区市", "所在区")),
    Column("学段", "stage", True),
    Column("办学性质", "nature", True),
    Column("薄弱学校", "is_weak", False, ("薄弱学校（是/否）", "是否薄弱学校")),
    Column("薄弱学校认定年份", "weak_rated_year", False, ("认定年份",)),
    Column("独立法人", "is_legal_entity", False, ("独立法人（是/否）", "是否独立法人")),
    Column("校长", "principal_name", False, ("校长姓名",)),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
FILE_LANGUAGE = "zh-hans"  # choice labels are written in Chinese, like the headers

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
EXPORT_FORMATS = ("xlsx", "csv")

MAX_COLUMNS = 40  # columns read per row: a sheet formatted out to column XFD is not 16k wide
HEADER_SCAN_ROWS = 10  # the header may sit under a title row or two
EXCEL_MAX_ROWS = 1_048_576  # a row number beyond Excel's own limit means a forged sheet
TOKEN_SALT = "members.imports.school"
TOKEN_MAX_AGE = 60 * 60
IMPORT_DIR = "imports"
_STORED_NAME_RE = re.compile(r"^imports/[0-9a-f]{32}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_YEAR_RE = re.compile(r"^\d{4}$")
_BOOL_WORDS = {
    "是": True, "否": False, "y": True, "n": False, "yes": True, "no": False,
    "true": True, "false": False, "1": True, "0": False,
}


def _key(text: str) -> str:
    """Compare headers and labels loosely: full/half width, spaces and case do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


# --------------------------------------------------------------------------- results


class ImportRefused(RuleRefusal):
    """The file as a whole cannot be imported (unreadable, too large, wrong columns, expired)."""


class ImportRejected(RuleRefusal):
    """Commit refused; `preview` (if any) is the fresh validation to show the user."""

    def __init__(self, message, *, preview: ImportPreview | None = None):
        super().__init__(message)
        self.preview = preview


@dataclass(frozen=True)
class RowError:
    row: int  # as numbered in the spreadsheet: the header row of a plain sheet is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("第%(row)d行“%(column)s”列：%(message)s") % {
                "row": self.row, "column": self.column, "message": self.message,
            }
        return _("第%(row)d行：%(message)s") % {"row": self.row, "message": self.message}


@dataclass(frozen=True)
class FieldChange:
    column: str
    old: str
    new: str


@dataclass
class RowPlan:
    row: int
    code: str
    name: str
    cells: dict[str, str]  # header -> the value as it would be exported
    school_id: int | None = None
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportPreview:
    total_rows: int = 0
    creates: list[RowPlan] = field(default_factory=list)
    updates: list[RowPlan] = field(default_factory=list)
    unchanged: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    digest: str = ""
    token: str = ""  # set only when the file is clean and changes something

    @property
    def has_changes(self) -> bool:
        return bool(self.creates or self.updates)

    @property
    def can_commit(self) -> bool:
        return not self.errors and self.has_changes and bool(self.token)

    @property
    def headers(self) -> tuple[str, ...]:
        return HEADERS


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


# --------------------------------------------------------------------------- reading files


def _read_upload(uploaded_file) -> bytes:
    limit = settings.SCHOOL_IMPORT_MAX_BYTES
    too_big = ImportRefused(
        _("文件过大：最多 %(mb).1f MB。请拆分后分批导入。") % {"mb": limit / 1024 / 1024}
    )
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise too_big
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise too_big
    if not data.strip():
        raise ImportRefused(_("文件是空的。"))
    return data


def _sheet_rows(data: bytes) -> Iterator[tuple[int, list]]:
    """(row number, cell values) of the first sheet, judged by content, never by file name."""
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data)
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(
            _("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再上传。")
        )
    return _csv_rows(_decode_text(data))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    not_xlsx = ImportRefused(_("无法读取该文件：它不是有效的 Excel（.xlsx）工作簿。"))
    try:
        # The project's one zip-bomb guard, with the limits every upload has.
        entries = zip_entries(io.BytesIO(data))
    except ZipRefused as exc:
        if isinstance(exc.__cause__, zipfile.BadZipFile | zipfile.LargeZipFile | OSError
                      | ValueError | EOFError):
            raise not_xlsx from exc
        raise ImportRefused(
            _("该文件解压后过大，可能是恶意构造的压缩文件，已拒绝。请上传正常的 Excel 文件。")
        ) from exc
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    return _xlsx_iter(data, not_xlsx)


def _xlsx_iter(data: bytes, not_xlsx: ImportRefused) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed workbook
        raise not_xlsx from exc
    try:
        if not workbook.worksheets:
            raise not_xlsx
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the stored <dimension> is often wrong; read what is there
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        for number, values in enumerate(rows, start=1):
            if number > EXCEL_MAX_ROWS:
                raise not_xlsx
            yield number, list(values)
    except ImportRefused:
        raise
    except Exception as exc:
        raise not_xlsx from exc
    finally:
        workbook.close()


def _decode_text(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (Excel's CSV on a
    Chinese Windows). Anything that is not text is refused."""
    not_text = ImportRefused(
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
        raise ImportRefused(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        text = text[1:]  # undo the formula guard our CSV export adds
    return text


@dataclass
class _Table:
    columns: dict[str, int]  # field -> position in the row
    rows: list[tuple[int, dict[str, str]]]  # (row number, field -> cell text)


def _read_table(data: bytes) -> _Table:
    max_rows = settings.SCHOOL_IMPORT_MAX_ROWS
    too_many = ImportRefused(
        _("文件行数过多：每次最多导入 %(max)d 行，请拆分后分批导入。") % {"max": max_rows}
    )
    by_key: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            by_key[_key(name)] = column

    columns: dict[str, int] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in _sheet_rows(data):
        texts = [_cell_text(v) for v in values]
        if not any(texts):
            continue
        if columns is None:
            found = {i: by_key.get(_key(t)) for i, t in enumerate(texts) if t}
            found = {i: c for i, c in found.items() if c}
            if len(found) < 3:  # a title row above the header, not the header itself
                if number >= HEADER_SCAN_ROWS:
                    break
                continue
            columns = _header_columns(found, number)
            continue
        if len(rows) >= max_rows:
            raise too_many
        rows.append((number, {
            f: (texts[i] if i < len(texts) else "") for f, i in columns.items()
        }))
    if columns is None:
        raise ImportRefused(
            _("没有找到表头行。第一行应为列名：%(headers)s。可下载模板对照填写。")
            % {"headers": "、".join(HEADERS)}
        )
    if not rows:
        raise ImportRefused(_("文件中没有学校数据。"))
    return _Table(columns=columns, rows=rows)


def _header_columns(found: dict[int, Column], row_number: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, column in sorted(found.items()):
        if column.field in columns:
            raise ImportRefused(
                _("第%(row)d行表头中“%(column)s”列出现了两次。")
                % {"row": row_number, "column": column.header}
            )
        columns[column.field] = index
    missing = [c.header for c in COLUMNS if c.required and c.field not in columns]
    if missing:
        raise ImportRefused(
            _("表头缺少必填列：%(columns)s。可下载模板对照填写。")
            % {"columns": "、".join(missing)}
        )
    return columns


# --------------------------------------------------------------------------- values


def _choice_lookup(choices: type, extra: Callable[[str], Iterable[str]] | None = None):
    """Label (Chinese or any interface language) or stored value -> stored value."""
    lookup: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(_key(str(label)), value)
                for alias in (extra(str(label)) if extra else ()):
                    lookup.setdefault(_key(alias), value)
    for value in choices.values:
        lookup.setdefault(_key(value), value)
    return lookup


def _label_parts(label: str) -> list[str]:
    """黄岛区（西海岸新区） is also written 黄岛区 or 西海岸新区."""
    return [p for p in re.split(r"[（）()]", label) if p.strip()]


def _file_labels() -> dict[str, dict[str, str]]:
    with translation.override(FILE_LANGUAGE):
        return {
            "district": {v: str(label) for v, label in District.choices},
            "stage": {v: str(label) for v, label in School.Stage.choices},
            "nature": {v: str(label) for v, label in School.Nature.choices},
        }


def _cells(school: School, labels: dict[str, dict[str, str]]) -> dict[str, str]:
    """A school as the text of its spreadsheet row (what export writes, what preview compares)."""
    return {
        "学校名称": school.name,
        "学校标识码": school.code,
        "主管教育行政部门": school.authority.name if school.authority_id else "",
        "所在区（市）": labels["district"].get(school.district, school.district),
        "学段": labels["stage"].get(school.stage, school.stage),
        "办学性质": labels["nature"].get(school.nature, school.nature),
        "薄弱学校": "是" if school.is_weak else "否",
        "薄弱学校认定年份": str(school.weak_rated_year) if school.weak_rated_year else "",
        "独立法人": "是" if school.is_legal_entity else "否",
        "校长": school.principal_name,
    }


# --------------------------------------------------------------------------- planning


@dataclass
class _Context:
    user: User
    existing: dict[str, School]
    visible_codes: set[str]
    authorities: dict[str, Authority]
    assignable_ids: set[int]
    lookups: dict[str, dict[str, str]]
    labels: dict[str, dict[str, str]]
    seen: dict[str, int] = field(default_factory=dict)
    led: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class _Plan:
    preview: ImportPreview
    new_schools: list[School] = field(default_factory=list)
    changed_schools: list[School] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)


def _normalize_code(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _plan(*, user: User, data: bytes, lock: bool) -> _Plan:
    table = _read_table(data)
    codes = {_normalize_code(row.get("code", "")) for _n, row in table.rows} - {""}
    existing_qs = School.objects.select_related("authority").filter(code__in=codes)
    if lock:
        existing_qs = existing_qs.select_for_update(of=("self",))
    existing = {s.code: s for s in existing_qs}
    ctx = _Context(
        user=user,
        existing=existing,
        visible_codes=set(
            school_list_for_user(user=user).filter(code__in=codes).values_list("code", flat=True)
        ),
        authorities={a.name: a for a in Authority.objects.all()},
        assignable_ids=set(authorities_user_may_assign(user=user).values_list("pk", flat=True)),
        # Core schools of groups in being: their authority approves the group (policy L-1).
        led=led_group_names(s.pk for s in existing.values()),
        lookups={
            "district": _choice_lookup(District, _label_parts),
            "stage": _choice_lookup(School.Stage),
            "nature": _choice_lookup(School.Nature),
        },
        labels=_file_labels(),
    )
    plan = _Plan(preview=ImportPreview(total_rows=len(table.rows)))
    for number, row in table.rows:
        _plan_row(plan, ctx, number, row)
    plan.preview.digest = _digest(plan.preview)
    return plan


def _parse_value(field_name: str, text: str, ctx: _Context):
    """The model value of one cell; raises ValidationError with a message for the user."""
    if field_name == "code":
        code = _normalize_code(text)
        validate_school_code(code)
        return code
    if field_name == "authority":
        authority = ctx.authorities.get(text.strip())
        if authority is None:
            raise ValidationError(
                _("系统中没有名为“%(name)s”的教育行政部门，请填写部门全称。") % {"name": text}
            )
        if not authority.is_education:
            raise ValidationError(
                _("“%(name)s”不是教育行政部门，学校只能由市或区（市）教育行政部门主管。")
                % {"name": text}
            )
        return authority
    if field_name in ("district", "stage", "nature"):
        value = ctx.lookups[field_name].get(_key(text))
        if value is None:
            raise ValidationError(
                _("“%(value)s”不是有效的选项，可填：%(choices)s。")
                % {"value": text, "choices": "、".join(ctx.labels[field_name].values())}
            )
        return value
    if field_name in ("is_weak", "is_legal_entity"):
        value = _BOOL_WORDS.get(_key(text))
        if value is None:
            raise ValidationError(_("应填写“是”或“否”，您填写的是“%(value)s”。") % {"value": text})
        return value
    if field_name == "weak_rated_year":
        if not _YEAR_RE.match(_normalize_code(text)):
            raise ValidationError(
                _("应为四位年份（例如 2019），您填写的是“%(value)s”。") % {"value": text}
            )
        return int(_normalize_code(text))
    return text.strip()


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _plan_row(plan: _Plan, ctx: _Context, number: int, row: dict[str, str]) -> None:
    errors: list[RowError] = []

    def error(field_name: str | None, message: str) -> None:
        column = COLUMN_BY_FIELD[field_name].header if field_name in COLUMN_BY_FIELD else None
        errors.append(RowError(number, column, message))

    values: dict = {}
    for column in COLUMNS:
        text = row.get(column.field, "")
        if not text:
            if column.required:
                error(column.field, _("必填，不能为空。"))
            continue  # optional and empty: the default for a new school, unchanged otherwise
        try:
            values[column.field] = _parse_value(column.field, text, ctx)
        except ValidationError as exc:
            for message in _messages(exc):
                error(column.field, message)

    code = values.get("code", "")
    if code:
        if code in ctx.seen:
            error("code", _("与第%(row)d行的学校标识码重复。") % {"row": ctx.seen[code]})
            code = ""  # the first row wins; this one is only an error
        else:
            ctx.seen[code] = number

    existing = ctx.existing.get(code) if code else None
    if existing is not None:
        school = existing
        old_cells = _cells(school, ctx.labels)
        old_authority_id = school.authority_id
    else:
        school = School()
        old_cells = None
        old_authority_id = None
    for name, value in values.items():
        setattr(school, name, value)

    failed = {f for f in COLUMN_BY_FIELD if COLUMN_BY_FIELD[f].header in {e.column for e in errors}}
    try:
        # The authority was looked up above; full_clean would query it again for every row.
        school.full_clean(exclude=[*failed, "authority"], validate_unique=False,
                          validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                error(None if name == NON_FIELD_ERRORS else name, message)

    cells = _cells(school, ctx.labels) if not failed or existing is not None else {}
    plan_row = RowPlan(row=number, code=code or row.get("code", ""), name=row.get("name", ""),
                       cells=cells, school_id=existing.pk if existing is not None else None)

    if existing is None:
        authority = values.get("authority")
        if authority is not None and authority.pk not in ctx.assignable_ids:
            error("authority", _("您无权在“%(authority)s”名下登记学校。")
                  % {"authority": authority.name})
    else:
        plan_row.changes = [
            FieldChange(header, old_cells[header], cells[header])
            for header in HEADERS if old_cells[header] != cells.get(header, old_cells[header])
        ]
        if plan_row.changes or errors:
            _check_may_update(ctx, existing, old_authority_id, values, error)

    if errors:
        plan.preview.errors.extend(errors)
    elif existing is None:
        plan.preview.creates.append(plan_row)
        plan.new_schools.append(school)
    elif plan_row.changes:
        plan.preview.updates.append(plan_row)
        plan.changed_schools.append(school)
        plan.changed_fields.update(
            c.field for c in COLUMNS if c.header in {ch.column for ch in plan_row.changes}
        )
    else:
        plan.preview.unchanged.append(plan_row)


def _check_may_update(ctx: _Context, school: School, old_authority_id, values, error) -> None:
    """An existing code updates that school only if the user may edit it (a district only the
    schools under its own authority); a row that changes nothing needs no permission."""
    as_it_was = School(pk=school.pk, authority_id=old_authority_id)
    decision = can_edit_school(ctx.user, as_it_was)
    if not decision:
        if school.code in ctx.visible_codes:
            message = _("该学校标识码已登记为“%(name)s”，本行会修改这所学校，但%(reason)s") % {
                "name": ctx.existing[school.code].name, "reason": decision.reason,
            }
        else:
            message = _("该学校标识码已由其他部门登记，您无权修改这所学校。")
        error("code", message)
        return
    authority = values.get("authority")
    if authority is not None and authority.pk != old_authority_id and (
        authority.pk not in ctx.assignable_ids
    ):
        error("authority",
              _("您无权把学校划归“%(authority)s”主管。") % {"authority": authority.name})
    else:
        decision = check_core_school_keeps_authority(
            school_id=school.pk, old_authority_id=old_authority_id,
            new_authority_id=authority.pk if authority is not None else None, led=ctx.led)
        if not decision:
            error("authority", decision.reason)


def _digest(preview: ImportPreview) -> str:
    """What the user saw and confirms: any change in the database since makes it differ."""
    payload = {
        "creates": [[p.row, p.code, p.cells] for p in preview.creates],
        "updates": [
            [p.row, p.code, p.school_id, [[c.column, c.old, c.new] for c in p.changes]]
            for p in preview.updates
        ],
        "errors": [[e.row, e.column] for e in preview.errors],
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


# --------------------------------------------------------------------------- keeping the file


def _store(data: bytes) -> str:
    name = default_storage.save(f"{IMPORT_DIR}/{uuid.uuid4().hex}", ContentFile(data))
    if not _STORED_NAME_RE.match(name):  # storage renamed it; never keep an unexpected name
        default_storage.delete(name)
        raise ImportRefused(_("暂存文件失败，请重试。"))
    return name


def _discard(name: str) -> None:
    if _STORED_NAME_RE.match(name):
        default_storage.delete(name)


def _sweep_stale_files() -> None:
    """Previews nobody confirmed: their tokens have expired, so their files can go."""
    try:
        _dirs, files = default_storage.listdir(IMPORT_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    cutoff = timezone.now() - timedelta(seconds=TOKEN_MAX_AGE + 60)
    for filename in files:
        name = f"{IMPORT_DIR}/{filename}"
        try:
            if _STORED_NAME_RE.match(name) and default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


def _issue_token(user: User, name: str, digest: str) -> str:
    return signing.dumps({"u": user.pk, "f": name, "d": digest}, salt=TOKEN_SALT)


def _open_token(user: User, token: str) -> dict:
    expired = ImportRefused(_("导入预览已过期或已经提交，请重新上传文件。"))
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise expired from exc
    if (
        not isinstance(payload, dict)
        or payload.get("u") != user.pk
        or not _STORED_NAME_RE.match(str(payload.get("f", "")))
    ):
        raise expired
    try:
        with default_storage.open(payload["f"], "rb") as stored:
            payload["data"] = stored.read()
    except (FileNotFoundError, OSError) as exc:
        raise expired from exc
    return payload


# --------------------------------------------------------------------------- services


def school_import_preview(*, user: User, uploaded_file) -> ImportPreview:
    """Read and validate a bureau's spreadsheet without writing anything (issue 2, Registry).

    Raises ImportRefused when the file as a whole cannot be used; row problems are in `errors`."""
    require(can_import_schools(user))
    data = _read_upload(uploaded_file)
    preview = _plan(user=user, data=data, lock=False).preview
    if not preview.errors and preview.has_changes:
        _sweep_stale_files()
        preview.token = _issue_token(user, _store(data), preview.digest)
    return preview


def school_import_commit(*, user: User, preview_token: str) -> ImportResult:
    """Write a previewed import: every row or none (issue 2, Bad input).

    The stored file is validated again under row locks; if a row now fails, nothing is written
    (ImportRejected with the new errors); if the database changed since the preview, nothing is
    written and the new preview comes back with a fresh token to confirm."""
    require(can_import_schools(user))
    payload = _open_token(user, preview_token)
    name = payload["f"]
    try:
        with transaction.atomic():
            plan = _plan(user=user, data=payload["data"], lock=True)
            preview = plan.preview
            if preview.errors:
                message = _("文件中有 %(count)d 处错误，未导入任何数据。")
                raise ImportRejected(message % {"count": len(preview.errors)}, preview=preview)
            if preview.digest != payload["d"]:
                if preview.has_changes:
                    preview.token = _issue_token(user, name, preview.digest)
                raise ImportRejected(
                    _("预览之后学校数据已有变化，未导入任何数据。请核对下面的最新预览后再确认。"),
                    preview=preview,
                )
            if plan.new_schools:
                bulk_create_with_history(plan.new_schools, School, batch_size=500,
                                         default_user=user)
            if plan.changed_schools:
                bulk_update_with_history(plan.changed_schools, School,
                                         fields=sorted(plan.changed_fields), batch_size=500,
                                         default_user=user)
    except ImportRejected as exc:
        if exc.preview is None or not exc.preview.token:
            _discard(name)
        raise
    except IntegrityError as exc:
        _discard(name)
        raise ImportRejected(
            _("保存时发现冲突（例如学校标识码刚被他人登记），未导入任何数据。请重新上传文件。")
        ) from exc
    transaction.on_commit(lambda: _discard(name))
    return ImportResult(
        created=len(preview.creates), updated=len(preview.updates),
        unchanged=len(preview.unchanged),
    )


def school_export(
    *, user: User, fmt: str, template: bool = False,
    narrow: Callable[[QuerySet[School]], QuerySet[School]] | None = None,
) -> ExportFile:
    """The schools `user` may see, in the import's columns (an empty sheet when `template`).

    `narrow` may only filter further (the list page's filters); scoping stays here."""
    if fmt not in EXPORT_FORMATS:
        raise RuleRefusal(_("不支持的导出格式：%(fmt)s。") % {"fmt": fmt})
    if template:
        schools: Iterable[School] = ()
    else:
        qs = school_list_for_user(user=user)
        if narrow is not None:
            qs = narrow(qs)
        schools = qs.order_by("name", "code").iterator(chunk_size=1000)
    labels = _file_labels()
    rows = ([_cells(s, labels)[h] for h in HEADERS] for s in schools)
    content = _xlsx_bytes(rows) if fmt == "xlsx" else _csv_bytes(rows)
    stem = "schools-template" if template else f"schools-{timezone.localdate():%Y%m%d}"
    return ExportFile(
        content=content, filename=f"{stem}.{fmt}",
        content_type=XLSX_CONTENT_TYPE if fmt == "xlsx" else CSV_CONTENT_TYPE,
    )


def _xlsx_bytes(rows: Iterable[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("学校")
    for index, width in enumerate((28, 14, 24, 18, 14, 10, 10, 16, 10, 12), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    def text_cell(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # a name starting with "=" stays text, never a formula
        cell.number_format = "@"  # Excel keeps the 10-digit code as text
        return cell

    sheet.append([header_cell(h) for h in HEADERS])
    for row in rows:
        sheet.append([text_cell(v) if v else None for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_bytes(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        # Excel would run a cell starting with = + - @ as a formula; the import strips the quote.
        writer.writerow(["'" + v if v.startswith(_FORMULA_START) else v for v in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
