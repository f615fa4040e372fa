"""One export helper for every list (issue 8): each list registers what it exports — its
columns (a `TableSpec`, headers translated into the reader's language) and a function that
gives, for a user and the list page's query string, the page's own scoped and filtered queryset
with the plain values to read and how a row of them becomes cells. This module turns that into
an XLSX (frozen header row, formulas neutralised: `core.tabular.writing`) or a CSV (UTF-8 with a
BOM), read in chunks as plain values (`values_list(...).iterator`), never as model objects.

Small exports are streamed at once; one of more than `settings.EXPORT_ASYNC_THRESHOLD` rows runs
as a Celery job (`jobs.py`, model `qingdao_groups.ExportJob`) that reports its progress and
leaves a "download ready" notice. `qingdao_groups.core` knows no feature: features register
their lists from their `hooks.py` (`register_export`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from qingdao_groups.core.tabular import Column, ExportStream, TableSpec, stream_table

# Rows read from the database at a time: what an export holds in memory, whatever the total
# (one fetch of the server-side cursor on PostgreSQL per chunk).
EXPORT_CHUNK = 500
# Parameters of the list page that are not filters.
NOT_FILTERS = frozenset({"page", "format", "csrfmiddlewaretoken"})


@dataclass(frozen=True)
class ExportQuery:
    """What one export reads: `queryset` (the list page's, scoped by its selector and narrowed by
    its filters, in the page's order) is counted as it is and read as `values_list(*fields)`;
    `row` turns one tuple of those plain values into the cells of a row (dates stay dates)."""

    queryset: QuerySet
    fields: Sequence[str]
    row: Callable[[tuple], Sequence[Any]]

    def rows(self, *, chunk_size: int = EXPORT_CHUNK) -> Iterator[Sequence[Any]]:
        values = self.queryset.values_list(*self.fields).iterator(chunk_size=chunk_size)
        return map(self.row, values)


@dataclass(frozen=True)
class ListExport:
    """One list's export. `query(user, params)` builds the `ExportQuery` in the active language
    (labels of choices are looked up there); `params` is the list page's query string."""

    key: str
    title: Any  # lazy text: the list's name in the reader's language
    spec: TableSpec
    query: Callable[[Any, QueryDict], ExportQuery]
    stem: str
    list_url: str  # the list page's URL name (the job page links back to it)
    as_of: bool = False  # the export asks for a date (members as of a chosen day)


_EXPORTS: dict[str, ListExport] = {}


def register_export(export: ListExport) -> None:
    """A feature's list joins the exports (called from its hooks.py)."""
    _EXPORTS[export.key] = export


def get_export(key: str) -> ListExport:
    try:
        return _EXPORTS[key]
    except KeyError as exc:
        raise Http404 from exc


def registered_exports() -> Mapping[str, ListExport]:
    return dict(_EXPORTS)


def filter_params(params: QueryDict | Mapping[str, list[str]]) -> QueryDict:
    """The list's filters from a query string (or a job's stored copy), without its page."""
    query = QueryDict(mutable=True)
    for key in params:
        if key not in NOT_FILTERS:
            values = params.getlist(key) if isinstance(params, QueryDict) else params[key]
            # A NUL cannot be stored (PostgreSQL text, JSON) and filters nothing: dropped.
            query.setlist(key, [v.replace("\x00", "") for v in values if v is not None])
    return query


def params_to_json(params: QueryDict) -> dict[str, list[str]]:
    return {key: params.getlist(key) for key in params}


def async_threshold() -> int:
    return settings.EXPORT_ASYNC_THRESHOLD


def bounded_count(query: ExportQuery) -> int:
    """The export's rows, counted no further than the threshold + 1 (exact for a small one)."""
    return query.queryset.order_by()[: async_threshold() + 1].count()


def is_large(query: ExportQuery) -> bool:
    """More rows than a request should write (counted no further than the threshold)."""
    return bounded_count(query) > async_threshold()


def export_stem(export: ListExport, *, today: datetime.date | None = None) -> str:
    return f"{export.stem}-{(today or timezone.localdate()):%Y%m%d}"


def export_stream(
    export: ListExport,
    query: ExportQuery,
    *,
    fmt: str,
    rows: Iterable[Sequence[Any]] | None = None,
    today: datetime.date | None = None,
) -> ExportStream:
    """The export as a file: XLSX written to a temporary file, CSV streamed as it is read."""
    return stream_table(
        export.spec,
        query.rows() if rows is None else rows,
        fmt=fmt,
        stem=export_stem(export, today=today),
    )


def local_date(value: datetime.datetime | None) -> datetime.date | None:
    """A moment as the local date it fell on (exports show dates in one format)."""
    return None if value is None else timezone.localdate(value)


def spec_of(sheet_title: str, *columns: tuple[Any, int]) -> TableSpec:
    """A list export's columns: (header, width) pairs, headers lazy so the file speaks the
    reader's language. The field names are positions: rows are built by the export itself."""
    return TableSpec(
        columns=tuple(
            Column(header, f"c{i}", width=width)  # type: ignore[arg-type]
            for i, (header, width) in enumerate(columns)
        ),
        sheet_title=sheet_title,
    )


__all__ = [
    "EXPORT_CHUNK",
    "ExportQuery",
    "ListExport",
    "async_threshold",
    "bounded_count",
    "export_stream",
    "filter_params",
    "get_export",
    "is_large",
    "local_date",
    "params_to_json",
    "register_export",
    "registered_exports",
    "spec_of",
]
