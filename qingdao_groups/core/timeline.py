"""The group timeline (集团历程) as a registry: each feature registers where its audit records
about a group are and how to describe one, so a new feature adds events without editing the
group page. Read from the django-simple-history tables in one query: a UNION ALL of every
registered source, each part reduced to the same columns (the source, when, what kind, who,
the reason and up to five values naming the subject), the newest `limit` rows taken."""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdao_groups.core.messages import render
from qingdao_groups.core.pagination import COUNT_CAP

SUBJECT_COLUMNS = 5


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
    source narrows by what it hides within the group, not by the group again); `fields` are up to five lookups on such a row (through relations too)
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


def _part(
    source: TimelineSource, group_id: int, user, limit: int | None, *, with_keys: bool = False
) -> QuerySet:
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
            **({"tl_hid": F("history_id"), "tl_oid": F("id")} if with_keys else {}),
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
            *(("tl_hid", "tl_oid") if with_keys else ()),
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


# --- The group's story (集团历程): business events on their effective dates --------------------
#
# The audit log above says who changed which row when; the story says what happened to the group
# and on which day it took effect: founded, a school joined or left (or was expelled), a charter
# adopted, a card issued or closed, an application decided with its justification. Each feature
# registers a StorySource whose `events(group_id, user, today)` reads its events for a group the
# reader sees in one query; `story_for` merges them, newest effective day first. A join or exit
# not yet in effect is an event of its future day, marked 拟加入 / 拟退出 (the membership API
# decides which: Membership.state_on).


@dataclass(frozen=True)
class StoryEvent:
    day: datetime.date  # the day it took effect (joined_on, left_on, a decision's date …)
    kind: str  # "founded", "joined", "left", "expelled", "document", "card", "decision" …
    text: str  # what happened, in the reader's language
    who: str = ""  # the person's full name
    note: str = ""  # the reasons given (a decision's justification)
    pending: str = ""  # 拟加入 / 拟退出 (a state label) for what has not yet taken effect
    url: str = ""
    order: int = 0  # within a day: founded before joined before the rest


@dataclass(frozen=True)
class StorySource:
    key: str
    events: Callable[[int, object, datetime.date], list[StoryEvent]]


_STORY: dict[str, StorySource] = {}


def register_story_source(source: StorySource) -> None:
    """Called from a feature's hooks module; idempotent by key."""
    _STORY[source.key] = source


def person_name(last: str | None, first: str | None) -> str:
    """A person as the story names them: full name in Chinese order (王海涛), never the login."""
    return f"{last or ''}{first or ''}".strip()


def story_for(*, group_id: int, user, today: datetime.date) -> list[StoryEvent]:
    """Every event of the group's story the reader may see, newest effective day first (one
    query per registered source, whatever the number of events). For a group the caller has
    checked the user may see."""
    events: list[StoryEvent] = []
    for source in _STORY.values():
        events.extend(source.events(group_id, user, today))
    events.sort(key=lambda e: (e.day, e.order), reverse=True)
    return events


# --- The audit log: every field change, paginated -----------------------------------------------

_SKIPPED_FIELDS = {"id", "version", "history_id", "history_date", "history_type"}


@dataclass(frozen=True)
class AuditChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditEntry:
    when: datetime.datetime
    who: str
    what: str
    subject: str
    reason: str
    changes: tuple[AuditChange, ...]
    kind: str = ""  # the kind of record (the auditors' desk)
    username: str = ""


def _value_text(field, value) -> str:
    if value is None or value == "":
        return "—"
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local:%Y-%m-%d %H:%M}"
    return str(value)


def _changes(model, current, previous) -> tuple[AuditChange, ...]:
    """The fields that differ between two audit rows of one object (a relation by its key)."""
    out = []
    for field in model._meta.concrete_fields:
        name = field.attname
        if name in _SKIPPED_FIELDS or name.startswith("history_"):
            continue
        if not hasattr(current, name):  # not kept in the history (a password)
            continue
        before, after = getattr(previous, name), getattr(current, name)
        if before != after:
            label = str(getattr(field, "verbose_name", name))
            if field.is_relation:
                out.append(
                    AuditChange(
                        label, f"#{before}" if before else "—", f"#{after}" if after else "—"
                    )
                )
            else:
                out.append(
                    AuditChange(label, _value_text(field, before), _value_text(field, after))
                )
    return tuple(out)


@dataclass(frozen=True)
class AuditPart:
    """One history table's share of an audit log: `rows` (a queryset of a django-simple-history
    model, already narrowed: one group, one person, a date range), and how a row's subject is
    told (`fields` read with it, `describe` in the reader's language). `kind` names the kind of
    record (the model's name), shown by the auditors' desk."""

    key: str
    rows: QuerySet
    describe: Callable[[Sequence], str]
    fields: tuple[str, ...] = ()
    kind: str = ""


