"""The holds screens at 本館 on an ordinary opening day, with a signed-in librarian.

Test modules run in importlib mode and cannot import each other, so the helpers come as
the `staff` fixture: a test client that knows the holds screens and keeps every response
for the privacy test."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from tests.staff.conftest import NOW

from shoka.catalogue.services import ItemData, add_item
from shoka.circulation import services

_barcodes = itertools.count(800001)


class Staff:
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

    def post(self, url: str, data=None, **extra):
        return self._keep(url, self.client.post(url, data or {}, **extra))

    def serve(self, patron):
        """Scan the patron's card at the desk."""
        response = self.post("/desk/patron/", {"card": patron.card_number}, follow=True)
        assert response.redirect_chain == [("/desk/", 303)]
        return response

    def at_branch(self, branch):
        return self.post("/desk/branch/", {"branch": branch.pk, "next": "checkout"}, follow=True)

    # --- the world, through the services -----------------------------------------------
    def copy(self, bib=None, *, branch=None, call_number="210/ヤ", category="book"):
        bib = bib or self.world.bib()
        data = ItemData(
            barcode=str(next(_barcodes)),
            branch=(branch or self.world.main).code,
            location="general",
            loan_category=category,
            call_number=call_number,
        )
        return add_item(bib, data, actor=self.world.staff, at=NOW - dt.timedelta(days=1))

    def hold(self, bib, patron, *, pickup=None, at=None):
        return services.place_hold(
            bib,
            patron,
            pickup_branch=pickup or self.world.main,
            actor=self.world.staff,
            at=at or NOW - dt.timedelta(hours=1),
        )

    def scan_in(self, item, *, branch=None, at=None):
        return services.checkin(
            item.barcode, branch=branch or self.world.main, actor=self.world.staff, at=at or NOW
        )

    def ready(self, *, pickup=None, at=None):
        """A title with one copy, ready on `pickup`'s hold shelf for a new patron."""
        pickup = pickup or self.world.main
        item = self.copy(branch=pickup)
        hold = self.hold(item.bib, self.world.patron(), pickup=pickup, at=at)
        self.scan_in(item, branch=pickup, at=at)
        hold.refresh_from_db()
        return hold


@pytest.fixture
def staff(client, world, now) -> Staff:
    client.force_login(world.staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the default LANGUAGE_CODE is ja
    return Staff(client, world)
