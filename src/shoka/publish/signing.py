"""Canonical JSON and Ed25519 signatures for changesets (docs/publishing.md, "Keys").

The staff side holds the private signing key in a file of its own (PEM, PKCS#8, mode 0600,
in the key directory beside the other keys, never committed); ``shoka publish key`` creates
it when missing and prints the public key. The OPAC holds only that public key (base64 of
the 32 raw bytes), given to ``shoka opac init --staff-key`` or SHOKA_PUBLISH_STAFF_KEY.

The signature covers the exact bytes of the request body, which is the changeset in
canonical form: UTF-8 JSON with sorted keys and no insignificant whitespace.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_HEADER = "Shoka-Signature"


class PublishKeyError(RuntimeError):
    """The signing key or the verifying key is missing, malformed or unsafely stored."""


def canonical(obj: Any) -> bytes:
    """The one byte form of a changeset that is signed and sent."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def generate_key_file(path: Path) -> Ed25519PrivateKey:
    """Create a new signing key file (mode 0600); refuse to overwrite one."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise PublishKeyError(
            f"no publishing key at {path}: run `shoka publish key` on the staff side"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PublishKeyError(f"the publishing key {path} is readable by others: chmod 600 it")
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise PublishKeyError(f"{path} does not hold an Ed25519 key")
    return key


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def parse_public_key(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise PublishKeyError("the staff public key is not base64") from None
    if len(raw) != 32:
        raise PublishKeyError(f"the staff public key is {len(raw)} bytes, expected 32")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(key: Ed25519PrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body)).decode("ascii")


def verify(key: Ed25519PublicKey, body: bytes, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature.strip().encode("ascii"), validate=True)
        key.verify(raw, body)
    except (binascii.Error, UnicodeEncodeError, InvalidSignature, ValueError):
        return False
    return True