def _values(part: AuditPart, limit: int | None) -> QuerySet:
    """The part reduced to the union's columns; with `limit`, only its newest rows (walking its
    history_date index backwards where the database allows ordering inside a UNION)."""
    text: CharField = CharField()
    subject = {
        f"tl_{i}": Cast(F(part.fields[i]), text) if i < len(part.fields) else Value("")
        for i in range(SUBJECT_COLUMNS)
    }
    qs = (
        part.rows.annotate(
            tl_source=Value(part.key),
            tl_when=F("history_date"),
            tl_kind=F("history_type"),
            tl_reason=F("history_change_reason"),
            tl_last=F("history_user__last_name"),
            tl_first=F("history_user__first_name"),
            tl_username=F("history_user__username"),
            **subject,
            tl_hid=F("history_id"),
            tl_oid=F("id"),
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
            "tl_hid",
            "tl_oid",
        )
        .order_by()
    )
    return qs.order_by("-tl_when", "-tl_hid")[:limit] if limit else qs


def _previous_id(history: QuerySet) -> Subquery:
    """The history_id of the same object's row just before the outer one (by date, then id)."""
    before = history.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    return Subquery(before.order_by("-history_date", "-history_id").values("history_id")[:1])


class AuditTrail:
    """Audit rows of several history tables, newest first, as a sequence the paginator cuts
    (core/pagination.KeyFirstPaginator): `len()` counts them (up to `cap` + 1) in one query; a
    slice reads its rows in one UNION ALL, each part ordered and limited by its own
    history_date index, then, for each table on the page, the page's rows and the row before
    each of them in one more query, to say which field changed from what to what."""

    cap = COUNT_CAP

    def __init__(self, parts: Sequence[AuditPart]):
        self.parts = {p.key: p for p in parts}

    def _per_part_limits(self) -> bool:
        first = next(iter(self.parts.values())).rows
        features = connections[first.db or router.db_for_read(first.model)].features
        return bool(features.supports_slicing_ordering_in_compound)

    def union(self, per_part: int | None = None) -> QuerySet:
        if len(self.parts) == 1:  # one table: ordered and cut by the caller, on its own index
            return _values(next(iter(self.parts.values())), None)
        parts = [_values(p, per_part) for p in self.parts.values()]
        return parts[0].union(*parts[1:], all=True)

    def __len__(self) -> int:
        if not self.parts:
            return 0
        # Keys only (no joins to plan or read) and no order: the database stops reading as soon
        # as it has cap + 1 rows.
        keys = [p.rows.values("history_id").order_by() for p in self.parts.values()]
        union = keys[0].union(*keys[1:], all=True) if len(keys) > 1 else keys[0]
        return union[: self.cap + 1].count()

    def __getitem__(self, page: slice) -> list[AuditEntry]:
        if not isinstance(page, slice):
            raise TypeError("an audit log is read a page at a time")
        if not self.parts:
            return []
        start, stop = page.start or 0, page.stop
        per_part = stop if stop and self._per_part_limits() else None
        rows = list(self.union(per_part).order_by("-tl_when", "-tl_hid")[start:stop])
        return self.entries(rows)

    def entries(self, rows: Sequence[dict]) -> list[AuditEntry]:
        """Rows of the union as entries, with their changed fields (one query per table)."""
        by_source: dict[str, set] = {}
        for row in rows:
            by_source.setdefault(row["tl_source"], set()).add(row["tl_hid"])
        history: dict[tuple[str, int], Any] = {}
        previous: dict[tuple[str, int], Any] = {}
        for key, history_ids in by_source.items():
            table = self.parts[key].rows.model._default_manager.all()
            before = table.filter(history_id__in=history_ids).annotate(tl_prev=_previous_id(table))
            loaded = table.filter(
                Q(history_id__in=history_ids) | Q(history_id__in=before.values("tl_prev"))
            ).annotate(tl_prev=_previous_id(table))
            by_id = {h.history_id: h for h in loaded}
            for hid in history_ids:
                h = by_id.get(hid)
                if h is not None:
                    history[(key, hid)] = h
                    previous[(key, hid)] = by_id.get(h.tl_prev)
        verbs = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
        entries = []
        for row in rows:
            part = self.parts[row["tl_source"]]
            values = [row[f"tl_{i}"] for i in range(len(part.fields))]
            current = history.get((row["tl_source"], row["tl_hid"]))
            before = previous.get((row["tl_source"], row["tl_hid"]))
            changes = (
                _changes(current.instance_type, current, before)
                if current is not None and before is not None and row["tl_kind"] == "~"
                else ()
            )
            who = person_name(row["tl_last"], row["tl_first"]) or row["tl_username"]
            entries.append(
                AuditEntry(
                    when=row["tl_when"],
                    who=who or _("系统"),
                    what=verbs.get(row["tl_kind"], row["tl_kind"]),
                    subject=part.describe(values),
                    reason=render(row["tl_reason"]),
                    changes=changes,
                    kind=str(part.kind),
                    username=row["tl_username"] or "",
                )
            )
        return entries


class AuditLog(AuditTrail):
    """The group's audit rows (groups:group-audit): the registered timeline sources, for a group
    the caller has checked the reader may see."""

    def __init__(self, *, group_id: int, user):
        self.group_id, self.user = group_id, user
        super().__init__(
            [
                AuditPart(s.key, s.rows(group_id, user), s.describe, s.fields)
                for s in _SOURCES.values()
            ]
        )
