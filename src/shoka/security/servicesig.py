"""Signed requests and answers between the OPAC and the staff side's patron API
(docs/opac-self-service.md, "Mutual authentication").

Both directions use Ed25519 (shoka.publish.signing's key helpers):

- The OPAC signs every request with its **service key** (private on the OPAC, created by
  ``shoka opac init``; its public half is configured on the staff side). The signature
  covers the method, the path with its query, a timestamp, a random nonce and the SHA-256
  of the body, so a request cannot be altered, replayed or kept for later.
- The staff side signs every answer with its **publishing key** (the OPAC already trusts its
  public half for changesets). The answer's signature covers the status, the request's
  nonce and the SHA-256 of the body, so an answer cannot be swapped for another one.

This module holds no Django models: both zones import it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shoka.publish.signing import sign, verify

TIMESTAMP_HEADER = "Shoka-Timestamp"
NONCE_HEADER = "Shoka-Nonce"
SIGNATURE_HEADER = "Shoka-Signature"
SESSION_HEADER = "Shoka-Patron-Session"
# How far a request's timestamp may be from the staff side's clock (seconds).
MAX_SKEW = 60
NONCE_BYTES = 18


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join(
        ["shoka-patron-api-request-v1", method.upper(), path, timestamp, nonce, _digest(body)]
    ).encode("utf-8")


def answer_message(status: int, nonce: str, body: bytes) -> bytes:
    return "\n".join(["shoka-patron-api-answer-v1", str(status), nonce, _digest(body)]).encode(
        "utf-8"
    )


@dataclass(frozen=True)
class SignedHeaders:
    timestamp: str
    nonce: str
    signature: str

    def as_dict(self) -> dict[str, str]:
        return {
            TIMESTAMP_HEADER: self.timestamp,
            NONCE_HEADER: self.nonce,
            SIGNATURE_HEADER: self.signature,
        }


def sign_request(
    key: Ed25519PrivateKey, method: str, path: str, body: bytes, *, now: float | None = None
) -> SignedHeaders:
    timestamp = str(int(time.time() if now is None else now))
    nonce = base64.urlsafe_b64encode(secrets.token_bytes(NONCE_BYTES)).decode("ascii")
    signature = sign(key, request_message(method, path, timestamp, nonce, body))
    return SignedHeaders(timestamp, nonce, signature)


class RequestRefused(Exception):  # noqa: N818 — a refusal, not a crash
    """The request's signature is missing, wrong or stale. `code` names which."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def check_request(
    key: Ed25519PublicKey,
    method: str,
    path: str,
    body: bytes,
    timestamp: str | None,
    nonce: str | None,
    signature: str | None,
    *,
    now: float | None = None,
) -> None:
    """Raise RequestRefused unless the request is signed by `key` within MAX_SKEW seconds.
    The caller still has to refuse a nonce it has seen before (replay)."""
    if not (timestamp and nonce and signature):
        raise RequestRefused("signature_missing")
    if not timestamp.isdigit() or not (8 <= len(nonce) <= 64):
        raise RequestRefused("signature_malformed")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_SKEW:
        raise RequestRefused("signature_stale")
    if not verify(key, request_message(method, path, timestamp, nonce, body), signature):
        raise RequestRefused("signature_invalid")


def sign_answer(key: Ed25519PrivateKey, status: int, nonce: str, body: bytes) -> str:
    return sign(key, answer_message(status, nonce, body))


def check_answer(
    key: Ed25519PublicKey, status: int, nonce: str, body: bytes, signature: str | None
) -> bool:
    return bool(signature) and verify(key, answer_message(status, nonce, body), signature or "")
