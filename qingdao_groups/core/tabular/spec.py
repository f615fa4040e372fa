"""The columns of an import, stated once: header labels, aliases, and a type per column that
parses a cell's text into a value (with a Chinese message when it cannot) and formats a value
back into the text an export writes. The same spec reads the upload, checks each row and writes
the export, so an exported file re-imports as "no changes"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext as _

from qingdao_groups.core.forms import INT_MAX, INT_MIN, clean_line, validate_sane_date
from qingdao_groups.core.tabular.errors import RowError, RowErrors

# Headers and choice labels are part of the file format: they are written in Chinese whatever the
# interface language is, so a file exported in English re-imports anywhere.
FILE_LANGUAGE = "zh-hans"


def normalize_key(text: str) -> str:
    """Compare headers and labels loosely: full/half width, spaces and case do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def compact(text: str) -> str:
    """A code or number as typed: full-width digits made half-width, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --------------------------------------------------------------------------- column types


class ColumnType:
    """How one column's cell text becomes a value, and back. `parse` gets the stripped, non-empty
    text of a cell and raises ValidationError with a message for the user."""

    def parse(self, text: str) -> Any:
        return text

    def format(self, value: Any) -> str:
        """The text an export writes and a preview compares."""
        return "" if value is None else str(value)

    def cell(self, value: Any) -> Any:
        """The value an XLSX export writes (a number stays a number); text by default."""
        return self.format(value)

    def value_path(self, field_name: str) -> str:
        """What a query reads for this column (`values_list`), so an export can format rows of
        plain values (`format_value`) instead of building a record per row."""
        return field_name

    def format_value(self, value: Any) -> str:
        """The text of a value read at `value_path`: the same as `format` of the record's."""
        return self.format(value)


@dataclass(frozen=True)
class Text(ColumnType):
    """A single line of text: control characters dropped, direction overrides refused, at most
    `max_length` characters (the message is Django's own, as the model would say it)."""

    max_length: int | None = None

    def parse(self, text: str) -> str:
        value = clean_line(text).strip()
        if self.max_length is not None:
            MaxLengthValidator(self.max_length)(value)
        return value


@dataclass(frozen=True)
class Code(ColumnType):
    """An identifier typed as digits and letters (a school code, a document number): full-width
    characters and spaces are forgiven, then `validators` judge it (or `pattern`)."""

    validators: tuple[Callable[[str], None], ...] = ()
    pattern: str | None = None
    max_length: int | None = None

    def parse(self, text: str) -> str:
        value = compact(text)
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise ValidationError(_("格式不正确：“%(value)s”。") % {"value": text})
        if self.max_length is not None:
            MaxLengthValidator(self.max_length)(value)
        for validator in self.validators:
            validator(value)
        return value


@dataclass(frozen=True, eq=False)
class Choice(ColumnType):
    """One of a Django `choices` class, typed as its label in any interface language or as its
    stored value; `aliases(label)` may offer more spellings of a label (黄岛区 for
    黄岛区（西海岸新区）). Exports write the Chinese label."""

    choices: Any  # a models.TextChoices / IntegerChoices class
    aliases: Callable[[str], Iterable[str]] | None = None

    @cached_property
    def _lookup(self) -> dict[str, Any]:
        lookup: dict[str, Any] = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for value, label in self.choices.choices:
                    lookup.setdefault(normalize_key(str(label)), value)
                    for alias in self.aliases(str(label)) if self.aliases else ():
                        lookup.setdefault(normalize_key(alias), value)
        for value in self.choices.values:
            lookup.setdefault(normalize_key(str(value)), value)
        return lookup

    @cached_property
    def file_labels(self) -> dict[Any, str]:
        """Stored value -> the label a file carries (Chinese, whatever the interface language)."""
        with translation.override(FILE_LANGUAGE):
            return {value: str(label) for value, label in self.choices.choices}

    def parse(self, text: str) -> Any:
        value = self._lookup.get(normalize_key(text))
        if value is None:
            raise ValidationError(
                _("“%(value)s”不是有效的选项，可填：%(choices)s。")
                % {"value": text, "choices": "、".join(self.file_labels.values())}
            )
        return value

    def format(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        return self.file_labels.get(value, str(value))


_BOOL_WORDS = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}


