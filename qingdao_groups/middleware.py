"""Session policy that Django has no setting for: an absolute lifetime after login."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

SESSION_LOGIN_AT = "qg_login_at"


class AbsoluteSessionTimeoutMiddleware:
    """Log a user out 12 hours after login however active they are (the idle limit of 30
    minutes is the sliding session cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_LOGIN_AT)
            if started is None:
                request.session[SESSION_LOGIN_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        return self.get_response(request)
