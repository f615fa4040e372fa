"""A person's work list (待办) as a registry: each feature registers, from its hooks module, a
provider `user -> items` naming what awaits that user in its area, so a new feature adds its
work without editing the inbox or the home page. A provider runs a constant number of queries
whatever the amount of work (one per source), and returns nothing quickly for roles it does not
concern."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from qingdao_groups.core.figures import generation_changed, shared_figures


@dataclass(frozen=True)
class InboxItem:
    """One thing waiting for a person. `key` names the kind for filters and links (the label
    `kind` is translated); `waits_for` says whose turn it is (a unit, a school, a role);
    `deadline` is the step's due day (None: the step has none); `district` the code of the
    district the item concerns (the list's district filter); `target` the reminder key
    ("<source>:<pk>", core.reminders) of the object, empty when it cannot be reminded."""

    kind: str
    title: str
    since: datetime.date
    url: str
    note: str = ""
    overdue: bool = False
    key: str = ""
    waits_for: str = ""
    deadline: datetime.date | None = None
    district: str = ""
    group: str = ""
    target: str = ""
    ackable: bool = False  # a filing the reader may acknowledge in bulk
    version: int | None = None  # the row's version, for a bulk action's version check

    @property
    def kind_key(self) -> str:
        return self.key or self.kind

    @property
    def days_waiting(self) -> int:
        return (timezone.localdate() - self.since).days

    @property
    def days_left(self) -> int | None:
        """Days until the deadline (negative: overdue by that many); None without one."""
        if self.deadline is None:
            return None
        return (self.deadline - timezone.localdate()).days

    @property
    def is_overdue(self) -> bool:
        left = self.days_left
        return self.overdue or (left is not None and left < 0)

    @property
    def days_overdue(self) -> int | None:
        left = self.days_left
        return -left if left is not None and left < 0 else None


@dataclass(frozen=True)
class InboxSource:
    """What a provider may return for a kind with many rows (a city's hundreds of filings):
    the rows, oldest first, and how one row becomes an item. The inbox counts them in the
    database and builds items only for the rows it shows: building all 670 filings of a nation
    (a link and a label each) cost more than the rest of the page (issue 7)."""

    kind: str
    rows: Any  # a QuerySet ordered oldest first
    item: Callable[[Any], InboxItem]
    key: str = ""
    # How the database narrows the rows to a work-list filter (WorkFilter); None: it cannot,
    # and the built items are filtered instead.
    narrow: Callable[[Any, "WorkFilter"], Any] | None = None

    @property
    def kind_key(self) -> str:
        return self.key or self.kind


InboxProvider = Callable[[object], Iterable[InboxItem] | InboxSource]

_PROVIDERS: dict[str, InboxProvider] = {}


def register_inbox_provider(key: str, provider: InboxProvider, *, models: Iterable = ()) -> None:
    """Called from a feature's hooks module (loaded in AppConfig.ready); idempotent by key.
    `models`: the models whose saves change what the provider returns; each save makes the
    cached counts (the menu's badge, the home page) stale at once (worklist_changed)."""
    _PROVIDERS[key] = provider
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                worklist_changed, sender=model, dispatch_uid=f"worklist:{model._meta.label}"
            )


def unregister_inbox_provider(key: str) -> None:
    _PROVIDERS.pop(key, None)


def inbox_providers() -> dict[str, InboxProvider]:
    return dict(_PROVIDERS)


def inbox_for_user(user) -> list[InboxItem]:
    """What awaits the user, oldest first, from every registered provider."""
    items: list[InboxItem] = []
    for provider in _PROVIDERS.values():
        found = provider(user)
        if isinstance(found, InboxSource):
            items.extend(found.item(row) for row in found.rows)
        else:
            items.extend(found)
    items.sort(key=lambda i: (i.since, i.title))
    return items


INBOX_PER_KIND = 20
INBOX_ALL_PER_KIND = 200  # "show all" stays bounded too


@dataclass(frozen=True)
class WorkFilter:
    """The work list's filter (the page's django-filter form gives it): a kind key, a district
    code, a deadline band ("overdue", "week": due within 7 days or overdue, "none": no
    deadline) and the order ("since", "deadline", "kind")."""

    kind: str = ""
    district: str = ""
    due: str = ""
    sort: str = "since"

    def matches(self, item: InboxItem) -> bool:
        if self.kind and item.kind_key != self.kind:
            return False
        if self.district and item.district != self.district:
            return False
        if self.due == "overdue":
            return item.is_overdue
        if self.due == "week":
            left = item.days_left
            return item.is_overdue or (left is not None and left <= 7)
        if self.due == "none":
            return item.deadline is None
        return True


NO_FILTER = WorkFilter()


@dataclass(frozen=True)
class InboxPage:
    """The inbox as shown: the oldest items of each kind, and how many more each kind has."""

    items: list[InboxItem]
    more: dict[str, int]  # kind -> items not shown


def _sort_key(order: str):
    far = datetime.date.max
    if order == "deadline":
        return lambda i: (i.deadline or far, i.since, i.title)
    if order == "kind":
        return lambda i: (i.kind, i.since, i.title)
    return lambda i: (i.since, i.title)


def inbox_page(
    user, *, per_kind: int | None = INBOX_PER_KIND, work_filter: WorkFilter = NO_FILTER
) -> InboxPage:
    """The oldest `per_kind` items of each kind (None: all), oldest first, so a bureau with
    hundreds of waiting items gets a page of bounded size (issue 7) and still sees what has
    waited longest of every kind. `work_filter` narrows and orders the list (the work list's
    filters: a source the database can narrow is narrowed there)."""
    flt = work_filter
    if per_kind is None:
        items = [i for i in inbox_for_user(user) if flt.matches(i)]
        items.sort(key=_sort_key(flt.sort))
        return InboxPage(items, {})
    listed: list[InboxItem] = []
    counts: dict[str, int] = {}
    for provider in _PROVIDERS.values():
        found = provider(user)
        if isinstance(found, InboxSource):  # counted by the database, built for the page only
            if flt.kind and found.kind_key != flt.kind:
                continue
            rows = found.rows
            if found.narrow is not None and flt != NO_FILTER:
                rows = found.narrow(rows, flt)
            built = [found.item(row) for row in rows[:per_kind]]
            shown_here = [i for i in built if flt.matches(i)]
            # counted always (not only when the page is full): the same queries at any size
            counts[found.kind] = counts.get(found.kind, 0) + rows.count()
            listed.extend(shown_here)
            continue
        for item in found:
            if not flt.matches(item):
                continue
            counts[item.kind] = counts.get(item.kind, 0) + 1
            listed.append(item)
    listed.sort(key=_sort_key("since"))  # the oldest of each kind are the ones shown
    shown: list[InboxItem] = []
    taken: dict[str, int] = {}
    for item in listed:
        taken[item.kind] = taken.get(item.kind, 0) + 1
        if taken[item.kind] <= per_kind:
            shown.append(item)
    more = {k: n - per_kind for k, n in counts.items() if n > per_kind}
    shown.sort(key=_sort_key(flt.sort))
    return InboxPage(shown, more)


def filtered_items(items: list[InboxItem], work_filter: WorkFilter) -> InboxPage:
    """A list of items built elsewhere (the 督办 view, core.reminders) filtered and ordered
    like the work list."""
    kept = [i for i in items if work_filter.matches(i)]
    kept.sort(key=_sort_key(work_filter.sort))
    return InboxPage(kept, {})


# --- Counts: the menu's badge and the home page ------------------------------------------------

WORKLIST_GENERATION_KEY = "worklist:generation"


def worklist_changed(**kwargs: Any) -> None:
    """Something a provider reads was saved or deleted: every cached count is stale (a signal
    receiver, connected by register_inbox_provider for the models a provider names)."""
    generation_changed(WORKLIST_GENERATION_KEY)


@dataclass(frozen=True)
class KindCount:
    key: str
    label: str
    count: int
    overdue: int


def kind_counts(items: Iterable[InboxItem]) -> list[KindCount]:
    """Items counted per kind (and overdue), in the order the kinds first appear."""
    by_key: dict[str, list] = {}
    for item in items:
        entry = by_key.setdefault(item.kind_key, [item.kind, 0, 0])
        entry[1] += 1
        entry[2] += int(item.is_overdue)
    return [KindCount(key, label, n, late) for key, (label, n, late) in by_key.items()]


def _count_kinds(user) -> list[KindCount]:
    by_key: dict[str, list] = {}
    for provider in _PROVIDERS.values():
        found = provider(user)
        if isinstance(found, InboxSource):
            n = found.rows.count()
            late = (
                found.narrow(found.rows, WorkFilter(due="overdue")).count()
                if n and found.narrow is not None
                else 0
            )
            if n:
                entry = by_key.setdefault(found.kind_key, [found.kind, 0, 0])
                entry[1] += n
                entry[2] += late
            continue
        for item in found:
            entry = by_key.setdefault(item.kind_key, [item.kind, 0, 0])
            entry[1] += 1
            entry[2] += int(item.is_overdue)
    return [KindCount(key, label, n, late) for key, (label, n, late) in by_key.items()]


def worklist_scope(user) -> str:
    """Whom the providers answer alike: they read the role, the authority and the school (and
    the day and the language of the labels), never the person."""
    return ":".join(
        str(part)
        for part in (
            getattr(user, "role", ""),
            getattr(user, "authority_id", None),
            getattr(user, "school_id", None),
            timezone.localdate(),
            translation.get_language(),
        )
    )


def inbox_counts(user) -> list[KindCount]:
    """How many items of each kind wait for `user` (and how many of them are overdue), in the
    order the kinds were registered: computed once per scope (worklist_scope) and kept while no
    model a provider reads has changed (WORKLIST_GENERATION_KEY), at most FIGURES_TTL seconds
    (writes that bypass the models: bulk updates, SQL). One round trip to the cache when warm."""
    if not getattr(user, "is_authenticated", False):
        return []
    return shared_figures(
        f"worklist:{worklist_scope(user)}",
        lambda: _count_kinds(user),
        generation_key=WORKLIST_GENERATION_KEY,
    )


def inbox_total(user) -> int:
    return sum(k.count for k in inbox_counts(user))


def day(value) -> datetime.date:
    """The local day of a timestamp (a date stays as it is)."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def url_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # an area without a detail page yet falls back to its list
        return ""