@dataclass(frozen=True)
class Boolean(ColumnType):
    """是 / 否 (also yes/no, y/n, true/false, 1/0)."""

    def parse(self, text: str) -> bool:
        value = _BOOL_WORDS.get(normalize_key(text))
        if value is None:
            raise ValidationError(_("应填写“是”或“否”，您填写的是“%(value)s”。") % {"value": text})
        return value

    def format(self, value: Any) -> str:
        if value is None:
            return ""
        return "是" if value else "否"


@dataclass(frozen=True)
class Integer(ColumnType):
    """A whole number (thousands separators allowed), within a database integer by default."""

    min_value: int = INT_MIN
    max_value: int = INT_MAX

    def parse(self, text: str) -> int:
        raw = compact(text).replace(",", "")
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise ValidationError(_("应为整数，您填写的是“%(value)s”。") % {"value": text})
        value = int(raw)
        if not self.min_value <= value <= self.max_value:
            raise ValidationError(
                _("应在 %(min)d 至 %(max)d 之间，您填写的是“%(value)s”。")
                % {"min": self.min_value, "max": self.max_value, "value": text}
            )
        return value

    def cell(self, value: Any) -> Any:
        return value


@dataclass(frozen=True)
class Year(ColumnType):
    """A four-digit year (2019)."""

    def parse(self, text: str) -> int:
        raw = compact(text)
        if not re.fullmatch(r"\d{4}", raw):
            raise ValidationError(
                _("应为四位年份（例如 2019），您填写的是“%(value)s”。") % {"value": text}
            )
        return int(raw)

    def format(self, value: Any) -> str:
        return str(value) if value else ""


_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?00:00(?::00)?)?")


@dataclass(frozen=True)
class Date(ColumnType):
    """A date as 2025-09-01, 2025/9/1, 2025.9.1 or 2025年9月1日 (or an Excel date cell), within
    the dates a person could mean here (not before 1949-10-01, not more than ten years ahead)."""

    def parse(self, text: str) -> date:
        match = _DATE_RE.fullmatch(compact(text))
        message = _("应为日期，例如 2025-09-01，您填写的是“%(value)s”。") % {"value": text}
        if match is None:
            raise ValidationError(message)
        try:
            value = date(*(int(part) for part in match.groups()))
        except ValueError as exc:
            raise ValidationError(message) from exc
        validate_sane_date(value)
        return value

    def format(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.date()
        return value.isoformat()

    def cell(self, value: Any) -> Any:
        return value


@dataclass(frozen=True)
class Money(ColumnType):
    """An amount in yuan with at most two decimal places (¥ and thousands separators allowed),
    kept as a Decimal; not negative unless `min_value` says so."""

    max_digits: int = 14
    min_value: Decimal | None = Decimal("0")

    def parse(self, text: str) -> Decimal:
        raw = compact(text).replace(",", "").removeprefix("¥").removesuffix("元")
        message = _("应为金额（元），最多两位小数，例如 12345.67，您填写的是“%(value)s”。") % {
            "value": text
        }
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", raw):
            raise ValidationError(message)
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:
            raise ValidationError(message) from exc
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(message)
        value = value.quantize(Decimal("0.01"))
        if len(value.as_tuple().digits) > self.max_digits:
            raise ValidationError(_("金额过大：“%(value)s”。") % {"value": text})
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                _("金额不能小于 %(min)s，您填写的是“%(value)s”。")
                % {"min": self.min_value, "value": text}
            )
        return value

    def format(self, value: Any) -> str:
        return "" if value is None else f"{Decimal(value):.2f}"

    def cell(self, value: Any) -> Any:
        return None if value is None else Decimal(value).quantize(Decimal("0.01"))


