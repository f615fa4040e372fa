"""Rate limits per client (issue 11): DRF's throttling, counted in the `api` cache (Redis in
production and CI, `API_THROTTLE_CACHE_URL`), keyed by the client — not by the address, which
behind the proxy is the proxy's. A person's session is limited per person. A refusal is 429 with
`Retry-After` (DRF sets it from `wait()`)."""

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from api.scopes import key_of


class ClientRateThrottle(SimpleRateThrottle):
    scope = "client"

    def __init__(self):
        self.cache = caches["api"]
        super().__init__()

    def get_cache_key(self, request, view):
        key = key_of(request)
        if key is not None:
            ident = f"client-{key.client_id}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ClientWriteRateThrottle(ClientRateThrottle):
    """Writes (filings, plans with their documents) have a lower limit of their own."""

    scope = "client_write"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
