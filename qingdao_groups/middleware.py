"""Session policy that Django has no setting for: an absolute lifetime after login, and an idle
limit kept without writing the session back on every request."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

SESSION_LOGIN_AT = "qg_login_at"
SESSION_SEEN_AT = "qg_seen_at"
# How stale the last-seen stamp may grow before a request refreshes it (and so writes the
# session, which also slides its expiry): the idle limit holds to within this many seconds.
SESSION_TOUCH_INTERVAL = 60


def stamp_login(sender, request, user, **kwargs):
    """At login (which saves the session anyway) the login and last-seen times are set, so the
    first page after it has nothing to write."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_SEEN_AT] = now


class AbsoluteSessionTimeoutMiddleware:
    """Log a user out 12 hours after login however active they are, and after 30 minutes
    without a request (SESSION_COOKIE_AGE). The session is saved only when it changed: the
    last-seen stamp is refreshed at most once a minute, which also renews the stored expiry,
    so a plain page view within the minute writes nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.get(SESSION_LOGIN_AT)
            seen = session.get(SESSION_SEEN_AT)
            if started is not None and now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                return self._logout(request)
            if seen is not None and now - seen > settings.SESSION_COOKIE_AGE:
                return self._logout(request)
            if started is None:
                session[SESSION_LOGIN_AT] = now
            if seen is None or now - seen >= SESSION_TOUCH_INTERVAL:
                session[SESSION_SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _logout(request):
        logout(request)
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")


UPLOAD_HEADER = "X-Upload-Progress"
LOCATION_HEADER = "X-Location"


class UploadRedirectMiddleware:
    """A form with a file is posted by static/js/forms.js through XMLHttpRequest, for its
    progress bar, marked with `X-Upload-Progress: 1`. XMLHttpRequest would follow a redirect
    itself and read the next page (and its messages) in the background; so the redirect of such
    a post is answered as 200 with the target in `X-Location`, and the script navigates there:
    post/redirect/get as for any form (issue 8)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and request.headers.get(UPLOAD_HEADER) == "1"
            and response.status_code in (301, 302, 303, 307, 308)
        ):
            response[LOCATION_HEADER] = response["Location"]
            del response["Location"]
            response.status_code = 200
        return response
