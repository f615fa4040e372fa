"""The auditors' desk (审计日志, issue 10; policy A-1): every recorded change of every history
table (django-simple-history), searchable by person, date range, kind of record and group, read
through the same UNION ALL reader as a group's audit log (`core.timeline.AuditTrail`).

Every model with `HistoricalRecords` is a kind of record, found when first asked (so a new
feature's tables join without registering anything); a feature tells more from its hooks:
which values name a row's subject (`register_audit_kind`) and how its rows relate to a group
(`group=` a lookup on the history row). Tables on a group's timeline already know their group
(`core.timeline.TimelineSource.rows`), and are narrowed by it. `qingdao_groups.core` never
imports a feature.

What was taken away is recorded too: `export_record_add` writes an `ExportRecord` (who, what,
filters, format, rows, when) for every export and every download of an official document by a
read-only role; its history rows are a kind like any other ("导出记录")."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import User
from qingdao_groups.core.exports import EXPORT_CHUNK, ExportQuery, ListExport, spec_of
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.rules import ALLOW, Decision, require
from qingdao_groups.core.timeline import (
    SUBJECT_COLUMNS,
    AuditEntry,
    AuditPart,
    AuditTrail,
    timeline_sources,
)
from qingdao_groups.core.workflow import stamp

AUDIT_PAGE_SIZE = 50
# Names of a row's subject, in the order tried, for a kind that registered none.
_NAME_FIELDS = ("name", "title", "person_name", "username", "code")


@dataclass(frozen=True)
class AuditKind:
    """One kind of record: a model and its history table."""

    key: str  # the model's label, "groups.membership"
    model: type[Model]
    fields: tuple[str, ...] = ()
    describe: Callable[[Sequence], str] | None = None
    group: str | None = None  # a lookup on a history row giving the group's key

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def subject(self, values: Sequence) -> str:
        if self.describe is not None:
            return self.describe(values)
        name = values[0] if values else ""
        return _("%(kind)s：%(name)s") % {"kind": self.label, "name": name} if name else self.label


_REGISTERED: dict[str, dict[str, Any]] = {}
_KINDS: dict[str, AuditKind] = {}


def register_audit_kind(
    model: type[Model],
    *,
    fields: tuple[str, ...] = (),
    describe: Callable[[Sequence], str] | None = None,
    group: str | None = None,
) -> None:
    """A feature tells the desk how its history rows read (`fields`, `describe`) and how they
    concern a group (`group`, e.g. "application__group_id"); idempotent by model."""
    if len(fields) > SUBJECT_COLUMNS:
        raise ValueError(f"an audit kind names at most {SUBJECT_COLUMNS} fields")
    _REGISTERED[model._meta.label_lower] = {"fields": fields, "describe": describe, "group": group}
    _KINDS.clear()


def _default_fields(model: type[Model]) -> tuple[str, ...]:
    names = {f.name for f in model._meta.concrete_fields}
    return tuple(n for n in _NAME_FIELDS if n in names)[:1]


def audit_kinds() -> dict[str, AuditKind]:
    """Every model with a history table, by label, in the apps' order."""
    if not _KINDS:
        for model in apps.get_models():
            if model.__name__.startswith("Historical") or not hasattr(model, "history"):
                continue
            key = model._meta.label_lower
            told = _REGISTERED.get(key, {})
            _KINDS[key] = AuditKind(
                key,
                model,
                fields=told.get("fields") or _default_fields(model),
                describe=told.get("describe"),
                group=told.get("group"),
            )
    return _KINDS


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((k.key, k.label) for k in audit_kinds().values()), key=lambda c: c[1])


# --- Who may read it ------------------------------------------------------------------------


def can_view_audit_desk(user: User) -> Decision:
    """The whole audit log is for those who oversee everything: the city bureau, auditors (and
    the other read-only roles) and administrators, as a group's audit log is (policy A-1).
    District staff read the audit log of each of their groups on the group's page: the whole
    log narrowed to a district's scope would have to test every table's rows against it."""
    if user.is_authenticated and user.sees_everything:
        return ALLOW
    return Decision(
        False,
        gettext_lazy(
            "审计日志（全部记录）仅供市教育局、审计人员和系统管理员查看；"
            "区（市）教育行政部门请在集团页查看该集团的审计日志。"
        ),
    )


