"""Generated files (letters, postcards, call lists) are streamed to whoever asked. When one
must be kept — printed later, fetched again — it is sealed with the data key (AES-256-GCM)
and kept in the database, never on disk, until it expires (24 hours by default); the daily
job deletes expired copies. Generation, keeping and fetching are each audit-logged."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.organisation.models import Library
from shoka.security.crypto import DecryptionError, decrypt_bytes, encrypt_bytes
from shoka.security.keyring import KeyRing, get_keyring

from .models import StoredFile

DEFAULT_KEEP = dt.timedelta(hours=24)


class FileGoneError(LookupError):
    """No such file, or it has expired (the message says which, never what it held)."""


def keep_for() -> dt.timedelta:
    hours = getattr(settings, "SHOKA_NOTICE_FILE_HOURS", None)
    return dt.timedelta(hours=float(hours)) if hours else DEFAULT_KEEP


def _aad(token: str) -> str:
    return f"notices.storedfile:{token}"


def generated(
    library: Library,
    kind: str,
    data: bytes,
    *,
    actor: Actor,
    at: dt.datetime,
    count: int,
    batch: int | None = None,
) -> bytes:
    """Log that a file was made and handed to `actor`; returns the bytes to stream."""
    facts: dict[str, object] = {"kind": kind, "notices": count, "bytes": len(data)}
    if batch is not None:
        facts["batch"] = batch
    with audited_atomic():
        record(
            "notices.file_generated",
            ("organisation.library", library.pk),
            actor=actor,
            at=at,
            data=facts,
        )
    return data


def keep(
    library: Library,
    kind: str,
    data: bytes,
    *,
    actor: Actor,
    at: dt.datetime,
    persons: int,
    keep: dt.timedelta | None = None,
) -> StoredFile:
    """Seal `data` (about `persons` people: its notices) and keep it until it expires."""
    token = secrets.token_urlsafe(18)
    sealed = encrypt_bytes(get_keyring(), data, _aad(token))
    with audited_atomic():
        stored = StoredFile.objects.create(
            library=library,
            token=token,
            kind=kind,
            created_at=at,
            created_by=actor.code,
            expires_at=at + (keep or keep_for()),
            size=len(data),
            persons=persons,
            sealed=sealed,
        )
        record(
            "notices.file_kept",
            stored,
            actor=actor,
            at=at,
            data={"kind": kind, "bytes": len(data), "expires_at": stored.expires_at.isoformat()},
        )
    return stored


def fetch(token: str, *, actor: Actor, at: dt.datetime) -> tuple[StoredFile, bytes]:
    stored = StoredFile.objects.filter(token=token).first()
    if stored is None:
        raise FileGoneError("no such file: it may have expired and been deleted")
    if stored.expires_at <= at:
        raise FileGoneError("this file has expired")
    try:
        data = decrypt_bytes(get_keyring(), bytes(stored.sealed), _aad(stored.token))
    except DecryptionError:
        # Sealed under a key the key file no longer has (rotation re-seals kept files; a
        # key file restored from an older backup does not know the newer key).
        raise FileGoneError("this file can no longer be opened with the current keys") from None
    with audited_atomic():
        record("notices.file_downloaded", stored, actor=actor, at=at, data={"kind": stored.kind})
    return stored, data


def reseal_all(ring: KeyRing) -> int:
    """Seal every kept file again under the ring's active data key (key rotation calls this
    inside its transaction, while the ring still holds the old keys). Returns how many."""
    count = 0
    for stored in StoredFile.objects.select_for_update().order_by("pk"):
        data = decrypt_bytes(ring, bytes(stored.sealed), _aad(stored.token))
        stored.sealed = encrypt_bytes(ring, data, _aad(stored.token))
        stored.save(update_fields=["sealed"])
        count += 1
    return count


def purge_expired(*, at: dt.datetime, actor: Actor) -> int:
    with audited_atomic():
        expired = list(StoredFile.objects.filter(expires_at__lte=at).values_list("pk", "kind"))
        if expired:
            StoredFile.objects.filter(pk__in=[pk for pk, _ in expired]).delete()
            for pk, kind in expired:
                record(
                    "notices.file_purged",
                    ("notices.storedfile", pk),
                    actor=actor,
                    at=at,
                    data={"kind": kind},
                )
    return len(expired)
