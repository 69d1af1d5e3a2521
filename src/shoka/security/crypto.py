"""AES-256-GCM field encryption and keyed blind indexes (primitives from `cryptography`).

Ciphertext layout (bytes): b"\\x01" format tag | key version (2 bytes, big endian) |
12-byte random nonce | ciphertext with 16-byte tag. The associated data binds a ciphertext
to its column ("patrons.patron.name"), so a value copied into another column fails to decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keyring import KeyRing

TAG = b"\x01"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value cannot be decrypted: wrong key, unknown key version, or tampering."""


def encrypt(ring: KeyRing, plaintext: str, aad: str) -> bytes:
    return encrypt_bytes(ring, plaintext.encode("utf-8"), aad)


def encrypt_bytes(ring: KeyRing, plaintext: bytes, aad: str) -> bytes:
    """AES-GCM under the active data key, with `aad` bound to the ciphertext; `encrypt` is
    this for text."""
    version = ring.active_data_key
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(ring.data_keys[version]).encrypt(nonce, plaintext, aad.encode())
    return TAG + version.to_bytes(2, "big") + nonce + body


def decrypt_bytes(ring: KeyRing, blob: bytes, aad: str) -> bytes:
    version = key_version(blob)
    key = ring.data_keys.get(version)
    if key is None:
        raise DecryptionError(f"data key version {version} is not in the key file")
    nonce, body = blob[3 : 3 + NONCE_BYTES], blob[3 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad.encode())
    except InvalidTag as exc:
        raise DecryptionError(f"ciphertext for {aad} failed authentication") from exc


def key_version(blob: bytes) -> int:
    if len(blob) < 3 or blob[:1] != TAG:
        raise DecryptionError("not a shoka ciphertext")
    return int.from_bytes(blob[1:3], "big")


def decrypt(ring: KeyRing, blob: bytes, aad: str) -> str:
    return decrypt_bytes(ring, blob, aad).decode("utf-8")


def blind_index(key: bytes, purpose: str, value: str) -> str:
    """Keyed HMAC-SHA256 of a normalised value, hex, 32 characters (128 bits) — enough to be
    collision-free at library scale while revealing nothing without the key."""
    mac = hmac.new(key, purpose.encode() + b"\x00" + value.encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()[:32]


def blind_indexes(ring: KeyRing, purpose: str, value: str) -> list[str]:
    """The index under every index key present (active first), for lookups."""
    versions = [ring.active_index_key] + [v for v in ring.index_keys if v != ring.active_index_key]
    return [blind_index(ring.index_keys[v], purpose, value) for v in versions]


def active_blind_index(ring: KeyRing, purpose: str, value: str) -> str:
    return blind_index(ring.index_keys[ring.active_index_key], purpose, value)


def search_token(ring: KeyRing, purpose: str, gram: str) -> str:
    """A short keyed token for one character bigram of a name or reading (name search).
    16 hex characters (64 bits): collisions only widen the candidate set, which is then
    decrypted and checked exactly."""
    return blind_index(ring.index_keys[ring.active_index_key], purpose, gram)[:16]
