"""The patron screens at 本館, with a signed-in librarian on an ordinary opening day.

`clerk` is a test client that knows the screens' requests and keeps every URL it visited
and every response, for the privacy test."""

from __future__ import annotations

import pytest

# A new adult's registration as the form sends it (a generated person, not a real one).
ADULT = {
    "card_number": "300001",
    "category": "adult",
    "home_branch": "main",
    "name": "佐藤 美咲",
    "name_kana": "さとう みさき",
    "birth_date": "1990-05-17",
    "postal_code": "390-0811",
    "address": "2丁目3-4",
    "phone": "0263-12-3456",
    "email": "misaki@example.jp",
    "notify_channel": "email",
    "language": "ja",
    "pin": "",
    "area_code": "",
}
CHILD = {
    **ADULT,
    "card_number": "300002",
    "category": "child",
    "name": "佐藤 陽太",
    "name_kana": "サトウ ヨウタ",
    "birth_date": "2018-08-08",
    "notify_channel": "postcard",
    "email": "",
}


class Clerk:
    def __init__(self, client, world) -> None:
        self.client = client
        self.world = world
        self.seen: list[tuple[str, object]] = []

    def _keep(self, url: str, response):
        self.seen.append((url, response))
        for hop, _status in getattr(response, "redirect_chain", []):
            self.seen.append((hop, response))
        return response

    def get(self, url: str, **extra):
        return self._keep(url, self.client.get(url, **extra))

    def post(self, url: str, data=None, *, htmx: bool = False, **extra):
        if htmx:
            extra["HTTP_HX_REQUEST"] = "true"
        return self._keep(url, self.client.post(url, data or {}, **extra))

    def register(self, data: dict, **extra):
        return self.post("/patrons/new/", data, **extra)

    def search(self, query: str, **extra):
        return self.post("/patrons/", {"query": query}, **extra)


@pytest.fixture
def clerk(client, world, now) -> Clerk:
    client.force_login(world.staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the default LANGUAGE_CODE is ja
    return Clerk(client, world)


@pytest.fixture
def adult() -> dict[str, str]:
    """A new adult's registration as the form sends it (a copy to change freely)."""
    return dict(ADULT)


@pytest.fixture
def child() -> dict[str, str]:
    """A child's registration with the guardian's fields still empty."""
    return dict(CHILD)
