"""Pushing changesets to the OPAC's receiver over HTTP(S) (docs/publishing.md, "Delivery").

The receiver answers every POST with the next sequence it expects. Delivery starts from
that number, sends the stored changesets in order, and when the receiver reports a gap
(409) it starts again from the sequence the receiver names. Connection errors and 5xx
answers are retried with a growing pause; a 4xx refusal stops delivery and is reported,
since re-sending the same bytes cannot succeed.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .models import Changeset, PublishTarget
from .signing import SIGNATURE_HEADER

TRIES = 5
FIRST_PAUSE = 0.5
TIMEOUT = 30.0


class DeliveryError(RuntimeError):
    """The OPAC refused a changeset or could not be reached after every try."""


@dataclass
class Answer:
    status: int
    data: dict[str, Any]


@dataclass
class DeliveryReport:
    sent: int = 0
    already_there: int = 0
    expected: int = 1


def _request(
    url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Answer:
    request = urllib.request.Request(  # noqa: S310 — the configured OPAC URL, http(s) only
        url, data=body, headers=headers or {}, method="POST" if body is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return Answer(response.status, json.loads(response.read() or b"{}"))
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {"reason": raw[:200].decode("utf-8", "replace")}
        return Answer(exc.code, data)


def _with_retries(
    call: Callable[[], Answer], *, tries: int, pause: float, sleep: Callable[[float], None]
) -> Answer:
    last: Exception | Answer | None = None
    for attempt in range(tries):
        try:
            answer = call()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = exc
        else:
            if answer.status < 500:
                return answer
            last = answer
        if attempt < tries - 1:
            sleep(pause * 2**attempt)
    detail = f"HTTP {last.status}" if isinstance(last, Answer) else str(last)
    raise DeliveryError(f"the OPAC could not be reached after {tries} tries: {detail}")


def _check_url(url: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise DeliveryError(f"the OPAC receiver URL must start with https:// or http://: {url!r}")
    return url.rstrip("/") + "/"


def push(
    target: PublishTarget,
    url: str,
    *,
    tries: int = TRIES,
    pause: float = FIRST_PAUSE,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> DeliveryReport:
    """Send every changeset the receiver at ``url`` has not applied yet."""
    base = _check_url(url)
    status = _with_retries(lambda: _request(base + "status"), tries=tries, pause=pause, sleep=sleep)
    if status.status != 200:
        raise DeliveryError(f"the OPAC answered HTTP {status.status}: {status.data}")
    report = DeliveryReport(expected=int(status.data["expected"]))
    restarts = 0
    while True:
        pending = list(
            Changeset.objects.filter(target=target, sequence__gte=report.expected).order_by(
                "sequence"
            )
        )
        # A full re-publish supersedes everything built before it: start from the last
        # resync changeset the OPAC has not applied, if there is one.
        resyncs = [i for i, c in enumerate(pending) if c.resync]
        if resyncs:
            pending = pending[resyncs[-1] :]
        if pending and pending[0].sequence != report.expected and not pending[0].resync:
            raise DeliveryError(
                f"the OPAC expects changeset {report.expected}, which is no longer kept "
                "here: run `shoka publish --full`"
            )
        gap = False
        for index, changeset in enumerate(pending):
            answer = _send(base, changeset, tries=tries, pause=pause, sleep=sleep)
            if answer.status == 409 and answer.data.get("error") == "gap":
                report.expected = int(answer.data["expected"])
                gap = True
                break
            if answer.status != 200:
                raise DeliveryError(
                    f"the OPAC refused changeset {changeset.sequence} "
                    f"(HTTP {answer.status}): {answer.data.get('reason', answer.data)}"
                )
            if answer.data.get("status") == "applied":
                report.sent += 1
            else:
                report.already_there += 1
            report.expected = int(answer.data["expected"])
            Changeset.objects.filter(pk=changeset.pk).update(delivered_at=timezone.now())
            if progress:
                progress(index + 1, len(pending))
        if not gap:
            break
        restarts += 1
        if restarts > 3:
            raise DeliveryError(f"the OPAC keeps reporting a gap at {report.expected}")
    Changeset.objects.filter(
        target=target, sequence__lt=report.expected, delivered_at__isnull=True
    ).update(delivered_at=timezone.now())
    return report


def _send(
    base: str, changeset: Changeset, *, tries: int, pause: float, sleep: Callable[[float], None]
) -> Answer:
    body = changeset.body.encode("utf-8")
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: changeset.signature}
    return _with_retries(
        lambda: _request(base + "changesets", body=body, headers=headers),
        tries=tries,
        pause=pause,
        sleep=sleep,
    )
