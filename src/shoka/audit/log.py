"""Writing the chained logs.

Services run inside `audited_atomic()`. Events are buffered and appended just before the
outermost block commits: the chain-head lock is then the last lock a transaction takes and is
held only for the append, so audited transactions cannot deadlock on it (STYLE.md §2, §8).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction

from shoka.security.keyring import get_keyring

from .actors import Actor
from .models import AccessEvent, AuditEvent, ChainHead

GENESIS = "0" * 64
CHAINS: dict[str, type[AccessEvent] | type[AuditEvent]] = {
    "access": AccessEvent,
    "audit": AuditEvent,
}


class AuditError(RuntimeError):
    pass


@dataclass
class _Pending:
    chain: str
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    data: dict[str, Any]


@dataclass
class AuditBuffer:
    pending: list[_Pending] = field(default_factory=list)


_local = threading.local()


def _object_ref(obj: models.Model | tuple[str, object] | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return obj[0], str(obj[1])
    return obj._meta.label_lower, str(obj.pk)


@contextmanager
def audited_atomic() -> Iterator[AuditBuffer]:
    """`transaction.atomic()` that appends the events recorded inside it before commit."""
    with transaction.atomic():
        outer: AuditBuffer | None = getattr(_local, "buffer", None)
        if outer is not None:
            yield outer
            return
        buffer = AuditBuffer()
        _local.buffer = buffer
        try:
            yield buffer
            _local.buffer = None
            _flush(buffer)
        finally:
            _local.buffer = None


def record(
    action: str,
    obj: models.Model | tuple[str, object] | None,
    *,
    actor: Actor,
    at: dt.datetime,
    data: dict[str, Any] | None = None,
    chain: str = "audit",
) -> None:
    """Record an event in the current `audited_atomic()` block (required)."""
    buffer: AuditBuffer | None = getattr(_local, "buffer", None)
    if buffer is None:
        raise AuditError(f"{action}: state changes must run inside audited_atomic()")
    if "." not in action:
        raise AuditError(f"action codes are dotted (e.g. loan.checked_out), got {action!r}")
    object_type, object_id = _object_ref(obj)
    buffer.pending.append(
        _Pending(chain, at, actor.code, action, object_type, object_id, dict(data or {}))
    )


def record_access(
    action: str,
    obj: models.Model | tuple[str, object],
    *,
    actor: Actor,
    at: dt.datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """Log a staff read of a patron record; opens its own transaction when none is active."""
    with audited_atomic():
        record(action, obj, actor=actor, at=at, data=data, chain="access")


def canonical(
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
) -> bytes:
    at_utc = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps(
        [seq, at_utc, actor, action, object_type, object_id, data],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def chain_hash(key: bytes, prev_hash: str, content: bytes) -> str:
    return hmac.new(key, prev_hash.encode("ascii") + content, hashlib.sha256).hexdigest()


def _lock_head(chain: str) -> ChainHead:
    try:
        return ChainHead.objects.select_for_update().get(chain=chain)
    except ChainHead.DoesNotExist:
        try:
            with transaction.atomic():
                ChainHead.objects.create(chain=chain, seq=0, hash=GENESIS)
        except IntegrityError:
            pass
        return ChainHead.objects.select_for_update().get(chain=chain)


def _flush(buffer: AuditBuffer) -> None:
    if not buffer.pending:
        return
    key = get_keyring().audit_key
    for chain in sorted({p.chain for p in buffer.pending}):  # fixed lock order
        model = CHAINS[chain]
        head = _lock_head(chain)
        seq, prev = head.seq, head.hash
        rows: list[Any] = []
        for p in (p for p in buffer.pending if p.chain == chain):
            seq += 1
            digest = chain_hash(
                key,
                prev,
                canonical(seq, p.at, p.actor, p.action, p.object_type, p.object_id, p.data),
            )
            rows.append(
                model(
                    seq=seq,
                    at=p.at,
                    actor=p.actor,
                    action=p.action,
                    object_type=p.object_type,
                    object_id=p.object_id,
                    data=p.data,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        model.objects.bulk_create(rows)
        ChainHead.objects.filter(chain=chain).update(seq=seq, hash=prev)
    buffer.pending.clear()
