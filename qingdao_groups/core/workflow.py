"""The one workflow runner: every status change of every stateful model goes through
`transition`, so a move is locked, checked against the version the user saw, allowed by the
feature's transition table, audited with who and why, and saved field by field, the same way
everywhere (issue 6 "One workflow runner").

Order, for every workflow:
  1. the person gate (feature's permissions.py, PermissionDenied → 403) — run by the view or the
     service BEFORE anything here reads the object's state;
  2. `lock` — the row, FOR UPDATE (only the row itself: of=("self",) on PostgreSQL);
  3. the expected version — a form opened before someone else acted is refused (`STALE`);
  4. the transition table — a move it does not list is refused (`NOT_NOW`);
  5. `changes` applied, `version` bumped, actor and the whole reason stamped on the audit
     history, and only the changed fields saved.

Both refusals are `RuleRefusal` with one message shape for all workflows, naming the object's
current status. Tables themselves are pure data in each feature's workflows.py.

Time is an argument, never a patched clock: the runner and every service take `now` (default:
the real clock) and write it into the timestamps they set and into the audit history's date
(`stamp`), so a caller such as the demo story can record steps as taken on earlier days."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from qingdao_groups.core.messages import Message, encode, label
from qingdao_groups.core.queries import by_key
from qingdao_groups.core.rules import RuleRefusal

Table = dict[tuple[str, str], str]
M = TypeVar("M", bound=models.Model)

STALE = gettext_lazy(
    "该%(subject)s已被他人处理或修改（当前状态：%(status)s），请刷新页面查看最新状态后再操作。"
)
NOT_NOW = gettext_lazy("该%(subject)s当前状态为“%(status)s”，不能%(action)s。")

_LOCKED = "_workflow_locked"


@dataclass(frozen=True)
class TransitionRefused(Exception):
    current: str
    action: str

    def __str__(self) -> str:
        return f"{self.action} is not allowed from {self.current}"


def next_status(table: Table, current: str, action: str) -> str:
    """The status `action` leads to from `current`; TransitionRefused when the table has no such
    move."""
    try:
        return table[(current, action)]
    except KeyError:
        raise TransitionRefused(str(current), str(action)) from None


def allowed_actions(table: Table, current: str) -> list[str]:
    return [action for (status, action) in table if status == current]


def can_move(table: Table, current: str, action: str) -> bool:
    """Whether the table lists `action` from `current` (for showing a form; the runner decides)."""
    return (current, action) in table


def _subject(obj: models.Model) -> str:
    return str(obj._meta.verbose_name)


def _status_label(obj: Any) -> str:
    return str(obj.get_status_display())


def _action_label(action: str) -> str:
    return str(getattr(action, "label", action))


def _action_reason(action: str) -> "Message | str":
    """The default reason of a move: the action's label, kept as a code (issue 8)."""
    name = getattr(action, "label", None)
    return label(name) if name is not None else str(action)


class StaleVersion(RuleRefusal):
    """A RuleRefusal for a stale form, so a view can show the object as it is now instead of
    the form's input (the message is the same `STALE` shape everywhere)."""


def stale(obj: models.Model) -> StaleVersion:
    """The refusal of a stale form: someone else changed `obj` since the form was rendered."""
    return StaleVersion(STALE % {"subject": _subject(obj), "status": _status_label(obj)})


def refused(obj: models.Model, action: str) -> RuleRefusal:
    """The refusal of a move the table does not allow from `obj`'s current status."""
    return RuleRefusal(
        NOT_NOW
        % {"subject": _subject(obj), "status": _status_label(obj), "action": _action_label(action)},
        field="state",
    )


def check_version(obj: Any, expected_version: int | None) -> None:
    """None: no form behind this move (a system step, a follow-up move in the same request)."""
    if expected_version is not None and obj.version != expected_version:
        raise stale(obj)


def ensure_allowed(obj: Any, *, table: Table, action: str) -> str:
    """The status `action` leads to from `obj`'s status, or the one refusal when the table has
    no such move. For services that check the state before work that precedes the move."""
    try:
        return next_status(table, obj.status, action)
    except TransitionRefused:
        raise refused(obj, action) from None


def lock(obj: M, *, expected_version: int | None, related: Iterable[str] = ()) -> M:
    """Lock `obj`'s row (FOR UPDATE of the row only: PostgreSQL cannot lock the nullable side of
    an outer join) and refuse a stale form. Returns the fresh, locked instance; pass it to
    `transition`, which then does not lock again. Run the person gate before this."""
    model = type(obj)
    locked = by_key(
        model._default_manager.select_for_update(of=("self",)).select_related(*related), obj.pk
    )
    setattr(locked, _LOCKED, True)
    check_version(locked, expected_version)
    return locked


def locked_rows(queryset: "models.QuerySet[M]") -> list[M]:
    """The rows of a queryset the caller locked itself (select_for_update, e.g. with
    skip_locked), marked so that `transition` does not lock them again."""
    rows = list(queryset)
    for row in rows:
        setattr(row, _LOCKED, True)
    return rows


def stamp(
    obj: M,
    *,
    actor,
    reason: "str | Promise | Message" = "",
    now: datetime.datetime | None = None,
) -> M:
    """Stamp `obj`'s next save for the audit history (django-simple-history): who acted, why
    (kept whole; nothing when empty) and when (`now`, default the real clock). The one place
    services set the history's attributes. A reason the system writes (a Message, a lazy label)
    is kept as a message code and shown in the reader's language; a typed one as typed.
    Returns `obj`."""
    row: Any = obj
    row._history_user = actor
    if reason:
        row._change_reason = encode(reason)
    row._history_date = now or timezone.now()
    return obj


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field: Any = obj._meta.get_field(name)
    if field.is_relation and field.many_to_one:
        current = getattr(obj, field.attname)
        return current != (value.pk if isinstance(value, models.Model) else value)
    return getattr(obj, name) != value


def transition(
    obj: M,
    *,
    action: str,
    table: Table,
    actor,
    reason: "str | Promise | Message" = "",
    expected_version: int | None,
    changes: dict[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> M:
    """Move `obj` by `action`: lock (unless `lock` already did), check the expected version,
    consult `table`, apply `changes`, bump `version`, stamp the history with `actor`, the
    whole `reason` (the action's label when empty) and `now` (default: the real clock), and
    save only the changed fields. Returns the saved (locked) instance. Call inside a
    transaction (services are atomic)."""
    if getattr(obj, _LOCKED, False):
        check_version(obj, expected_version)
    else:
        obj = lock(obj, expected_version=expected_version)
    row: Any = obj  # a stateful model: status, version and the audit history's attributes
    new_status = ensure_allowed(row, table=table, action=action)
    fields = ["status", "version"]
    for name, value in (changes or {}).items():
        if _differs(row, name, value):
            setattr(row, name, value)
            fields.append(name)
    row.status = new_status
    row.version += 1
    stamp(row, actor=actor, reason=reason or _action_reason(action), now=now)
    row.save(update_fields=fields)
    return obj
