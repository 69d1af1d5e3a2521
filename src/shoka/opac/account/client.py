"""The OPAC's side of the patron API: signed requests to the staff side, signed answers
checked (docs/opac-self-service.md). Nothing is kept, cached or logged: each call carries the
browser's opaque session token and returns the staff side's answer to the page being built.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import translation

from shoka.publish.signing import PublishKeyError, load_private_key, parse_public_key
from shoka.security import servicesig

# The settings are the OPAC's (shoka.settings.opac), read with getattr: the type checker
# runs with the staff settings. Only the kind of failure is logged, never a card number, a
# token or an answer's body.
log = logging.getLogger("shoka.opac.account")

MAX_ANSWER = 1024 * 1024


class StaffUnavailable(Exception):  # noqa: N818 — the pages answer 503
    """The staff side could not be reached, answered 5xx, or answered unsigned."""


@dataclass(frozen=True)
class Answer:
    status: int
    data: dict[str, Any]

    @property
    def error(self) -> str:
        return str(self.data.get("error", ""))


@cache
def _service_key(path: str) -> Ed25519PrivateKey:
    return load_private_key(Path(path))


@cache
def _staff_key(text: str) -> Ed25519PublicKey:
    return parse_public_key(text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a signed API does not redirect; follow nothing


_opener = urllib.request.build_opener(_NoRedirect)


def call(method: str, path: str, *, token: str = "", data: dict[str, Any] | None = None) -> Answer:
    """One signed call to the patron API. `path` is relative to SHOKA_OPAC_STAFF_API_URL."""
    base = getattr(settings, "SHOKA_OPAC_STAFF_API_URL", "")
    if not base:
        log.error("patron API: SHOKA_OPAC_STAFF_API_URL is not set")
        raise StaffUnavailable("not configured")
    try:
        key = _service_key(getattr(settings, "SHOKA_OPAC_SERVICE_KEY_FILE", ""))
        staff_key = _staff_key(getattr(settings, "SHOKA_PUBLISH_STAFF_KEY", ""))
    except PublishKeyError as exc:
        log.error("patron API: %s", exc)
        raise StaffUnavailable("not configured") from None
    url = base.rstrip("/") + "/" + path.lstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise StaffUnavailable("not an http(s) URL")
    signed_path = parts.path + (f"?{parts.query}" if parts.query else "")
    body = b"" if data is None else json.dumps(data, ensure_ascii=False).encode("utf-8")
    signed = servicesig.sign_request(key, method, signed_path, body)
    headers = {
        **signed.as_dict(),
        "Accept": "application/json",
        "Accept-Language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    if data is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers[servicesig.SESSION_HEADER] = token
    request = urllib.request.Request(  # noqa: S310 — http(s) only, checked above
        url, data=body or None, headers=headers, method=method
    )
    try:
        timeout = getattr(settings, "SHOKA_OPAC_STAFF_API_TIMEOUT", 10)
        with _opener.open(request, timeout=timeout) as response:
            status, raw, signature = (
                response.status,
                response.read(MAX_ANSWER),
                response.headers.get(servicesig.SIGNATURE_HEADER),
            )
    except urllib.error.HTTPError as exc:
        status, raw, signature = (
            exc.code,
            exc.read(MAX_ANSWER),
            exc.headers.get(servicesig.SIGNATURE_HEADER),
        )
    except (OSError, ValueError) as exc:
        log.warning("patron API unreachable (%s)", type(exc).__name__)
        raise StaffUnavailable("unreachable") from None
    if not servicesig.check_answer(staff_key, status, signed.nonce, raw, signature):
        log.warning("patron API: an answer (status %d) without a valid signature", status)
        raise StaffUnavailable("unsigned answer")
    if status >= 500:
        log.warning("patron API answered %d", status)
        raise StaffUnavailable(str(status))
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        raise StaffUnavailable("not JSON") from None
    if not isinstance(parsed, dict):
        raise StaffUnavailable("not a JSON object")
    if status == 401 and str(parsed.get("error", "")).startswith("signature"):
        log.error("patron API refused our signature (%s)", parsed.get("error"))
        raise StaffUnavailable("signature refused")
    return Answer(status, parsed)
