"""The receiver's HTTP endpoints (docs/publishing.md, "Protocol"): thin, JSON only."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from shoka.publish.signing import SIGNATURE_HEADER

from .receiver import expected_sequence, receive

# The largest changeset accepted. Read from the stream here rather than through
# request.body, whose limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB) suits the public forms.
MAX_BODY = 16_000_000


def _too_large() -> JsonResponse:
    reason = f"a changeset may be at most {MAX_BODY} bytes"
    return JsonResponse({"error": "too_large", "reason": reason}, status=413)


@csrf_exempt  # authenticated by the Ed25519 signature, not by a browser session
@require_POST
def changesets(request: HttpRequest) -> JsonResponse:
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return _too_large()
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _too_large()
    outcome = receive(body, request.headers.get(SIGNATURE_HEADER))
    return JsonResponse(outcome.data, status=outcome.http_status)


@require_GET
def status(request: HttpRequest) -> JsonResponse:
    response = JsonResponse({"expected": expected_sequence()})
    response["Cache-Control"] = "no-store"
    return response
