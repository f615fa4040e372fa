"""How a call says who it is (issue 11): `Authorization: Bearer qg_<prefix>_<secret>` for a
client's system, or the signed-in person's session (the pages' own htmx calls; DRF's session
authentication checks the CSRF token on writes). A password in a header is never accepted.

Every refusal is the same 401 whatever the reason (unknown, wrong, revoked or expired key, a
stopped client), so a caller learns nothing about which keys exist; the reason is logged."""

import logging

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api import keys
from api.models import ApiKey

log = logging.getLogger("api.auth")

KEYWORD = "Bearer"
# last_used_at is written at most this often per key (one UPDATE per minute, not per call).
LAST_USED_EVERY = 60


class KeyRefused(exceptions.AuthenticationFailed):
    default_detail = _("接口密钥无效、已过期或已被吊销。")
    default_code = "key_refused"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != KEYWORD.lower():
            return None  # Basic and the rest: not ours; the call goes on unauthenticated
        parsed = keys.parse(token.strip())
        if parsed is None:
            log.info("api key refused: malformed")
            raise KeyRefused()
        prefix, secret = parsed
        # By the unique prefix, without ORDER BY and LIMIT (`first()` added both: PostgreSQL
        # planned the four joined tables about twice as long; core.queries.by_key, issue 7).
        rows = list(
            ApiKey.objects.select_related("client", "client__user", "client__user__authority")
            .filter(prefix=prefix)
            .order_by()
        )
        key = rows[0] if rows else None
        now = timezone.now()
        if key is None or not keys.matches(secret, key.secret_sha256):
            log.info("api key refused: unknown prefix or wrong secret (%s)", prefix)
            raise KeyRefused()
        # the call is recorded with the client, even when refused (on the Django request: DRF's
        # Request sets attributes on itself)
        request._request._api_key_seen = key
        client = key.client
        if key.state_on(now) != "active" or client.revoked_at is not None:
            log.info("api key refused: %s %s", prefix, key.state_on(now))
            raise KeyRefused()
        if not client.user.is_active:
            raise KeyRefused()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > LAST_USED_EVERY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return (client.user, key)

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'


class PersonSessionAuthentication(authentication.SessionAuthentication):
    """The session of a signed-in person (never a client's system account)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result and getattr(result[0], "is_system_account", False):
            return None
        return result
