"""A cache that lives for one request (issue 7: a user's scope computed once per request).

RequestCacheMiddleware opens it when a request starts and drops it when the response is built;
outside a request (shell, tasks, tests calling selectors directly) there is none and `cached`
simply computes, so nothing can go stale across requests or after a write in a test."""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

_cache: ContextVar[dict | None] = ContextVar("qg_request_cache", default=None)


def cached(key: tuple, compute: Callable[[], Any]) -> Any:
    store = _cache.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
