"""HTTP caching for the public site: every catalogue-derived GET answer carries an ETag, a
Last-Modified and a Cache-Control, and a conditional request is answered 304 without
rendering anything (docs/opac.md, "Caching").

The catalogue changes only when a changeset is applied, so its version is the receiver's
last sequence number and the time it was applied (``ReceiverState``). An answer also depends
on the language it is rendered in, on its path and query, and — for lists like new
arrivals and the calendar's "today" — on the date; the ETag covers all four.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from shoka.publish.public.models import ReceiverState

View = Callable[..., HttpResponse]


# The version is asked for several times per request (ETag, Last-Modified, the view) and on
# every request: it is read from the database at most once a second per process. A page may
# so carry the previous version's ETag for up to a second after a changeset is applied,
# which only costs that client one more full answer later.
VERSION_TTL = 1.0
_version: tuple[float, tuple[int, dt.datetime | None]] = (-VERSION_TTL, (0, None))


def catalogue_version() -> tuple[int, dt.datetime | None]:
    """(last applied changeset sequence, when it was applied); (0, None) before the first."""
    global _version
    read_at, value = _version
    now = time.monotonic()
    if now - read_at < VERSION_TTL:
        return value
    row = ReceiverState.objects.filter(id=1).values_list("last_sequence", "applied_at").first()
    value = (int(row[0]), row[1]) if row else (0, None)
    _version = (now, value)
    return value


def forget_version() -> None:
    """Read the version from the database at the next call (the receiver calls this after
    applying a changeset, so a page served by the receiving process is never stale)."""
    global _version
    _version = (-VERSION_TTL, (0, None))


def _etag(request: HttpRequest, *_args: Any, **_kwargs: Any) -> str:
    sequence, _applied = catalogue_version()
    key = "\n".join(
        (str(sequence), get_language() or "", timezone.localdate().isoformat(),
         request.get_full_path())
    )  # fmt: skip
    return f"c{sequence}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def _last_modified(_request: HttpRequest, *_args: Any, **_kwargs: Any) -> dt.datetime | None:
    _sequence, applied = catalogue_version()
    if applied is None:
        return None
    # Answers that depend on the date change at midnight even without a changeset.
    return max(applied, _midnight(timezone.localdate(), timezone.get_current_timezone()))


@functools.lru_cache(maxsize=8)
def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The start of ``day`` in ``zone`` (asked for on every page; it changes once a day)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone)


def public_cached(max_age: int = 300) -> Callable[[View], View]:
    """Decorate a public GET view: ETag + Last-Modified from the catalogue version, 304 on
    If-None-Match / If-Modified-Since without calling the view, ``Cache-Control: public,
    max-age`` and ``Vary: Accept-Language, Cookie`` (the language may come from either)."""

    def decorate(view: View) -> View:
        conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = conditional(request, *args, **kwargs)
            if response.status_code in (200, 304) and not response.has_header("Cache-Control"):
                patch_cache_control(response, public=True, max_age=max_age)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            return response

        return wrapped

    return decorate
