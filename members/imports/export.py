"""The schools a user may see, in the import's columns (issue 2: Registry), through the one export
helper (issue 8: `qingdao_groups.core.exports`): the list page's selector and filters, plain
values read in chunks, headers in Chinese whatever the interface language (the file re-imports)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.filters import SchoolFilter
from members.imports.spec import SCHOOL_SPEC
from members.models import School, User
from members.selectors import school_list_for_user
from qingdao_groups.core.exports import ExportQuery, ListExport, export_stream
from qingdao_groups.core.tabular import ExportStream, stream_table


def _query(
    user: User, narrow: Callable[[QuerySet[School]], QuerySet[School]] | None = None
) -> ExportQuery:
    qs = school_list_for_user(user=user)
    if narrow is not None:
        qs = narrow(qs)
    # `text_row` gives each row the text `school_cells` gives the record (a test pins it).
    return ExportQuery(qs.order_by("name", "code"), SCHOOL_SPEC.value_fields, SCHOOL_SPEC.text_row)


def schools_query(user: User, params: QueryDict) -> ExportQuery:
    """The school list page's rows: its selector narrowed by its filters."""
    return _query(user, lambda qs: SchoolFilter(params, queryset=qs).qs)


SCHOOLS_EXPORT = ListExport(
    key="schools",
    title=_("学校"),
    spec=SCHOOL_SPEC,
    query=schools_query,
    stem="schools",
    list_url="members:school-list",
)


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
    if template:
        return stream_table(SCHOOL_SPEC, (), fmt=fmt, stem="schools-template")
    return export_stream(SCHOOLS_EXPORT, _query(user, narrow), fmt=fmt, today=timezone.localdate())
