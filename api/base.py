"""What every API view shares (issue 11): who is calling (key or session), scopes, throttles,
the caller's language, problem+json errors, `ETag`/`If-None-Match`, and the record of the call.
Endpoints subclass `ApiView` (or `ApiListView` for a list with cursor pagination) and stay thin:
they read through the features' selectors and write through their services."""

import hashlib
import time

from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_vary_headers
from rest_framework import generics
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from api.authentication import ApiKeyAuthentication, PersonSessionAuthentication
from api.models import ApiCall, ApiKey
from api.scopes import HasScope, key_of
from api.throttling import ClientRateThrottle, ClientWriteRateThrottle
from groups.registry.membership import today as membership_today
from qingdao_groups.core.figures import shared_figures
from qingdao_groups.lockout import client_address
from qingdao_groups.middleware import _supported

LANGUAGES = ("zh-hans", "en")


class Cursor(CursorPagination):
    """Stable order by key; `page_size` up to 200."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "id"
    cursor_query_description = "分页游标：取上一页响应中 next 或 previous 的地址，不要自行构造。"
    page_size_query_description = "每页条数（默认 50，最多 200）。"


def _caller_language(request) -> str | None:
    """A key's caller chooses by Accept-Language (Chinese unless it asks for English); a person
    keeps their account's language (set by the middleware)."""
    if not request.META.get("HTTP_AUTHORIZATION"):
        return None
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-hans"
        if tag.startswith("en"):
            return "en"
    return "zh-hans"


class ApiMixin:
    authentication_classes = [ApiKeyAuthentication, PersonSessionAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle, ClientWriteRateThrottle]
    scopes: dict[str, tuple[str, ...]] = {}
    clause = ""  # the policy clause of the endpoint, when a refusal names none itself

    @classmethod
    def as_view(cls, **initkwargs):
        # The API authenticates by key itself: the pages' login redirect does not apply.
        return login_not_required(super().as_view(**initkwargs))

    def initialize_request(self, request, *args, **kwargs):
        request._api_started = time.monotonic()
        language = _caller_language(request)
        if language:
            translation.activate(_supported(language) or "zh-hans")
            request.LANGUAGE_CODE = translation.get_language()
        return super().initialize_request(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response = self._conditional(request, response)
        response["Cache-Control"] = "private, no-cache"
        response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ("Authorization", "Accept-Language", "Cookie"))
        self._record(request, response)
        return response

    def _conditional(self, request, response):
        """A strong ETag over the body of every successful read; a matching If-None-Match gets
        304 without the body (the client keeps its copy)."""
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or not isinstance(response, Response)
        ):
            return response
        response.render()
        tag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = tag
        asked = request.META.get("HTTP_IF_NONE_MATCH", "")
        if asked and (asked.strip() == "*" or tag in [t.strip() for t in asked.split(",")]):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = tag
            return not_modified
        return response

    def _record(self, request, response) -> None:
        key = key_of(request) or getattr(request._request, "_api_key_seen", None)
        user = getattr(request, "_user", None)
        if key is None and not (user and user.is_authenticated):
            seen = getattr(request._request, "_api_key_seen", None)
            key = seen if isinstance(seen, ApiKey) else None
        started = getattr(request._request, "_api_started", None)
        match = request._request.resolver_match
        call = ApiCall(
            client_id=key.client_id if key else None,
            key=key,
            user=user if (user and user.is_authenticated) else None,
            method=request.method[:10],
            endpoint=(match.view_name if match else "")[:100],
            path=request.get_full_path()[:300],
            status=response.status_code,
            duration_ms=int((time.monotonic() - started) * 1000) if started else 0,
            address=client_address(request._request),
        )
        if request.method in ("GET", "HEAD") and not connection.in_atomic_block:
            # A read's record alone in its transaction, committed without waiting for the disk
            # (PostgreSQL's asynchronous commit: the row is durable a fraction of a second later;
            # only a crash of the database server in that moment loses it, never a write's data,
            # which keeps the synchronous commit). Waiting for the disk was a read's largest
            # single cost in issue 11's bench.
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                call.save(force_insert=True)
        else:
            call.save(force_insert=True)


class ApiView(ApiMixin, generics.GenericAPIView):
    pass


class ApiListView(ApiMixin, generics.ListAPIView):
    pagination_class = Cursor


class SharedRegistryList:
    """A registry list (groups, schools) that other systems poll: each caller's page is kept in
    the cache with the home page's figures (qingdao_groups.core.figures), keyed by the caller
    (its account, role and unit), the day the list is read, the endpoint, the language and the
    whole address (filters, cursor, page size, as_of), and only while the registry generation
    it was computed under is current: a saved or deleted school, authority, group, membership,
    charter document or council seat, and a django-guardian grant given or taken back, start a
    new generation, so the next call computes afresh; at most FIGURES_TTL seconds old otherwise
    (a write that bypasses the signals). A call that finds it still authenticates its key, is
    throttled and recorded, and gets its ETag; it costs no query of the list's own (issue 11:
    these lists at >= 40 % of the bench's floor)."""

    def scope_day(self):
        return membership_today()

    def list(self, request, *args, **kwargs):
        parent = super().list  # type: ignore[misc]
        user = request.user
        match = request._request.resolver_match
        name = "\n".join(
            (
                match.view_name if match else "",
                f"{user.pk}:{user.role}:{user.authority_id}:{user.school_id}",
                str(self.scope_day()),
                translation.get_language() or "",
                request.build_absolute_uri(),
            )
        )
        digest = hashlib.sha256(name.encode()).hexdigest()
        data = shared_figures(f"api:{digest}", lambda: parent(request, *args, **kwargs).data)
        return Response(data)
