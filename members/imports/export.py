"""The schools a user may see, in the import's columns (issue 2: Registry)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils import timezone

from members.imports.spec import SCHOOL_SPEC, school_text_rows
from members.models import School, User
from members.selectors import school_list_for_user
from qingdao_groups.core.tabular import ExportStream, stream_table

# Rows read from the database at a time: what the export holds in memory, whatever the total.
EXPORT_CHUNK = 250


def school_export(
    *,
    user: User,
    fmt: str,
    template: bool = False,
    narrow: Callable[[QuerySet[School]], QuerySet[School]] | None = None,
) -> ExportStream:
    """The schools `user` may see, in the import's columns (an empty sheet when `template`),
    streamed in bounded memory: the rows are read from the database in chunks as the file is
    written (XLSX, into a temporary file) or sent (CSV).

    `narrow` may only filter further (the list page's filters); scoping stays here. Every cell is
    written as text, as the import reads it back."""
    rows: Iterable[list[str]]
    if template:
        rows = ()
    else:
        qs = school_list_for_user(user=user)
        if narrow is not None:
            qs = narrow(qs)
        rows = school_text_rows(qs.order_by("name", "code"), chunk_size=EXPORT_CHUNK)
    stem = "schools-template" if template else f"schools-{timezone.localdate():%Y%m%d}"
    return stream_table(SCHOOL_SPEC, rows, fmt=fmt, stem=stem)
