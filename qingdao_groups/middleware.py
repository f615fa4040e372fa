"""Session policy that Django has no setting for: an absolute lifetime after login, and an idle
limit kept without writing the session back on every request; and the language a page is
served in (the person's choice, not the browser's)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import translation

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


# --- Language (issue 8): Chinese for everyone unless the person chose English ---------------

SESSION_LANGUAGE_CHOSEN = "qg_language_chosen"


def _supported(code: str | None) -> str | None:
    return code if code in dict(settings.LANGUAGES) else None


def request_language(request) -> str:
    """The language a request is served in: a signed-in person's choice kept on their account;
    before sign-in, the choice made with the language button (its cookie); otherwise Chinese.
    The browser's Accept-Language is not asked: a bureau's machines often say English."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return _supported(user.language) or settings.LANGUAGE_CODE
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return _supported(cookie) or settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Takes the place of Django's LocaleMiddleware, after AuthenticationMiddleware so the
    account's choice is known. The user row is loaded for every signed-in request anyway (the
    login requirement reads it), so this costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def remember_language_chosen_before_login(sender, request, user, **kwargs):
    """A choice made with the language button on the login page, in this session, is the
    person's choice: it is kept on the account they sign in to (login keeps the session's
    data). Without such a choice the account's language stands."""
    if request is None or not hasattr(request, "session"):
        return
    chosen = _supported(request.session.pop(SESSION_LANGUAGE_CHOSEN, None))
    if chosen and chosen != user.language:
        from members.services import user_language_set

        user_language_set(user=user, language=chosen)


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


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set (issue 12): Permissions-Policy (every
    powerful feature refused), Cross-Origin-Resource-Policy (our responses are not embedded by
    other sites), and `Cache-Control: no-store` on what a signed-in person is shown, so that a
    shared machine's browser cache or the back button after logout does not keep it. A response
    that says its own Cache-Control keeps it: the API's `private, no-cache` (revalidated by
    ETag; its clients are other systems' servers, issue 11), downloads' `private, no-store`, a
    published picture's public max-age. Static files are served before this (WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
