"""The desk at 本館 on an ordinary opening day, with a signed-in librarian.

Test modules run in importlib mode and cannot import each other, so the helpers come as
the `desk` fixture: a test client that knows the desk's requests."""

from __future__ import annotations

import pytest
from tests.staff.conftest import NOW

from shoka.circulation import services


class Desk:
    """The librarian's browser at the desk; every response is kept for the privacy test."""

    def __init__(self, client, world) -> None:
        self.client = client
        self.world = world
        self.now = NOW
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

    def serve(self, patron):
        """Scan the patron's card; the desk page follows (a POST, then a redirect)."""
        response = self.post("/desk/patron/", {"card": patron.card_number}, follow=True)
        assert response.redirect_chain == [("/desk/", 303)]
        return response

    def lend(self, barcode: str, *, htmx: bool = False, reason: str = ""):
        data = {"barcode": barcode}
        if reason:
            data["override_reason"] = reason
        return self.post("/desk/checkout/", data, htmx=htmx)

    def check_in(self, barcode: str, *, htmx: bool = False):
        return self.post("/desk/checkin/", {"barcode": barcode}, htmx=htmx)

    def at_branch(self, branch, mode: str = "return"):
        return self.post("/desk/branch/", {"branch": branch.pk, "next": mode}, follow=True)

    # --- the world, through the services -----------------------------------------------
    def loan(self, item, patron, *, branch=None):
        return services.checkout(
            item.barcode,
            patron,
            branch=branch or self.world.main,
            actor=self.world.staff,
            at=self.now,
        )

    def hold(self, bib, patron, *, pickup):
        return services.place_hold(
            bib, patron, pickup_branch=pickup, actor=self.world.staff, at=self.now
        )


@pytest.fixture
def desk(client, world, now) -> Desk:
    client.force_login(world.staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the default LANGUAGE_CODE is ja
    return Desk(client, world)