@dataclass(frozen=True, eq=False)
class Lookup(ColumnType):
    """A reference to a record (an authority, a school) by its name or code. The import resolves
    it against its own data: `parse_row(resolvers={field: fn})`, where `fn(text)` returns the
    record or raises ValidationError. `display(record)` is what an export writes; a lookup
    that displays one field of the record names it as `display_field` instead, so an export can
    read that field itself from the database (`field__display_field`)."""

    display: Callable[[Any], str] = str
    display_field: str | None = None

    def parse(self, text: str) -> Any:
        raise ValidationError(_("无法识别“%(value)s”。") % {"value": text})

    def format(self, value: Any) -> str:
        if value is None:
            return ""
        if self.display_field is not None:
            return str(getattr(value, self.display_field))
        return self.display(value)

    def value_path(self, field_name: str) -> str:
        if self.display_field is None:
            raise TypeError(f"{field_name}: a Lookup without display_field has no plain value")
        return f"{field_name}__{self.display_field}"

    def format_value(self, value: Any) -> str:
        return "" if value is None else str(value)


# --------------------------------------------------------------------------- columns and specs


@dataclass(frozen=True)
class Column:
    """One column: the model-side `field`, the `header` written on export (and matched on import,
    with any of `aliases`), whether a row must fill it, its type, and its width in an export."""

    header: str
    field: str
    type: ColumnType = Text()
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 14


@dataclass(frozen=True)
class ParsedRow:
    row: int
    values: dict[str, Any]  # field -> value of the cells that parsed (empty optional: absent)
    errors: list[RowError]
    failed: frozenset[str] = frozenset()  # fields whose cell did not parse or was required


@dataclass(frozen=True, eq=False)
class TableSpec:
    """The columns of one kind of file. `empty_message` is said of a file with a header and no
    data rows; `sheet_title` names the sheet an export writes."""

    columns: tuple[Column, ...]
    empty_message: str | Any = None
    sheet_title: str = "Sheet1"

    @cached_property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @cached_property
    def by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns}

    @cached_property
    def by_key(self) -> dict[str, Column]:
        """Normalised header or alias -> column (what the reader matches a header row with)."""
        found: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.header, *column.aliases):
                found.setdefault(normalize_key(name), column)
        return found

    def header_of(self, field_name: str | None) -> str | None:
        column = self.by_field.get(field_name) if field_name else None
        return column.header if column is not None else None

    def parse_row(
        self,
        number: int,
        cells: Mapping[str, str],
        *,
        resolvers: Mapping[str, Callable[[str], Any]] | None = None,
    ) -> ParsedRow:
        """Each cell of a row as a value; every problem as a RowError naming row and column.
        An empty optional cell is left out (a new record takes its default, an existing one
        keeps its value); an empty required cell is an error."""
        errors = RowErrors()
        values: dict[str, Any] = {}
        failed: set[str] = set()
        for column in self.columns:
            text = (cells.get(column.field) or "").strip()
            if not text:
                if column.required:
                    errors.add(number, column.header, _("必填，不能为空。"))
                    failed.add(column.field)
                continue
            parse = (resolvers or {}).get(column.field, column.type.parse)
            try:
                values[column.field] = parse(text)
            except ValidationError as exc:
                errors.add_validation_error(number, column.header, exc)
                failed.add(column.field)
        return ParsedRow(number, values, errors.as_list(), frozenset(failed))

    def format_row(self, values: Mapping[str, Any]) -> dict[str, str]:
        """A record's values as the text of its row, header -> text, in column order."""
        return {c.header: c.type.format(values.get(c.field)) for c in self.columns}

    @cached_property
    def value_fields(self) -> tuple[str, ...]:
        """What a query reads for each column, in column order: `values_list(*value_fields)`
        gives the rows `text_row` takes (a Lookup's displayed field through the relation)."""
        return tuple(c.type.value_path(c.field) for c in self.columns)

    @cached_property
    def _value_formats(self) -> tuple[Callable[[Any], str], ...]:
        # `format` itself where the type does not read a different value (one call a cell)
        return tuple(
            c.type.format
            if type(c.type).format_value is ColumnType.format_value
            else c.type.format_value
            for c in self.columns
        )

    def text_row(self, values: Sequence[Any]) -> list[str]:
        """A row of plain values read at `value_fields` as the text of its row: the same text,
        in the same order, as `format_row` gives for the record (no record built: exporting the
        whole data set spent most of its time building model objects)."""
        return [fmt(value) for fmt, value in zip(self._value_formats, values, strict=True)]

    def cell_row(self, values: Mapping[str, Any]) -> list[Any]:
        """A record's values as an XLSX export writes them (numbers and dates kept as such)."""
        return [c.type.cell(values.get(c.field)) for c in self.columns]
