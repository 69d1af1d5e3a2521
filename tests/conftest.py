"""Shared fixtures: a key file, and `world` — a small library with branches, categories,
rule tables, staff and named personas, built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from shoka.audit.actors import Actor
from shoka.catalogue.models import LoanCategory
from shoka.catalogue.services import BibData, ContributorData, ItemData, add_item, create_bib
from shoka.circulation.models import LoanRule, PatronRule
from shoka.organisation.models import Branch, BranchKind, Library, Location
from shoka.patrons.models import PatronCategory
from shoka.patrons.services import PatronData, register_patron
from shoka.search.indexer import IndexWriter
from shoka.search.service import SearchRequest, SearchResponse, SearchService, forget_services
from shoka.security.keyring import KeyRing, reset_keyring_cache, write_key_file

TOKYO = ZoneInfo("Asia/Tokyo")
# Tuesday 2 June 2026, 10:00 — an ordinary opening day (branches close on Mondays).
AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=TOKYO)


@pytest.fixture(scope="session", autouse=True)
def _key_file() -> None:
    path = Path(settings.SHOKA_KEY_FILE)
    if not path.exists():
        write_key_file(path, KeyRing.generate())
    reset_keyring_cache()


@pytest.fixture(autouse=True)
def _fresh_config_cache():
    """Each test starts with an empty configuration cache (a rolled-back test can leave
    entries for rows that no longer exist, and SQLite reuses row ids)."""
    from shoka.config_cache import clear

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _english_messages():
    """Tests read refusal messages in English unless they choose a language themselves
    (the default LANGUAGE_CODE is ja; tests/test_i18n.py checks the Japanese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def at() -> dt.datetime:
    return AT


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


class World:
    """A library: main library (本館), an east branch (東分館) and a bookmobile, each closed
    on Mondays; default rules of 10 items for 14 days with one renewal; audio-visual limited
    to 3, 紙芝居 to 2, reference not lent."""

    def __init__(self, django_user_model: type) -> None:
        self.library = Library.objects.create(
            code="demo", name="書架市立図書館", name_en="Shoka City Library"
        )
        mk = Branch.objects.create
        common = {
            "library": self.library,
            "weekly_closed_days": [0],
            "annual_closures": [["12-29", "01-03"]],
        }
        self.main = mk(code="main", name="本館", kind=BranchKind.MAIN, **common)
        self.east = mk(code="east", name="東分館", kind=BranchKind.BRANCH, **common)
        self.bookmobile = mk(code="bm", name="移動図書館", kind=BranchKind.BOOKMOBILE, **common)
        for branch in (self.main, self.east, self.bookmobile):
            Location.objects.create(branch=branch, code="general", name="一般書架")
        cats = {}
        for code, name, guardian, group in (
            ("adult", "一般", False, False),
            ("child", "児童", True, False),
            ("student", "学生", False, False),
            ("out_of_area", "市外", False, False),
            ("group", "団体", False, True),
        ):
            cats[code] = PatronCategory.objects.create(
                library=self.library,
                code=code,
                name=name,
                requires_guardian=guardian,
                is_group=group,
            )
        self.categories = cats
        lcs = {}
        for code, name, loanable in (
            ("book", "図書", True),
            ("av", "視聴覚", True),
            ("kamishibai", "紙芝居", True),
            ("reference", "参考図書", False),
        ):
            lcs[code] = LoanCategory.objects.create(
                library=self.library, code=code, name=name, loanable=loanable
            )
        self.loan_categories = lcs
        LoanRule.objects.create(library=self.library, loan_period=14, renewals=1)
        LoanRule.objects.create(
            library=self.library, loan_category=lcs["av"], loan_period=14, max_items=3, renewals=1
        )
        LoanRule.objects.create(
            library=self.library,
            loan_category=lcs["kamishibai"],
            loan_period=14,
            max_items=2,
            renewals=1,
        )
        PatronRule.objects.create(library=self.library, max_loans=10, max_holds=10)
        self.staff_user = django_user_model.objects.create_user("librarian1", password="x")
        from django.contrib.auth.models import Group

        from shoka.staff.roles import ensure_roles

        if not Group.objects.filter(name="librarian").exists():  # made by post_migrate
            ensure_roles()
        self.staff_user.groups.add(Group.objects.get(name="librarian"))
        self.staff = Actor.for_user(self.staff_user)
        self.system = Actor.system("test")
        self._cards = itertools.count(100001)
        self._barcodes = itertools.count(200001)

    # --- builders (through the services) ----------------------------------------------
    def patron(
        self,
        name: str = "山田 花子",
        kana: str = "ヤマダ ハナコ",
        *,
        category: str = "adult",
        birth_date: dt.date | None = dt.date(1980, 4, 1),
        at: dt.datetime = AT,
        **extra: object,
    ):
        data = PatronData(
            card_number=str(next(self._cards)),
            category=category,
            home_branch="main",
            name=name,
            name_kana=kana,
            birth_date=birth_date,
            postal_code="3900811",
            address="長野県松本市中央1丁目1-1",
            phone="0263-00-0000".replace("00-0000", "12-3456"),
            email=None,
            notify_channel="postcard",
        )
        if category == "child":
            data = PatronData(
                **{
                    **data.__dict__,
                    "guardian_name": "山田 一郎",
                    "guardian_relation": "父",
                    "guardian_contact": "0263-12-3456",
                }
            )
        data = PatronData(**{**data.__dict__, **extra})
        return register_patron(self.library, data, actor=self.staff, at=at, allow_duplicate=True)

    def bib(self, title: str = "日本の歴史", reading: str = "ニホン ノ レキシ", **extra: object):
        extra.setdefault("contributors", [ContributorData("山田 太郎", "ヤマダ, タロウ", "著")])
        data = BibData(title=title, title_reading=reading, **extra)  # type: ignore[arg-type]
        return create_bib(self.library, data, actor=self.staff, at=AT)

    def item(
        self,
        bib=None,
        *,
        branch: Branch | None = None,
        loan_category: str = "book",
        barcode: str | None = None,
    ):
        bib = bib or self.bib()
        branch = branch or self.main
        data = ItemData(
            barcode=barcode or str(next(self._barcodes)),
            branch=branch.code,
            location="general",
            loan_category=loan_category,
            call_number="210/ヤ",
        )
        return add_item(bib, data, actor=self.staff, at=AT)


@pytest.fixture
def world(db, django_user_model) -> World:
    return World(django_user_model)


class Index:
    """A test's index: ``catch_up()`` applies queued changes, ``search()`` asks the service."""

    def __init__(self, path) -> None:
        self.path = path

    def catch_up(self) -> None:
        with IndexWriter(self.path, heap=15_000_000, threads=1) as writer:
            writer.catch_up()

    def search(self, q: str = "", **kwargs) -> SearchResponse:
        return SearchService(self.path).search(SearchRequest(q=q, **kwargs))

    def ids(self, q: str = "", **kwargs) -> list[int]:
        return [hit.id for hit in self.search(q, per_page=100, **kwargs).hits]


@pytest.fixture
def index(settings, tmp_path) -> Index:
    settings.SHOKA_SEARCH_INDEX_DIR = str(tmp_path / "index")
    forget_services()
    yield Index(tmp_path / "index")
    forget_services()
