"""Fixtures for the self-service tests: the staff signing key and a live OPAC (live.py)
calling this test's live staff site, which trusts the OPAC's service key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from tests.opac.account.live import SelfServiceOpac, start_opac

from shoka.publish.signing import generate_key_file, load_private_key, public_key_text


@pytest.fixture(scope="session")
def signing_key() -> Any:
    path = Path(settings.SHOKA_PUBLISH_KEY_FILE)
    if not path.exists():
        generate_key_file(path)
    return load_private_key(path)


@pytest.fixture
def self_service_opac(tmp_path, signing_key, live_server, settings) -> Iterator[SelfServiceOpac]:
    """An OPAC calling this test's live staff site, which trusts the OPAC's service key."""
    from shoka.staff.patronapi.views import reset_limits

    staff_api = live_server.url + "/patron-api/v1/"
    for opac in start_opac(tmp_path, public_key_text(signing_key), staff_api):
        settings.SHOKA_PATRON_API_OPAC_KEY = opac.service_public_key
        reset_limits()
        yield opac
