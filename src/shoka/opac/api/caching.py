"""Conditional GETs for answers that change with the day as well as with the catalogue.

``shoka.opac.caching.public_cached`` keys its ETag on the catalogue's changeset sequence;
availability, holdings, branches and calendars also say whether a branch is open *today*,
so their validators here add the library's local date: a client revalidating after midnight
gets the new answer instead of a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from django.views.decorators.vary import vary_on_headers

from shoka.opac.caching import catalogue_version


def _etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    sequence, _ = catalogue_version()
    key = f"{sequence}|{timezone.localdate()}|{get_language()}|{request.get_full_path()}"
    return '"d' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime:
    _, applied_at = catalogue_version()
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return max(applied_at, midnight) if applied_at else midnight


def daily_cached(
    max_age: int = 60,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)
        cached = cache_control(public=True, max_age=max_age)(conditional)
        return vary_on_headers("Accept-Language", "Cookie")(cached)

    return decorator
