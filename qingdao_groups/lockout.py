"""Sign-in lockout (django-axes, issue 12): the client's address and a per-address limit.

django-axes locks the pair (user name, address) after AXES_FAILURE_LIMIT failures, so a wrong
password typed elsewhere never locks an account at its owner's address. It compares one limit
with the largest count of its lockout parameters, so it cannot give the address alone a second,
higher limit; this handler adds it: AXES_ADDRESS_FAILURE_LIMIT failures from one address, across
every user name, within the cool-off lock that address for every user name (password spraying).
The address is the client's as django-ipware reads it from the proxy's X-Forwarded-For
(AXES_IPWARE_* settings; settings.production).
"""

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Sum


def client_address(request) -> str | None:
    """The client's address behind the reverse proxy (the one the lockout and the login records
    use); REMOTE_ADDR when no proxy is configured."""
    address = getattr(request, "axes_ip_address", None)
    return address or get_client_ip_address(request)


class AddressLimitedHandler(AxesDatabaseHandler):
    """AxesDatabaseHandler plus the per-address limit (AXES_ADDRESS_FAILURE_LIMIT)."""

    def address_failures(self, request) -> int:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The pair's failures, or the pair limit itself once the address has reached its own
        limit (so that axes, which compares this figure with AXES_FAILURE_LIMIT, locks)."""
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        if self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_address_locked = True  # the lockout page says which lock it is
            return limit
        return failures
