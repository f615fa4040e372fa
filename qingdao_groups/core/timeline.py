"""The group timeline (集团历程) as a registry: each feature registers where its audit records
about a group are and how to describe one, so a new feature adds events without editing the
group page. Read from the django-simple-history tables: one query per registered source."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _


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
    the user may see; `describe(row)` names the subject of one row in the reader's language."""

    key: str
    rows: Callable[[int, object], QuerySet]
    describe: Callable[[object], str]


_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    """Called from a feature's hooks module (loaded in AppConfig.ready); idempotent by key."""
    _SOURCES[source.key] = source


def timeline_sources() -> list[TimelineSource]:
    return list(_SOURCES.values())


def timeline_for(*, group_id: int, user, limit: int = 50) -> list[TimelineEntry]:
    """The group's story, newest first, merged from every registered source."""
    verbs = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
    rows = []
    for source in _SOURCES.values():
        qs = source.rows(group_id, user)
        for h in qs.select_related("history_user").order_by("-history_date")[:limit]:
            rows.append((h, source.describe(h)))
    rows.sort(key=lambda pair: pair[0].history_date, reverse=True)
    entries = []
    for h, subject in rows[:limit]:
        who = h.history_user.get_full_name() or h.history_user.username if h.history_user else ""
        entries.append(
            TimelineEntry(
                when=h.history_date,
                who=who or _("系统"),
                kind=h.history_type,
                subject=subject,
                what=verbs.get(h.history_type, h.history_type),
                reason=h.history_change_reason or "",
            )
        )
    return entries
