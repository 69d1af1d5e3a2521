"""AdmissionMiddleware: the first thing a request meets on the public site after static files.

1. Per-client rate limits (429 + Retry-After): one set of windows per network group
   (IPv4 /24, IPv6 /56 by default) or per known API key; allowlisted aggregators skip them.
2. Per-client requests in flight (429 + Retry-After): one client holds at most a few of a
   process's slots at once.
3. A per-process concurrency cap (503 + Retry-After): when every slot is taken the request is
   refused at once instead of queueing until latency collapses for everyone.

Nothing is stored per visitor except short-lived counters in memory or Redis.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from . import clients
from .config import Policy
from .dbtimeout import is_database_busy
from .inflight import ClientSlots
from .limiter import ClientLimiter

logger = logging.getLogger(__name__)

API_KEY_HEADER = "HTTP_X_API_KEY"
API_KEY_PARAM = "api_key"
RECEIVER_PREFIX = "/publish/"  # shoka.publish.public's signed endpoints


def _both(message: str) -> dict[str, str]:
    """The message in Japanese and English: the limits answer before language negotiation,
    and a crawler's operator may read either."""
    out = {}
    for lang in ("ja", "en"):
        with translation.override(lang):
            out[lang] = gettext(message)
    return out


def refusal(request: HttpRequest, status: int, retry_after: int, api: bool) -> HttpResponse:
    if status == 429:
        code = "too_many_requests"
        text = _both(
            gettext_noop("Too many requests from your network. Please wait and try again.")
        )
    else:
        code = "busy"
        text = _both(gettext_noop("The catalogue is busy right now. Please try again in a moment."))
    if api:
        body = json.dumps(
            {"error": code, "retry_after": retry_after, "message": text}, ensure_ascii=False
        )
        response = HttpResponse(body, status=status, content_type="application/json")
    else:
        lines = [text["ja"], text["en"], "", f"Retry-After: {retry_after}"]
        response = HttpResponse(
            "\n".join(lines) + "\n", status=status, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    # Not one warning line per refusal in Django's log: a flood would become a log flood.
    # The access log still records each one.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class AdmissionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: Policy = getattr(settings, "SHOKA_ADMISSION", None) or Policy()
        self.limiter = ClientLimiter(self.policy.storage, processes=self.policy.processes)
        cap = self.policy.max_concurrent
        self.slots = threading.BoundedSemaphore(cap) if cap else None
        per_client = self.policy.per_client_concurrent
        self.client_slots = ClientSlots(per_client) if per_client else None

    def _is_api(self, request: HttpRequest) -> bool:
        return request.path.startswith(self.policy.api_prefixes)

    def bucket(self, request: HttpRequest) -> str | None:
        """The bucket a request counts against, or None when it is allowlisted."""
        policy = self.policy
        if request.path.startswith(RECEIVER_PREFIX):
            # The publishing receiver checks every changeset's signature itself, and a full
            # re-publish pushes many in a row: the staff side is not a crawler to slow down
            # (the concurrency cap still applies).
            return None
        key = request.META.get(API_KEY_HEADER) or request.GET.get(API_KEY_PARAM)
        if key and key in policy.allow_api_keys:
            return None
        address = clients.client_address(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR"),
            policy.trusted_proxies,
        )
        if clients.is_allowed(address, policy.allow_networks):
            return None
        if key and key in policy.api_keys:
            return f"key:{clients.key_id(key)}"
        if address is None:
            return "net:unknown"
        return f"net:{clients.network_of(address, policy.ipv4_prefix, policy.ipv6_prefix)}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.policy.enabled:
            return self.get_response(request)
        bucket = self.bucket(request)
        if bucket is not None:
            items = (
                self.policy.per_api_key_items
                if bucket.startswith("key:")
                else self.policy.per_client_items
            )
            decision = self.limiter.hit(bucket, items)
            if not decision.allowed:
                return refusal(request, 429, decision.retry_after, self._is_api(request))
            if self.client_slots is not None:
                if not self.client_slots.acquire(bucket):
                    return refusal(request, 429, 1, self._is_api(request))
                try:
                    return self._capped(request)
                finally:
                    self.client_slots.release(bucket)
        return self._capped(request)

    def _capped(self, request: HttpRequest) -> HttpResponse:
        """The request under the process's concurrency cap."""
        if self.slots is None:
            return self.get_response(request)
        wait = self.policy.concurrency_wait
        got = self.slots.acquire(timeout=wait) if wait > 0 else self.slots.acquire(blocking=False)
        if not got:
            return refusal(request, 503, self.policy.busy_retry_after, self._is_api(request))
        try:
            return self.get_response(request)
        finally:
            self.slots.release()

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A query stopped by the statement timeout, or no pooled connection free in time,
        means the database is too slow right now: a 503 with Retry-After, like the
        concurrency cap's, not a 500 (one warning line)."""
        if not is_database_busy(exception):
            return None
        logger.warning("database busy (%s): %s answered 503", exception, request.path)
        return refusal(request, 503, self.policy.busy_retry_after, self._is_api(request))
