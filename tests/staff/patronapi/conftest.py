"""A signed client for the patron API (the OPAC's service key, generated per session), the
staff answer key, and patrons with PINs generated from a seed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.test import Client
from faker import Faker

from shoka.publish.signing import (
    generate_key_file,
    load_private_key,
    parse_public_key,
    public_key_text,
)
from shoka.security import servicesig
from shoka.staff.patronapi.views import reset_limits

BASE = "/patron-api/v1/"


@pytest.fixture(scope="session")
def opac_service_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def staff_answer_key() -> Ed25519PrivateKey:
    path = Path(settings.SHOKA_PUBLISH_KEY_FILE)
    if not path.exists():
        generate_key_file(path)
    return load_private_key(path)


@dataclass
class Answer:
    status: int
    data: dict[str, Any]
    headers: Any


class PatronApi:
    """Signs like the OPAC does (shoka.opac.account.client) and checks every answer's
    signature with the staff side's public key."""

    def __init__(self, key: Ed25519PrivateKey, staff_public: str) -> None:
        self.key = key
        self.staff_public_text = staff_public
        self.staff_public = parse_public_key(staff_public)
        self.client = Client()
        self.token = ""

    def headers(self, method: str, path: str, body: bytes, **override: str | None) -> dict:
        signed = servicesig.sign_request(self.key, method, path, body)
        headers = {**signed.as_dict(), **override}
        if self.token:
            headers[servicesig.SESSION_HEADER] = self.token
        return {k: v for k, v in headers.items() if v is not None}

    def send(self, method: str, path: str, headers: dict, body: bytes = b"") -> Answer:
        response = self.client.generic(
            method, path, body, content_type="application/json", headers=headers
        )
        nonce = headers.get(servicesig.NONCE_HEADER, "")
        assert servicesig.check_answer(
            self.staff_public,
            response.status_code,
            nonce,
            response.content,
            response.headers.get(servicesig.SIGNATURE_HEADER),
        ), "every answer is signed by the staff side"
        assert response["Cache-Control"] == "private, no-store"
        data = json.loads(response.content) if response.content else {}
        return Answer(response.status_code, data, response.headers)

    def call(self, method: str, path: str, data: dict | None = None) -> Answer:
        full = BASE + path
        body = b"" if data is None else json.dumps(data).encode()
        return self.send(method, full, self.headers(method, full, body), body)

    def sign_in(self, card: str, pin: str) -> Answer:
        answer = self.call("POST", "sessions", {"card": card, "pin": pin})
        if answer.status == 201:
            self.token = answer.data["token"]
        return answer


@pytest.fixture
def api(settings, opac_service_key, staff_answer_key) -> PatronApi:
    settings.SHOKA_PATRON_API_OPAC_KEY = public_key_text(opac_service_key)
    reset_limits()
    yield PatronApi(opac_service_key, public_key_text(staff_answer_key))
    reset_limits()


@pytest.fixture
def people():
    """Names and PINs from a seed (no fixed personal data in the tests)."""
    fake = Faker("ja_JP")
    fake.seed_instance(6005)
    return fake
