"""The receiver's HTTP endpoints (docs/publishing.md, "Protocol"): thin, JSON only."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from shoka.publish.signing import SIGNATURE_HEADER

from .receiver import expected_sequence, receive

MAX_BODY = 50_000_000


@csrf_exempt  # authenticated by the Ed25519 signature, not by a browser session
@require_POST
def changesets(request: HttpRequest) -> JsonResponse:
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return JsonResponse({"error": "too_large", "reason": "changeset too large"}, status=413)
    outcome = receive(request.body, request.headers.get(SIGNATURE_HEADER))
    return JsonResponse(outcome.data, status=outcome.http_status)


@require_GET
def status(request: HttpRequest) -> JsonResponse:
    response = JsonResponse({"expected": expected_sequence()})
    response["Cache-Control"] = "no-store"
    return response
