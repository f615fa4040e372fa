"""The group timeline (集团历程) as a registry: each feature registers where its audit records
about a group are and how to describe one, so a new feature adds events without editing the
group page. Read from the django-simple-history tables in one query: a UNION ALL of every
registered source, each part reduced to the same columns (the source, when, what kind, who,
the reason and up to three values naming the subject), the newest `limit` rows taken."""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from qingdao_groups.core.messages import render

SUBJECT_COLUMNS = 3


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    who: str
    kind: str  # "+", "~", "-" as simple_history records it
    subject: str
    what: str
    reason: str


@dataclass(frozen=True)
class TimelineSource:
    """`rows(group_id, user)` returns the historical rows (a queryset of a history model) that
    the user may see, of a group the user sees (timeline_for is read for such a group only, so a
    source narrows by what it hides within the group, not by the group again); `fields` are up to three lookups on such a row (through relations too)
    whose values `describe(values)` turns into the subject in the reader's language."""

    key: str
    rows: Callable[[int, object], QuerySet]
    describe: Callable[[Sequence], str]
    fields: tuple[str, ...] = ()


_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    """Called from a feature's hooks module (loaded in AppConfig.ready); idempotent by key."""
    if len(source.fields) > SUBJECT_COLUMNS:
        raise ValueError(f"a timeline source names at most {SUBJECT_COLUMNS} fields")
    _SOURCES[source.key] = source


def timeline_sources() -> list[TimelineSource]:
    return list(_SOURCES.values())


def _part(source: TimelineSource, group_id: int, user, limit: int | None) -> QuerySet:
    text: CharField = CharField()
    subject = {
        f"tl_{i}": Cast(F(source.fields[i]), text) if i < len(source.fields) else Value("")
        for i in range(SUBJECT_COLUMNS)
    }
    qs = (
        source.rows(group_id, user)
        .annotate(
            tl_source=Value(source.key),
            tl_when=F("history_date"),
            tl_kind=F("history_type"),
            tl_reason=F("history_change_reason"),
            tl_last=F("history_user__last_name"),
            tl_first=F("history_user__first_name"),
            tl_username=F("history_user__username"),
            **subject,
        )
        .values(
            "tl_source",
            "tl_when",
            "tl_kind",
            "tl_reason",
            "tl_last",
            "tl_first",
            "tl_username",
            *subject,
        )
        .order_by()
    )
    # Where the database allows it (PostgreSQL), each part brings only its newest rows.
    return qs.order_by("-tl_when")[:limit] if limit else qs


def timeline_for(*, group_id: int, user, limit: int = 50) -> list[TimelineEntry]:
    """The group's story, newest first, merged from every registered source (one query). For a
    group the caller has checked the user may see (the group page looks it up through the
    user's scope first)."""
    sources = list(_SOURCES.values())
    if not sources:
        return []
    first = sources[0].rows(group_id, user)
    features = connections[first.db or router.db_for_read(first.model)].features
    per_part = limit if features.supports_slicing_ordering_in_compound else None
    parts = [_part(s, group_id, user, per_part) for s in sources]
    rows = parts[0].union(*parts[1:], all=True).order_by("-tl_when")[:limit]
    verbs = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
    entries = []
    for row in rows:
        source = _SOURCES[row["tl_source"]]
        values = [row[f"tl_{i}"] for i in range(len(source.fields))]
        who = f"{row['tl_last'] or ''}{row['tl_first'] or ''}".strip() or row["tl_username"]
        entries.append(
            TimelineEntry(
                when=row["tl_when"],
                who=who or _("系统"),
                kind=row["tl_kind"],
                subject=source.describe(values),
                what=verbs.get(row["tl_kind"], row["tl_kind"]),
                reason=render(row["tl_reason"]),
            )
        )
    return entries
