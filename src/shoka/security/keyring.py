"""Key material for personal data, kept in a key file apart from the data.

The key file is JSON, mode 0600, created by `shoka init` and never committed:

    {"format": "shoka-keys/1",
     "data_keys":  {"1": "<base64 32 bytes>", ...}, "active_data_key": 1,
     "index_keys": {"1": "<base64 32 bytes>", ...}, "active_index_key": 1,
     "audit_key": "<base64 32 bytes>"}

- data keys encrypt personal fields with AES-256-GCM (versioned, so rotation can re-encrypt
  row by row while both versions still decrypt);
- index keys make keyed HMAC-SHA256 blind indexes for exact-match lookups (card, phone, email)
  and name/reading search tokens; lookups try every index key present, so a rotation in
  progress never makes a patron unfindable;
- the audit key makes the audit and access logs' hash chains keyed (HMAC), so someone with
  write access to the database alone cannot rebuild a consistent chain after tampering.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "shoka-keys/1"
KEY_BYTES = 32


class KeyFileError(RuntimeError):
    """The key file is missing, unreadable, malformed or unsafely stored."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) != KEY_BYTES:
        raise KeyFileError(f"a key in the key file is {len(raw)} bytes, expected {KEY_BYTES}")
    return raw


@dataclass(frozen=True)
class KeyRing:
    data_keys: dict[int, bytes]
    active_data_key: int
    index_keys: dict[int, bytes]
    active_index_key: int
    audit_key: bytes
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def generate(cls) -> KeyRing:
        return cls(
            data_keys={1: secrets.token_bytes(KEY_BYTES)},
            active_data_key=1,
            index_keys={1: secrets.token_bytes(KEY_BYTES)},
            active_index_key=1,
            audit_key=secrets.token_bytes(KEY_BYTES),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "data_keys": {str(k): _b64(v) for k, v in sorted(self.data_keys.items())},
                "active_data_key": self.active_data_key,
                "index_keys": {str(k): _b64(v) for k, v in sorted(self.index_keys.items())},
                "active_index_key": self.active_index_key,
                "audit_key": _b64(self.audit_key),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, path: Path | None = None) -> KeyRing:
        try:
            doc = json.loads(text)
            if doc.get("format") != FORMAT:
                raise KeyFileError(f"unknown key file format {doc.get('format')!r}")
            ring = cls(
                data_keys={int(k): _unb64(v) for k, v in doc["data_keys"].items()},
                active_data_key=int(doc["active_data_key"]),
                index_keys={int(k): _unb64(v) for k, v in doc["index_keys"].items()},
                active_index_key=int(doc["active_index_key"]),
                audit_key=_unb64(doc["audit_key"]),
                path=path,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyFileError(f"malformed key file {path}: {exc}") from exc
        if ring.active_data_key not in ring.data_keys:
            raise KeyFileError("the active data key is not in the key file")
        if ring.active_index_key not in ring.index_keys:
            raise KeyFileError("the active index key is not in the key file")
        return ring

    def with_new_keys(self) -> KeyRing:
        """A ring with a fresh active data key and index key; old ones kept for decryption."""
        new_data = max(self.data_keys) + 1
        new_index = max(self.index_keys) + 1
        return KeyRing(
            data_keys={**self.data_keys, new_data: secrets.token_bytes(KEY_BYTES)},
            active_data_key=new_data,
            index_keys={**self.index_keys, new_index: secrets.token_bytes(KEY_BYTES)},
            active_index_key=new_index,
            audit_key=self.audit_key,
            path=self.path,
        )

    def without_old_keys(self) -> KeyRing:
        return KeyRing(
            data_keys={self.active_data_key: self.data_keys[self.active_data_key]},
            active_data_key=self.active_data_key,
            index_keys={self.active_index_key: self.index_keys[self.active_index_key]},
            active_index_key=self.active_index_key,
            audit_key=self.audit_key,
            path=self.path,
        )


def write_key_file(path: Path, ring: KeyRing, *, overwrite: bool = False) -> None:
    """Write atomically with mode 0600 in a 0700 directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists() and not overwrite:
        raise KeyFileError(f"{path} already exists; refusing to overwrite key material")
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(ring.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def check_key_location(key_file: Path, forbidden_dirs: list[Path]) -> None:
    """Refuse a key file that lives inside the data directory (or static/media folders):
    a copy of the data must never carry the key that opens it."""
    key_file = key_file.resolve()
    for folder in forbidden_dirs:
        folder = folder.resolve()
        if key_file.is_relative_to(folder):
            raise KeyFileError(
                f"the key file {key_file} is inside {folder}; keep keys apart from the data"
            )


def load_key_file(path: Path) -> KeyRing:
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise KeyFileError(
            f"no key file at {path}: run `shoka init` (or set SHOKA_KEY_FILE)"
        ) from exc
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"{path} is readable by others (mode {oct(st.st_mode & 0o777)}); chmod 600"
        )
    return KeyRing.from_json(path.read_text(encoding="ascii"), path=path)


_lock = threading.Lock()
_cached: KeyRing | None = None


def get_keyring() -> KeyRing:
    """The process's key ring, loaded once from settings.SHOKA_KEY_FILE."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                from django.conf import settings

                path = Path(settings.SHOKA_KEY_FILE)
                forbidden = [Path(settings.SHOKA_DATA_DIR)]
                for name in ("STATIC_ROOT", "MEDIA_ROOT"):
                    value = getattr(settings, name, None)
                    if value:
                        forbidden.append(Path(value))
                check_key_location(path, forbidden)
                _cached = load_key_file(path)
    return _cached


def reset_keyring_cache() -> None:
    global _cached
    with _lock:
        _cached = None
