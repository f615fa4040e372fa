"""A person's work list (待办) as a registry: each feature registers, from its hooks module, a
provider `user -> items` naming what awaits that user in its area, so a new feature adds its
work without editing the inbox or the home page. A provider runs a constant number of queries
whatever the amount of work (one per source), and returns nothing quickly for roles it does not
concern."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone


@dataclass(frozen=True)
class InboxItem:
    kind: str
    title: str
    since: datetime.date
    url: str
    note: str = ""
    overdue: bool = False

    @property
    def days_waiting(self) -> int:
        return (timezone.localdate() - self.since).days


@dataclass(frozen=True)
class InboxSource:
    """What a provider may return for a kind with many rows (a city's hundreds of filings):
    the rows, oldest first, and how one row becomes an item. The inbox counts them in the
    database and builds items only for the rows it shows: building all 670 filings of a nation
    (a link and a label each) cost more than the rest of the page (issue 7)."""

    kind: str
    rows: Any  # a QuerySet ordered oldest first
    item: Callable[[Any], InboxItem]


InboxProvider = Callable[[object], Iterable[InboxItem] | InboxSource]

_PROVIDERS: dict[str, InboxProvider] = {}


def register_inbox_provider(key: str, provider: InboxProvider) -> None:
    """Called from a feature's hooks module (loaded in AppConfig.ready); idempotent by key."""
    _PROVIDERS[key] = provider


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


@dataclass(frozen=True)
class InboxPage:
    """The inbox as shown: the oldest items of each kind, and how many more each kind has."""

    items: list[InboxItem]
    more: dict[str, int]  # kind -> items not shown


def inbox_page(user, *, per_kind: int | None = INBOX_PER_KIND) -> InboxPage:
    """The oldest `per_kind` items of each kind (None: all), oldest first, so a bureau with
    hundreds of waiting items gets a page of bounded size (issue 7) and still sees what has
    waited longest of every kind."""
    if per_kind is None:
        return InboxPage(inbox_for_user(user), {})
    listed: list[InboxItem] = []
    counts: dict[str, int] = {}
    for provider in _PROVIDERS.values():
        found = provider(user)
        if isinstance(found, InboxSource):  # counted by the database, built for the page only
            counts[found.kind] = counts.get(found.kind, 0) + found.rows.count()
            listed.extend(found.item(row) for row in found.rows[:per_kind])
            continue
        for item in found:
            counts[item.kind] = counts.get(item.kind, 0) + 1
            listed.append(item)
    listed.sort(key=lambda i: (i.since, i.title))
    shown: list[InboxItem] = []
    taken: dict[str, int] = {}
    for item in listed:
        taken[item.kind] = taken.get(item.kind, 0) + 1
        if taken[item.kind] <= per_kind:
            shown.append(item)
    more = {k: n - per_kind for k, n in counts.items() if n > per_kind}
    return InboxPage(shown, more)


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