# --- The filters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    person: int | None = None  # a user's key: the history's user
    start: datetime.date | None = None  # both days included, in local time
    end: datetime.date | None = None
    kind: str | None = None  # an AuditKind key
    group: int | None = None  # a group's key

    def as_params(self) -> dict[str, str]:
        values = {
            "person": self.person,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "kind": self.kind,
            "group": self.group,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _narrow(rows: QuerySet, filters: AuditFilters) -> QuerySet:
    """The person and the dates: each by the history table's own indexes (history_user_id,
    history_date)."""
    if filters.person:
        rows = rows.filter(history_user_id=filters.person)
    if filters.start:
        rows = rows.filter(history_date__gte=_moment(filters.start))
    if filters.end:
        rows = rows.filter(history_date__lt=_moment(filters.end + datetime.timedelta(days=1)))
    return rows


def _timeline_rows(group_id: int, user: User) -> dict[type[Model], Any]:
    """The group's timeline sources by the model whose history they read: they know how their
    table relates to a group."""
    out = {}
    for source in timeline_sources():
        rows = source.rows(group_id, user)
        out[rows.model.instance_type] = (rows, source)
    return out


def audit_parts(*, user: User, filters: AuditFilters) -> list[AuditPart]:
    """One part per history table the filters leave, each narrowed by them (no query). A table
    on the group timeline is told as the timeline tells it, and narrowed to a group by it."""
    kinds = audit_kinds()
    chosen = [kinds[filters.kind]] if filters.kind in kinds else list(kinds.values())
    timeline = _timeline_rows(filters.group or 0, user)
    parts = []
    for kind in chosen:
        describe: Callable[[Sequence], str] = kind.subject
        fields = kind.fields
        on_timeline = timeline.get(kind.model)
        if on_timeline is not None and kind.describe is None:
            describe, fields = on_timeline[1].describe, on_timeline[1].fields
        if not filters.group:
            rows = history_rows(kind.model)
        elif kind.group:
            rows = history_rows(kind.model).filter(**{kind.group: filters.group})
        elif on_timeline is not None:
            rows = on_timeline[0]
        else:
            continue  # a kind that concerns no group
        parts.append(AuditPart(kind.key, _narrow(rows, filters), describe, fields, kind=kind.label))
    return parts


def audit_log_for_user(*, user: User, filters: AuditFilters) -> AuditTrail:
    """The audit rows the filters select, newest first, for a reader of the desk (403 else)."""
    require(can_view_audit_desk(user))
    return AuditTrail(audit_parts(user=user, filters=filters))


# --- Its export -----------------------------------------------------------------------------

AUDIT_SPEC = spec_of(
    "审计日志",
    (gettext_lazy("时间"), 18),
    (gettext_lazy("操作人"), 14),
    (gettext_lazy("账号"), 14),
    (gettext_lazy("类别"), 14),
    (gettext_lazy("操作"), 8),
    (gettext_lazy("对象"), 40),
    (gettext_lazy("修改"), 60),
    (gettext_lazy("理由"), 40),
)


@dataclass(frozen=True)
class AuditExportQuery(ExportQuery):
    """The audit rows as an export reads them: the union in chunks, each chunk's changed fields
    read for the chunk (one query per table in it), never the whole log in memory."""

    trail: AuditTrail | None = None

    def rows(self, *, chunk_size: int = EXPORT_CHUNK) -> Iterator[Sequence[Any]]:
        chunk: list[dict] = []
        if self.trail is None:
            return
        for row in self.queryset.iterator(chunk_size=chunk_size):
            chunk.append(row)
            if len(chunk) >= chunk_size:
                yield from map(_cells, self.trail.entries(chunk))
                chunk = []
        if chunk:
            yield from map(_cells, self.trail.entries(chunk))


def _cells(e: AuditEntry) -> list[Any]:
    local = timezone.localtime(e.when)
    changes = "\n".join(f"{c.field}：{c.before} → {c.after}" for c in e.changes)
    return [
        f"{local:%Y-%m-%d %H:%M}",
        e.who,
        e.username,
        e.kind,
        e.what,
        e.subject,
        changes,
        e.reason,
    ]


def filters_from(params: QueryDict | Mapping[str, str]) -> AuditFilters:
    """The filters of a query string, loosely: what does not parse filters nothing (the page's
    form says what was wrong)."""

    def number(name: str) -> int | None:
        value = str(params.get(name) or "").strip()
        return int(value) if value.isdigit() and len(value) < 12 else None

    def day(name: str) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(str(params.get(name) or "").strip())
        except ValueError:
            return None

    kind = str(params.get("kind") or "").strip()
    return AuditFilters(
        person=number("person"),
        start=day("start"),
        end=day("end"),
        kind=kind if kind in audit_kinds() else None,
        group=number("group"),
    )


def audit_export_query(user: User, params: QueryDict) -> ExportQuery:
    """The desk's rows under the page's filters, newest first (403 for whoever may not read
    the desk)."""
    trail = audit_log_for_user(user=user, filters=filters_from(params))
    if not trail.parts:
        return ExportQuery(queryset=User.objects.none(), fields=(), row=list)
    return AuditExportQuery(
        queryset=trail.union().order_by("-tl_when", "-tl_hid"),
        fields=(),
        row=list,
        trail=trail,
    )


AUDIT_EXPORT = ListExport(
    key="audit-log",
    title=gettext_lazy("审计日志"),
    spec=AUDIT_SPEC,
    query=audit_export_query,
    stem="audit-log",
    list_url="audit:log",
)


# --- What was taken away --------------------------------------------------------------------


def _params_text(params: Mapping[str, Any]) -> str:
    return "；".join(
        f"{k}={','.join(str(x) for x in v) if isinstance(v, list) else v}"
        for k, v in params.items()
        if v not in (None, "", [])
    )


def describe_export(values: Sequence) -> str:
    """An export record's subject: the list (in the reader's language, when it is registered)
    or the document, the format, the rows and the filters."""
    from qingdao_groups.core.exports import registered_exports

    key, label, fmt, rows, params = (list(values) + [""] * 5)[:5]
    export = registered_exports().get(key or "")
    what = str(export.title) if export is not None else (label or key or "")
    text = _("导出：%(what)s（%(fmt)s）") % {"what": what, "fmt": (fmt or "").upper()}
    if rows not in (None, ""):
        text += _("，%(rows)s 行") % {"rows": rows}
    try:
        filters = json.loads(params) if params else {}
    except (TypeError, ValueError):
        filters = {}
    if isinstance(filters, dict) and _params_text(filters):
        text += _("；筛选：%(filters)s") % {"filters": _params_text(filters)}
    return text


def export_record_add(
    *,
    actor: User,
    kind: str,
    key: str,
    fmt: str,
    params: Mapping[str, Any] | None = None,
    rows: int | None = None,
    label: str = "",
    now: datetime.datetime | None = None,
):
    """Record what `actor` took away (policy A-1: "who took what away" is answerable from the
    audit log). One row and its history row; nothing for an anonymous reader."""
    from qingdao_groups.models import ExportRecord

    if not getattr(actor, "is_authenticated", False):
        return None
    now = now or timezone.now()
    record = ExportRecord(
        user=actor,
        kind=kind,
        key=key[:60],
        label=label[:300],
        params=dict(params or {}),
        fmt=fmt[:4],
        rows=rows,
        created_at=now,
    )
    stamp(record, actor=actor, now=now)
    record.save()
    return record


def export_record_read_only_download(*, actor: User, kind: str, key: str, label: str) -> None:
    """A read-only role (the auditor) downloading an official document or a file: recorded."""
    if getattr(actor, "is_authenticated", False) and actor.is_read_only:
        export_record_add(
            actor=actor,
            kind=kind,
            key=key,
            label=label,
            fmt="pdf" if kind == "document" else "file",
        )


# --- The pickers of the filters: a person, a group ------------------------------------------

PICK_LIMIT = 20


@dataclass(frozen=True)
class AuditPicker:
    """`search(text)` gives at most PICK_LIMIT (key, label) pairs; `label(key)` names one."""

    search: Callable[[str], list[tuple[int, str]]]
    label: Callable[[int], str]


def _person_label(user: User) -> str:
    name = user.get_full_name()
    return f"{name}（{user.username}）" if name and name != user.username else user.username


def _person_search(text: str) -> list[tuple[int, str]]:
    """People by login (its start) or name (contained); whoever may read the desk sees them."""
    text = text.strip()[:50]
    if not text:
        return []
    from django.db.models import Q

    found = User.objects.filter(
        Q(username__istartswith=text) | Q(last_name__icontains=text) | Q(first_name__icontains=text)
    ).order_by("username")[:PICK_LIMIT]
    return [(u.pk, _person_label(u)) for u in found]


def _person_name(pk: int) -> str:
    user = User.objects.filter(pk=pk).first()
    return _person_label(user) if user is not None else ""


_PICKERS: dict[str, AuditPicker] = {"person": AuditPicker(_person_search, _person_name)}


def register_audit_picker(key: str, picker: AuditPicker) -> None:
    """A feature adds a filter's picker (groups: `group`); idempotent by key."""
    _PICKERS[key] = picker


def audit_picker(key: str) -> AuditPicker | None:
    return _PICKERS.get(key)
