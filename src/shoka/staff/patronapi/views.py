"""The patron API's views: thin. Each checks the OPAC's signature, the rate limits and the
patron's session, calls shoka.selfservice.services, and signs its JSON answer with the
staff side's publishing key (docs/opac-self-service.md).

    POST   sessions                {"card", "pin"}  → 201 {"token", "expires_at"} | 401 | 423
    DELETE sessions                (session)        → 204
    GET    loans                   (session)        → {"loans": [...]}
    POST   loans/<id>/renew        (session)        → {"loan"} | 404 | 409 {"refusals"}
    GET    holds                   (session)        → {"holds": [...]}
    GET    holds/options           (session)        → pickup branches and notification choices
    POST   holds                   (session) {"record", "pickup_branch", "notify_channel"}
                                                    → 201 {"hold"} | 400 | 404 | 409
    POST   holds/<id>/cancel       (session)        → {"cancelled": id} | 404 | 409
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from limits import RateLimitItem, parse_many

from shoka.admission.limiter import ClientLimiter
from shoka.circulation.errors import CirculationRefused
from shoka.publish.signing import PublishKeyError, load_private_key, parse_public_key
from shoka.security import servicesig
from shoka.selfservice import services
from shoka.selfservice.models import PatronSession
from shoka.staff.access import public_view

log = logging.getLogger("shoka.patronapi")

MAX_BODY = 16 * 1024

View = Callable[..., HttpResponse]


# --- keys and limits ---------------------------------------------------------------------


@cache
def _opac_key(text: str) -> Ed25519PublicKey:
    return parse_public_key(text)


@cache
def _answer_key(path: str) -> Ed25519PrivateKey:
    return load_private_key(Path(path))


DEFAULT_LIMITS = {
    "sign_in_per_card": "10/minute",
    "sign_in": "600/minute",
    "per_session": "120/minute",
    "all": "6000/minute",
}


@cache
def _limiter(storage: str) -> ClientLimiter:
    return ClientLimiter(storage, key_prefix="shoka-patron-api")


def _items(name: str) -> tuple[RateLimitItem, ...]:
    conf = {**DEFAULT_LIMITS, **(getattr(settings, "SHOKA_PATRON_API_LIMITS", {}) or {})}
    return tuple(parse_many(conf[name]))


def reset_limits() -> None:
    """Forget every count (tests; a changed setting)."""
    _limiter.cache_clear()


def _limited(bucket: str, name: str) -> int:
    """0 when allowed, else the seconds to wait."""
    storage = getattr(settings, "SHOKA_PATRON_API_RATE_STORAGE", "memory://")
    decision = _limiter(storage).hit(f"{name}:{bucket}", _items(name))
    return 0 if decision.allowed else decision.retry_after


# --- answers -----------------------------------------------------------------------------


def _json(status: int, data: dict[str, Any] | None = None) -> HttpResponse:
    body = b"" if data is None else json.dumps(data, ensure_ascii=False).encode("utf-8")
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Cache-Control"] = "private, no-store"
    return response


def _error(status: int, code: str, **extra: Any) -> HttpResponse:
    return _json(status, {"error": code, **extra})


def _sign(response: HttpResponse, nonce: str) -> HttpResponse:
    try:
        key = _answer_key(str(settings.SHOKA_PUBLISH_KEY_FILE))
    except PublishKeyError:
        log.error("patron API: no staff signing key (SHOKA_PUBLISH_KEY_FILE): answers unsigned")
        return _error(503, "not_configured")
    response[servicesig.SIGNATURE_HEADER] = servicesig.sign_answer(
        key, response.status_code, nonce, response.content
    )
    return response


def _refused(exc: CirculationRefused) -> HttpResponse:
    return _error(
        409, "refused", refusals=[{"code": str(r.code), "message": r.message} for r in exc.refusals]
    )


# --- the decorator -------------------------------------------------------------------------


def patron_api(methods: tuple[str, ...], *, session: bool = True) -> Callable[[View], View]:
    """Signature, replay, rate limits and (with `session`) the patron's session."""

    def decorate(view: View) -> View:
        @public_view  # open to the OPAC, which authenticates by its signature, not a staff login
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            nonce = request.headers.get(servicesig.NONCE_HEADER, "")
            response = _guarded(view, methods, session, request, *args, **kwargs)
            return _sign(response, nonce)

        return wrapper

    return decorate


