"""Receiving changesets on the OPAC: verify, check against the allowlist, apply in order.

``receive(body, signature)`` is the whole decision; the view only maps its outcome to HTTP.
Order of checks: a receiver without the staff public key refuses everything; the signature
is checked over the raw bytes before they are parsed; then the allowlist (an unknown field
is refused, not dropped); then the sequence, under a row lock on ``ReceiverState``:

- sequence == expected (or a ``resync`` changeset ahead of it): applied, expected + 1;
- sequence < expected: a replay, acknowledged with no change;
- sequence > expected: a gap, not applied; the answer names the expected sequence.

Applying writes the public database and the OPAC's own search index (``indexing``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shoka.publish import allowlist, signing

from .indexing import apply_to_index
from .models import PublicBranch, PublicCalendarDay, PublicItem, PublicRecord, ReceiverState


@dataclass
class Outcome:
    http_status: int
    data: dict[str, Any] = field(default_factory=dict)


def staff_public_key() -> Any:
    text = getattr(settings, "SHOKA_PUBLISH_STAFF_KEY", "")
    return signing.parse_public_key(text) if text else None


def expected_sequence() -> int:
    state = ReceiverState.objects.filter(id=1).first()
    return (state.last_sequence if state else 0) + 1


def _refused(status: int, error: str, reason: str) -> Outcome:
    return Outcome(status, {"error": error, "reason": reason, "expected": expected_sequence()})


def receive(body: bytes, signature: str | None) -> Outcome:
    try:
        key = staff_public_key()
    except signing.PublishKeyError as exc:
        return _refused(503, "not_configured", str(exc))
    if key is None:
        return _refused(
            503, "not_configured", "this OPAC has no staff public key (SHOKA_PUBLISH_STAFF_KEY)"
        )
    if not signature:
        return _refused(
            401, "unsigned", f"the changeset carries no {signing.SIGNATURE_HEADER} header"
        )
    if not signing.verify(key, body, signature):
        return _refused(403, "bad_signature", "the signature does not match the changeset")
    try:
        changeset = allowlist.validate(json.loads(body.decode("utf-8")))
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, allowlist.ChangesetError):
            return _refused(422, exc.code, exc.reason)
        return _refused(400, "malformed", "the changeset is not UTF-8 JSON")
    return _apply_in_order(changeset)


def _apply_in_order(changeset: dict[str, Any]) -> Outcome:
    sequence = int(changeset["sequence"])
    with transaction.atomic():
        ReceiverState.objects.get_or_create(id=1)
        state = ReceiverState.objects.select_for_update().get(id=1)
        expected = state.last_sequence + 1
        if sequence < expected:
            return Outcome(200, {"status": "already_applied", "expected": expected})
        if sequence > expected and not changeset["resync"]:
            return Outcome(
                409,
                {
                    "error": "gap",
                    "reason": f"changeset {sequence} arrived before {expected}",
                    "expected": expected,
                },
            )
        _apply(changeset, sequence)
        state.last_sequence = sequence
        state.applied_at = timezone.now()
        state.save(update_fields=["last_sequence", "applied_at"])
    from shoka.opac.caching import forget_version

    forget_version()
    return Outcome(200, {"status": "applied", "expected": sequence + 1})


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _apply(changeset: dict[str, Any], sequence: int) -> None:
    _apply_to_database(changeset, sequence)
    apply_to_index(changeset["records"], changeset["deleted"])


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _apply_branches(branches: list[dict[str, Any]], sequence: int) -> None:
    """Replace the public branches and their calendars with the list (the whole list is
    always sent); a branch no longer listed is kept for old holdings but marked inactive."""
    codes = [b["code"] for b in branches]
    PublicBranch.objects.exclude(code__in=codes).update(is_active=False, sequence=sequence)
    for branch in branches:
        fields = {k: v for k, v in branch.items() if k not in ("code", "days")}
        row, _ = PublicBranch.objects.update_or_create(
            code=branch["code"], defaults={**fields, "is_active": True, "sequence": sequence}
        )
        PublicCalendarDay.objects.filter(branch=row).delete()
        PublicCalendarDay.objects.bulk_create(
            PublicCalendarDay(
                branch=row,
                date=dt.date.fromisoformat(day["date"]),
                is_open=day["open"],
                opens=_time(day["opens"]),
                closes=_time(day["closes"]),
                closure=day["closure"],
                reason=day["reason"],
            )
            for day in branch["days"]
        )


def _apply_to_database(changeset: dict[str, Any], sequence: int) -> None:
    if changeset["branches"] is not None:
        _apply_branches(changeset["branches"], sequence)
    PublicRecord.objects.filter(id__in=changeset["deleted"]).delete()
    records = changeset["records"]
    if not records:
        return
    # In bulk: one upsert of the records, one delete and one insert of their copies. A copy
    # moved to another record is removed by its id as well, wherever it was.
    record_ids = [r["id"] for r in records]
    item_ids = [i["id"] for r in records for i in r["items"]]
    PublicItem.objects.filter(Q(record_id__in=record_ids) | Q(id__in=item_ids)).delete()
    fields = [name for name in allowlist.RECORD_FIELDS if name not in ("id", "items")]
    PublicRecord.objects.bulk_create(
        [
            PublicRecord(sequence=sequence, **{k: v for k, v in r.items() if k != "items"})
            for r in records
        ],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=[*fields, "sequence"],
    )
    PublicItem.objects.bulk_create(
        [
            PublicItem(
                record_id=r["id"],
                **{
                    **item,
                    "due_on": _date(item["due_on"]),
                    "acquired_on": _date(item["acquired_on"]),
                },
            )
            for r in records
            for item in r["items"]
        ],
        batch_size=1000,
    )
