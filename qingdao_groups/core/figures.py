"""Figures shared by everyone who sees the same part of the registry, cached until it changes.

A page's aggregates that are slow at scale and not urgent per item (the home page's counts, the
A-5 targets; issue 7) are computed once per *scope* — a key naming what the reader sees, e.g.
one district's — and kept for at most FIGURES_TTL seconds, and only while the registry
generation they were computed under is current. `registry_changed` replaces the generation on
every change to the registry (qingdao_groups.apps connects it to the models; bulk writes call it
themselves), so the next page view recomputes: no page shows a count that a change it could
have seen has made wrong. What needs action stays live and is never cached here.

The generation is a random token rather than a counter: a cache that lost it (evicted,
restarted) starts a new one, never an old value that stale entries still carry."""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "registry:generation"
FIGURES_TTL = 90  # seconds: bounds what a write the generation does not see can leave stale


def _new_generation(key: str = GENERATION_KEY) -> None:
    cache.set(key, uuid.uuid4().hex, None)


def generation_changed(key: str) -> None:
    """What the generation `key` stands for changed: figures computed before are stale. The
    generation is replaced at once (this request's next read, and tests, see it) and again when
    the transaction commits (a reader in between may have cached figures without the change)."""
    _new_generation(key)
    transaction.on_commit(lambda: _new_generation(key))


def registry_changed(**kwargs: Any) -> None:
    """The registry changed (a signal receiver): see generation_changed."""
    generation_changed(GENERATION_KEY)


def shared_figures(
    scope: str, compute: Callable[[], Any], *, generation_key: str = GENERATION_KEY
) -> Any:
    """`compute()`'s result for `scope`, from the cache while the generation it was computed
    under is current and at most FIGURES_TTL seconds old; computed (and stored) otherwise.
    One round trip to the cache when it holds them. Another part with its own generation (the
    work list's counts, core.inbox) passes its `generation_key`."""
    key = f"figures:{scope}"
    found = cache.get_many([generation_key, key])
    generation = found.get(generation_key)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(generation_key, generation, None):
            generation = cache.get(generation_key) or generation
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    # The generation is read before the figures are computed: a change committed meanwhile
    # replaces it, so what is stored here under the old one is never served again.
    value = compute()
    cache.set(key, (generation, value), FIGURES_TTL)
    return value