def _guarded(
    view: View,
    methods: tuple[str, ...],
    need_session: bool,
    request: HttpRequest,
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    opac_key_text = getattr(settings, "SHOKA_PATRON_API_OPAC_KEY", "")
    if not opac_key_text:
        return _error(503, "not_configured")
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit() or int(length) > MAX_BODY:
        return _error(
            413 if length.isdigit() else 400, "too_large" if length.isdigit() else "bad_length"
        )
    body = request.body
    try:
        servicesig.check_request(
            _opac_key(opac_key_text),
            request.method or "",
            request.get_full_path(),
            body,
            request.headers.get(servicesig.TIMESTAMP_HEADER),
            request.headers.get(servicesig.NONCE_HEADER),
            request.headers.get(servicesig.SIGNATURE_HEADER),
            now=time.time(),
        )
    except servicesig.RequestRefused as exc:
        return _error(401, exc.code)
    now = timezone.now()
    if not services.remember_nonce(request.headers[servicesig.NONCE_HEADER], at=now):
        return _error(401, "signature_replayed")
    if request.method not in methods:
        return _error(405, "method_not_allowed", allowed=list(methods))
    if wait := _limited("all", "all"):
        return _too_many(wait)
    data: dict[str, Any] = {}
    if body:
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _error(400, "bad_json")
        if not isinstance(parsed, dict):
            return _error(400, "bad_json")
        data = parsed
    patron_session = None
    if need_session:
        token = request.headers.get(servicesig.SESSION_HEADER, "")
        if wait := _limited(services.token_hash(token)[:24], "per_session"):
            return _too_many(wait)
        patron_session = services.session_for(token, at=now)
        if patron_session is None:
            return _error(401, "session_invalid")
    try:
        return view(request, data, patron_session, *args, now=now, **kwargs)
    except services.NotFound:
        return _error(404, "not_found")
    except services.BadRequest as exc:
        return _error(400, "bad_request", errors=exc.errors)
    except CirculationRefused as exc:
        return _refused(exc)


def _too_many(wait: int) -> HttpResponse:
    response = _error(429, "too_many_requests", retry_after=wait)
    response["Retry-After"] = str(wait)
    return response


# --- the views -----------------------------------------------------------------------------


@patron_api(("POST", "DELETE"), session=False)
def sessions(request: HttpRequest, data: dict[str, Any], _: None, *, now: Any) -> HttpResponse:
    if request.method == "DELETE":
        session = services.session_for(request.headers.get(servicesig.SESSION_HEADER, ""), at=now)
        if session is not None:
            services.sign_out(session, at=now)
        return _json(204)
    card, pin = data.get("card"), data.get("pin")
    if not isinstance(card, str) or not isinstance(pin, str) or len(card) > 40 or len(pin) > 40:
        return _error(400, "bad_request", errors={"card": "required", "pin": "required"})
    if wait := _limited("all", "sign_in") or _limited(services.card_key(card), "sign_in_per_card"):
        return _too_many(wait)
    outcome = services.sign_in(card, pin, at=now)
    if outcome.refused == "locked" and outcome.locked_until is not None:
        wait = max(1, int((outcome.locked_until - now).total_seconds()))
        response = _error(423, "locked", locked_until=outcome.locked_until.isoformat())
        response["Retry-After"] = str(wait)
        return response
    if outcome.refused or outcome.expires_at is None:
        return _error(401, "invalid_credentials")
    return _json(201, {"token": outcome.token, "expires_at": outcome.expires_at.isoformat()})


@patron_api(("GET",))
def loan_list(
    request: HttpRequest, data: dict[str, Any], session: PatronSession, *, now: Any
) -> HttpResponse:
    return _json(200, {"loans": services.loans(session.patron, at=now)})


@patron_api(("POST",))
def loan_renew(
    request: HttpRequest, data: dict[str, Any], session: PatronSession, loan_id: int, *, now: Any
) -> HttpResponse:
    return _json(200, {"loan": services.renew_loan(session.patron, loan_id, at=now)})


@patron_api(("GET", "POST"))
def hold_list(
    request: HttpRequest, data: dict[str, Any], session: PatronSession, *, now: Any
) -> HttpResponse:
    if request.method == "GET":
        return _json(200, {"holds": services.holds(session.patron)})
    record, pickup, channel = (
        data.get("record"),
        data.get("pickup_branch"),
        data.get("notify_channel"),
    )
    if not isinstance(record, int) or isinstance(record, bool) or not 0 < record < 2**63:
        return _error(400, "bad_request", errors={"record": "a record id is required"})
    if not isinstance(pickup, str) or not pickup or len(pickup) > 32:
        return _error(400, "bad_request", errors={"pickup_branch": "a branch code is required"})
    if not isinstance(channel, str) or not channel:
        return _error(400, "bad_request", errors={"notify_channel": "a channel is required"})
    hold = services.place(session.patron, record, pickup, channel, at=now)
    return _json(201, {"hold": hold})


@patron_api(("GET",))
def hold_options(
    request: HttpRequest, data: dict[str, Any], session: PatronSession, *, now: Any
) -> HttpResponse:
    return _json(200, services.hold_options(session.patron))


@patron_api(("POST",))
def hold_cancel(
    request: HttpRequest, data: dict[str, Any], session: PatronSession, hold_id: int, *, now: Any
) -> HttpResponse:
    services.cancel(session.patron, hold_id, at=now)
    return _json(200, {"cancelled": hold_id})
