"""The catalogue screens with a signed-in cataloguer (and a librarian who may only look),
a small catalogue of two records at two branches, and a search index built in the test.

Test modules run in importlib mode and cannot import each other: helpers come as fixtures."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from tests.staff.conftest import NOW

from shoka.catalogue.services import ContributorData
from shoka.circulation import services


@pytest.fixture
def cataloguer(world, django_user_model):
    user = django_user_model.objects.create_user("cataloguer1", password="x")
    user.groups.add(Group.objects.get(name="cataloguer"))
    return user


@pytest.fixture
def staff(client, world, cataloguer, now):
    """A browser signed in as the cataloguer (English pages)."""
    client.force_login(cataloguer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def librarian(client, world, now):
    client.force_login(world.staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


class Shelf:
    """Two records: こころ (913.6, one copy at 本館) and 日本の歴史 (210, one copy at 東分館)."""

    def __init__(self, world) -> None:
        self.world = world
        self.kokoro = world.bib(
            "こころ",
            "ココロ",
            ndc="913.6",
            year=1914,
            isbns=["978-4-10-101013-7"],
            jpno="12345678",
            contributors=[ContributorData("夏目, 漱石", "ナツメ, ソウセキ", "著")],
        )
        self.history = world.bib("日本の歴史", "ニホン ノ レキシ", ndc="210", year=2001)
        self.kokoro_copy = world.item(self.kokoro, barcode="300001")
        self.history_copy = world.item(self.history, branch=world.east, barcode="300002")

    def lend(self, item, patron=None):
        patron = patron or self.world.patron()
        services.checkout(
            item.barcode, patron, branch=self.world.main, actor=self.world.staff, at=NOW
        )
        return patron

    def trap_for_hold(self, item):
        """A hold for the item's record, filled by scanning the item in at 本館."""
        patron = self.world.patron("佐藤 一郎", "サトウ イチロウ")
        services.place_hold(
            item.bib, patron, pickup_branch=self.world.main, actor=self.world.staff, at=NOW
        )
        services.checkin(item.barcode, branch=self.world.main, actor=self.world.staff, at=NOW)
        item.refresh_from_db()
        return item


@pytest.fixture
def shelf(world) -> Shelf:
    return Shelf(world)


@pytest.fixture
def pdf():
    from pypdf import PdfReader

    def pdf(data: bytes) -> PdfReader:
        return PdfReader(io.BytesIO(data))

    return pdf
