"""Session expiry: a staff session ends SESSION_COOKIE_AGE after sign-in (one working day)
however busy it is, and after SHOKA_STAFF_IDLE_MINUTES without a request (a desk left
signed in). Closing the browser ends it too (SESSION_EXPIRE_AT_BROWSER_CLOSE).

Django alone renews the session's expiry at every save, so the working-day limit is kept
here from the sign-in time. The time of the last request is written at most once a minute,
so that a busy desk does not write its session row on every scan."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from . import flow

# Write the last-request time when it is older than this (seconds).
SEEN_RESOLUTION = 60


class SessionExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._check(request)
            if expired is not None:
                return expired
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = time.time()
        signed_in = session.get(flow.SIGNED_IN_AT_KEY)
        seen = session.get(flow.SEEN_AT_KEY)
        if signed_in is None or seen is None:
            # A session that did not come through the sign-in pages (tests' force_login,
            # a session from before this middleware): its limits start now.
            session[flow.SIGNED_IN_AT_KEY] = session[flow.SEEN_AT_KEY] = now
            return None
        idle_limit = int(getattr(settings, "SHOKA_STAFF_IDLE_MINUTES", 0)) * 60
        if now - float(signed_in) > settings.SESSION_COOKIE_AGE:
            reason = "expired"
            message = _("Your session ended after a working day. Please sign in again.")
        elif idle_limit and now - float(seen) > idle_limit:
            reason = "idle"
            message = _(
                "You were signed out after %(minutes)d minutes without activity. "
                "Please sign in again."
            ) % {"minutes": idle_limit // 60}
        else:
            if now - float(seen) >= SEEN_RESOLUTION:
                session[flow.SEEN_AT_KEY] = now
            return None
        flow.sign_out(request, reason=reason)
        messages.warning(request, message)
        response = redirect_to_login(request.get_full_path())
        if request.headers.get("HX-Request"):
            # htmx follows a redirect inside the page; ask it to load the sign-in page instead.
            htmx = HttpResponse(status=200)
            htmx["HX-Redirect"] = response["Location"]
            return htmx
        return response
