"""The schools a user may see, in the import's columns (issue 2: Registry)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils import timezone

from members.imports.spec import SCHOOL_SPEC, school_cells
from members.models import School, User
from members.selectors import school_list_for_user
from qingdao_groups.core.tabular import ExportFile, write_table


def school_export(
    *,
    user: User,
    fmt: str,
    template: bool = False,
    narrow: Callable[[QuerySet[School]], QuerySet[School]] | None = None,
) -> ExportFile:
    """The schools `user` may see, in the import's columns (an empty sheet when `template`).

    `narrow` may only filter further (the list page's filters); scoping stays here. Every cell is
    written as text, as the import reads it back."""
    schools: Iterable[School]
    if template:
        schools = ()
    else:
        qs = school_list_for_user(user=user)
        if narrow is not None:
            qs = narrow(qs)
        schools = qs.order_by("name", "code").iterator(chunk_size=1000)
    rows = (list(school_cells(s).values()) for s in schools)
    stem = "schools-template" if template else f"schools-{timezone.localdate():%Y%m%d}"
    return write_table(SCHOOL_SPEC, rows, fmt=fmt, stem=stem)
