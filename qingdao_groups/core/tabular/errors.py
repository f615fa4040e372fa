"""Row-level errors of an import: every problem of a file at once, each with the spreadsheet's
row number and the column's header, so the user can fix the file in one pass."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    row: int  # as numbered in the spreadsheet: the header row of a plain sheet is row 1
    column: str | None  # the column's header as the file spells it; None for the whole row
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("第%(row)d行“%(column)s”列：%(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("第%(row)d行：%(message)s") % {"row": self.row, "message": self.message}


class RowErrors:
    """The errors of one file, in the order found."""

    def __init__(self) -> None:
        self._errors: list[RowError] = []

    def add(self, row: int, column: str | None, message) -> None:
        self._errors.append(RowError(row, column, str(message)))

    def add_validation_error(self, row: int, column: str | None, exc: ValidationError) -> None:
        for message in exc.messages:
            self.add(row, column, message)

    def extend(self, errors) -> None:
        self._errors.extend(errors)

    @property
    def columns(self) -> set[str | None]:
        return {e.column for e in self._errors}

    def __iter__(self) -> Iterator[RowError]:
        return iter(self._errors)

    def __len__(self) -> int:
        return len(self._errors)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def as_list(self) -> list[RowError]:
        return list(self._errors)
