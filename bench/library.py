"""The synthetic library the circulation benchmark runs against: reference data through the
ORM, then deterministic (seeded) rows for every large table, streamed through a bulk Writer.
Patrons are real rows: personal fields encrypted through the ORM field's own path, blind
indexes and name-search tokens from `shoka.patrons.services._apply` and `shoka.patrons.indexes`.
"""

from __future__ import annotations

import array
import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from .bulk import Writer, log

LOADER_VERSION = 4  # bump when the generated dataset changes, so --keep reloads

TOKYO = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC
# The benchmark's "today": Tuesday 2 June 2026, an ordinary opening day. Fixed (not the wall
# clock) so that a kept dataset means the same thing on every run.
REF_DAY = dt.date(2026, 6, 2)
REF_AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=TOKYO)
# Generated timestamps are seconds since EPOCH, naive UTC (what Django stores on SQLite).
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC).replace(tzinfo=None)
DAY = 86400

BRANCHES = (("main", "本館", "main"), ("east", "東分館", "branch"), ("west", "西分館", "branch"))
BRANCH_WEIGHTS = (0.5, 0.25, 0.25)
PATRON_CATEGORIES = (  # code, name, requires guardian, is group, share of patrons
    ("adult", "一般", False, False, 0.60),
    ("child", "児童", True, False, 0.18),
    ("student", "学生", False, False, 0.14),
    ("out_of_area", "市外", False, False, 0.075),
    ("group", "団体", False, True, 0.005),
)
LOAN_CATEGORIES = (  # code, name, loanable
    ("book", "図書", True),
    ("av", "視聴覚", True),
    ("kamishibai", "紙芝居", True),
    ("magazine", "雑誌", True),
    ("reference", "参考図書", False),
)
LC_BOOK, LC_AV, LC_KAMISHIBAI, LC_MAGAZINE, LC_REFERENCE = range(5)
LOCATIONS = (
    ("general", "一般書架"),
    ("children", "児童書架"),
    ("reference", "参考図書"),
    ("av", "視聴覚資料"),
)
ITEMS_PER_BIB = (1, 1, 1, 1, 2, 2, 3, 3, 4, 7)  # mean 2.5 copies per title
POSTAL_CODES = (
    "3900811",
    "3900871",
    "3900874",
    "3900815",
    "3900817",
    "3900802",
    "3900852",
    "3900863",
    "3990033",
    "3990001",
    "3900826",
    "3900831",
    "3900842",
    "3900821",
    "3900813",
    "3900812",
    "3900814",
    "3900816",
    "3900861",
    "3900862",
    "3900865",
    "3900866",
    "3900872",
    "3900873",
    "3900875",
    "3900876",
    "3900877",
)
AREAS = tuple(f"A{n:02d}" for n in range(1, 21))
# Item status codes in the generator's bytearray
ST_AVAILABLE, ST_ON_LOAN, ST_HOLD_SHELF, ST_TRANSIT, ST_MISSING, ST_REPAIR, ST_WITHDRAWN = range(7)
ITEM_STATUS = (
    "available",
    "on_loan",
    "on_hold_shelf",
    "in_transit",
    "missing",
    "in_repair",
    "withdrawn",
)


def card_number(patron_id: int) -> str:
    return f"2{patron_id:09d}"


def item_barcode(item_id: int) -> str:
    return f"1{item_id:09d}"


# --- sizes, the marker of a kept dataset ----------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    patrons: int
    items: int
    loans: int  # returned (historical) loans
    open_loans: int
    holds_waiting: int
    holds_ready: int
    holds_in_transit: int
    holds_closed: int
    audit_history: bool

    @classmethod
    def for_args(cls, patrons: int, items: int, loans: int, audit_history: bool) -> Sizes:
        open_loans = min(items // 10, patrons * 3)
        return cls(
            patrons=patrons,
            items=items,
            loans=loans,
            open_loans=open_loans,
            holds_waiting=min(patrons // 5, open_loans // 3),
            holds_ready=min(patrons // 50, items // 200, 6000),
            holds_in_transit=min(patrons // 200, items // 500, 1500),
            holds_closed=patrons * 3 // 2,
            audit_history=audit_history,
        )


# --- the synthetic library ------------------------------------------------------------------


@dataclass
class Reference:
    library_id: int
    branch_ids: list[int]
    location_ids: dict[tuple[int, str], int]  # (branch index, location code)
    patron_category_ids: list[int]
    loan_category_ids: list[int]
    user_id: int


def create_reference_data() -> Reference:
    """The small tables, through the ORM: library, branches and calendars, categories, rules,
    the staff user the benchmark acts as."""
    from django.contrib.auth import get_user_model

    from shoka.catalogue.models import LoanCategory
    from shoka.circulation.models import LoanRule, PatronRule, PeriodUnit
    from shoka.organisation.models import (
        Branch,
        ClosedPeriod,
        ClosedPeriodKind,
        Library,
        Location,
        SpecialOpening,
    )
    from shoka.patrons.models import PatronCategory

    library = Library.objects.create(
        code="bench", name="書架ベンチ市立図書館", name_en="Shoka Bench City Library"
    )
    branches = []
    for i, (code, name, kind) in enumerate(BRANCHES):
        branches.append(
            Branch.objects.create(
                library=library,
                code=code,
                name=name,
                kind=kind,
                weekly_closed_days=[0],
                annual_closures=[["12-29", "01-03"]],
                monthly_closed_rule=[{"week": -1, "weekday": 3}] if i == 0 else [],
            )
        )
    locations = {}
    for i, branch in enumerate(branches):
        for code, name in LOCATIONS:
            locations[(i, code)] = Location.objects.create(branch=branch, code=code, name=name).pk
    # Closures: yearly stocktaking per branch, a few ad-hoc closed days, a special opening.
    for year in range(REF_DAY.year - 3, REF_DAY.year + 2):
        for i, branch in enumerate(branches):
            start = dt.date(year, 2, 9 + 7 * i)
            ClosedPeriod.objects.create(
                library=library,
                branch=branch,
                start=start,
                end=start + dt.timedelta(days=6),
                kind=ClosedPeriodKind.STOCKTAKING,
                reason="蔵書点検",
            )
        ClosedPeriod.objects.create(
            library=library,
            start=dt.date(year, 9, 1),
            end=dt.date(year, 9, 1),
            reason="電気設備点検",
        )
    ClosedPeriod.objects.create(
        library=library,
        branch=branches[1],
        start=dt.date(2026, 6, 16),
        end=dt.date(2026, 6, 17),
        reason="空調工事",
    )
    SpecialOpening.objects.create(
        branch=branches[0], date=dt.date(2026, 6, 15), reason="おはなし会"
    )
    pcats = [
        PatronCategory.objects.create(
            library=library, code=code, name=name, requires_guardian=guardian, is_group=group
        ).pk
        for code, name, guardian, group, _ in PATRON_CATEGORIES
    ]
    lcats = [
        LoanCategory.objects.create(library=library, code=code, name=name, loanable=loanable)
        for code, name, loanable in LOAN_CATEGORIES
    ]
    rule = LoanRule.objects.create
    rule(library=library, loan_period=14, renewals=1)
    rule(library=library, loan_category=lcats[LC_AV], loan_period=14, max_items=3, renewals=1)
    rule(library=library, loan_category=lcats[LC_KAMISHIBAI], loan_period=14, max_items=2)
    rule(library=library, loan_category=lcats[LC_MAGAZINE], loan_period=7, renewals=0)
    rule(
        library=library,
        branch=branches[2],
        loan_period=10,
        period_unit=PeriodUnit.OPENING_DAYS,
        renewals=1,
    )
    prule = PatronRule.objects.create
    prule(library=library, max_loans=10, max_holds=10)
    prule(library=library, patron_category_id=pcats[3], max_loans=5, max_holds=5)
    prule(library=library, patron_category_id=pcats[4], max_loans=50, max_holds=20)
    user = get_user_model().objects.create_user("bench-librarian", password=None)
    return Reference(
        library_id=library.pk,
        branch_ids=[b.pk for b in branches],
        location_ids=locations,
        patron_category_ids=pcats,
        loan_category_ids=[c.pk for c in lcats],
        user_id=user.pk,
    )


def _marc(bib: Any) -> bytes:
    """A small ISO 2709 record for the bib (JAPAN/MARC-shaped enough for row size)."""
    fields: list[tuple[str, bytes]] = [("001", b"B" + bib.title_reading[:8].encode())]
    for isbn in bib.isbns:
        fields.append(("020", b"  \x1fa" + isbn.encode()))
    fields.append(("245", b"00\x1fa" + bib.title.encode() + b"\x1fc" + bib.responsibility.encode()))
    fields.append(("260", b"  \x1fb" + bib.publisher.encode() + b"\x1fc" + str(bib.year).encode()))
    for author in bib.authors:
        fields.append(
            ("700", b"1 \x1fa" + author.heading.encode() + b"\x1fe" + author.role.encode())
        )
    fields.append(("880", b"00\x1fa" + bib.title_reading.encode()))
    directory, body = b"", b""
    for tag, data in fields:
        data += b"\x1e"
        directory += f"{tag}{len(data):04d}{len(body):05d}".encode()
        body += data
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    leader = f"{length:05d}nam a22{base:05d}   4500".encode()
    return leader + directory + b"\x1e" + body + b"\x1d"


def _age_band(birth_ord: int, on_ord: int) -> str:
    if not birth_ord or on_ord < birth_ord:
        return ""
    from shoka.patrons.contact import age_band, age_on

    return age_band(age_on(dt.date.fromordinal(birth_ord), dt.date.fromordinal(on_ord)))


class Generator:
    """Deterministic (seeded) rows for every large table, written through a Writer."""

    def __init__(self, sizes: Sizes, seed: int, ref: Reference, writer: Writer) -> None:
        self.s, self.ref, self.w = sizes, ref, writer
        self.seed = seed
        self.rng = random.Random(seed)
        self.stages: dict[str, float] = {}
        self.counts: Counter[str] = Counter()
        self.ref_ord = REF_DAY.toordinal()
        self.epoch_ord = EPOCH.date().toordinal()

    # time helpers: seconds since EPOCH (naive UTC) <-> values
    def ts(self, day_ord: int, seconds_utc: int) -> int:
        return (day_ord - self.epoch_ord) * DAY + seconds_utc

    def dtv(self, seconds: int) -> dt.datetime:
        return EPOCH + dt.timedelta(seconds=seconds)

    def opening_time(self) -> int:
        return self.rng.randrange(1800, 36000)  # 09:30–19:00 JST, as seconds after 00:00 UTC

    def stage(self, name: str, fn: Callable[[], None]) -> None:
        started = time.perf_counter()
        fn()
        self.stages[name] = time.perf_counter() - started
        log(f"  {name}: {self.stages[name]:.1f} s")

    def run(self) -> None:
        from shoka.audit.models import AuditEvent, ChainHead
        from shoka.catalogue.models import Bib, Item
        from shoka.circulation.models import Hold, Loan
        from shoka.patrons.models import Patron, PatronSearchToken

        self.tables = {
            m: m._meta.db_table
            for m in (Bib, Item, Patron, PatronSearchToken, Loan, Hold, AuditEvent, ChainHead)
        }
        big = [
            self.tables[m] for m in (Bib, Item, Patron, PatronSearchToken, Loan, Hold, AuditEvent)
        ]
        self.stage("plan (in memory)", self.plan)
        self.w.defer_indexes(big)
        self.stage("bibs", self.write_bibs)
        self.stage("items", self.write_items)
        self.stage("patrons (encrypted) + search tokens", self.write_patrons)
        self.stage("loans", self.write_loans)
        self.stage("holds", self.write_holds)
        if self.s.audit_history:
            self.stage("audit log (hash chain)", self.write_audit)
        self.stage("secondary indexes", self.w.restore_indexes)
        self.stage(
            "commit" + (", VACUUM ANALYZE, CHECKPOINT" if self.w.vendor == "postgresql" else ""),
            lambda: self.w.finish([*big, self.tables[ChainHead]]),
        )

    # --- planning: everything that later rows refer to -------------------------------------
    def plan(self) -> None:
        from faker import Faker

        from shoka.demo.bibdata import call_number, generate_bibs
        from shoka.patrons.contact import complete_address

        rng, s = self.rng, self.s
        pool_size = max(1, min(50_000, s.items // 3))
        self.pool = generate_bibs(self.seed, pool_size)
        self.pool_call = [call_number(b) for b in self.pool]
        self.pool_marc = [_marc(b) for b in self.pool]
        # titles and their copies
        self.bib_first = array.array("I", [0])  # 1-based bib id -> first item id
        self.bib_count = array.array("B", [0])
        n = 0
        while n < s.items:
            k = min(rng.choice(ITEMS_PER_BIB), s.items - n)
            self.bib_first.append(n + 1)
            self.bib_count.append(k)
            n += k
        self.n_bibs = len(self.bib_first) - 1
        self.item_bib = array.array("I", [0]) * (s.items + 1)
        for b in range(1, self.n_bibs + 1):
            for i in range(self.bib_first[b], self.bib_first[b] + self.bib_count[b]):
                self.item_bib[i] = b
        # copies: category, branch, status
        self.item_cat = bytearray(s.items + 1)
        self.item_branch = bytearray(s.items + 1)
        self.item_status = bytearray(s.items + 1)
        cat_of = {
            "book": LC_BOOK,
            "large_print": LC_BOOK,
            "picture_book": LC_BOOK,
            "kamishibai": LC_KAMISHIBAI,
            "magazine": LC_MAGAZINE,
            "cd": LC_AV,
            "dvd": LC_AV,
            "daisy": LC_AV,
        }
        for i in range(1, s.items + 1):
            bib = self.pool[(self.item_bib[i] - 1) % len(self.pool)]
            cat = cat_of.get(bib.material_type, LC_BOOK)
            if cat == LC_BOOK and rng.random() < 0.05:
                cat = LC_REFERENCE
            self.item_cat[i] = cat
            r = rng.random()
            self.item_branch[i] = 0 if r < BRANCH_WEIGHTS[0] else (1 if r < 0.75 else 2)
        self.loanable = array.array(
            "I", (i for i in range(1, s.items + 1) if self.item_cat[i] != LC_REFERENCE)
        )
        # patrons
        fake = Faker("ja_JP")
        fake.seed_instance(self.seed)
        self.last_names = [fake.last_name_pair()[:2] for _ in range(400)]
        self.first_names = [fake.first_name_female_pair()[:2] for _ in range(300)] + [
            fake.first_name_male_pair()[:2] for _ in range(300)
        ]
        self.addresses = [(code, complete_address(code, "")) for code in POSTAL_CODES]
        weights = [c[4] for c in PATRON_CATEGORIES]
        self.p_cat = bytearray(s.patrons + 1)
        self.p_birth = array.array("i", [0]) * (s.patrons + 1)
        self.p_area = bytearray(s.patrons + 1)
        self.p_keeps = bytearray(s.patrons + 1)
        self.p_active = bytearray(s.patrons + 1)  # active, card valid on REF_DAY
        ages = {0: (19, 90), 1: (3, 12), 2: (13, 22), 3: (19, 85), 4: (0, 0)}
        for p in range(1, s.patrons + 1):
            cat = rng.choices(range(len(PATRON_CATEGORIES)), weights)[0]
            self.p_cat[p] = cat
            lo, hi = ages[cat]
            if hi:
                self.p_birth[p] = self.ref_ord - rng.randint(lo * 365, hi * 365 + 364)
            self.p_area[p] = rng.randrange(len(AREAS))
            self.p_keeps[p] = rng.random() < 0.10
        self.p_status = bytearray(s.patrons + 1)  # 0 active, 1 blocked, 2 withdrawn
        self.p_registered = array.array("i", [0]) * (s.patrons + 1)
        self.p_expires = array.array("i", [0]) * (s.patrons + 1)
        for p in range(1, s.patrons + 1):
            r = rng.random()
            self.p_status[p] = 1 if r < 0.005 else (2 if r < 0.02 else 0)
            reg = self.ref_ord - rng.randint(1, 3650)
            self.p_registered[p] = reg
            exp = (
                self.ref_ord + rng.randint(1, 1095)
                if rng.random() < 0.93
                else self.ref_ord - rng.randint(1, 400)
            )
            self.p_expires[p] = max(exp, reg)
            self.p_active[p] = self.p_status[p] == 0 and self.p_expires[p] >= self.ref_ord
        self.active_patrons = array.array(
            "I", (p for p in range(1, s.patrons + 1) if self.p_active[p])
        )
        # open loans on distinct loanable copies; trapped holds and odd statuses on others
        taken = bytearray(s.items + 1)

        def pick_free() -> int:
            while True:
                i = self.loanable[rng.randrange(len(self.loanable))]
                if not taken[i]:
                    taken[i] = 1
                    return i

        self.open_items = [pick_free() for _ in range(s.open_loans)]
        for i in self.open_items:
            self.item_status[i] = ST_ON_LOAN
        self.ready_items = [pick_free() for _ in range(s.holds_ready)]
        for i in self.ready_items:
            self.item_status[i] = ST_HOLD_SHELF
        self.transit_items = [pick_free() for _ in range(s.holds_in_transit)]
        for i in self.transit_items:
            self.item_status[i] = ST_TRANSIT
        for share, status in ((0.005, ST_MISSING), (0.002, ST_REPAIR), (0.01, ST_WITHDRAWN)):
            for _ in range(int(s.items * share)):
                self.item_status[pick_free()] = status
        self.item_current = bytearray(self.item_branch)  # current branch, set by loans/holds
        self.item_changed: dict[int, int] = {}  # status_changed_at for non-shelf items

    # --- catalogue -------------------------------------------------------------------------
    def write_bibs(self) -> None:
        from shoka.catalogue.models import Bib

        w, lib = self.w, self.ref.library_id
        cols = (
            "id",
            "library_id",
            "title",
            "title_reading",
            "responsibility",
            "publisher",
            "publisher_reading",
            "year",
            "ndc",
            "ndc_edition",
            "subjects",
            "material_type",
            "language",
            "series",
            "volume",
            "notes",
            "source_format",
            "source_record",
            "source_id",
            "created_at",
            "updated_at",
        )
        pool_rows = []
        for k, b in enumerate(self.pool):
            created = w.stamp(
                self.dtv(self.ts(dt.date(min(max(b.year, 1995), 2026), 4, 1).toordinal(), 3600))
            )
            pool_rows.append(
                (
                    lib,
                    b.full_title,
                    " ".join(
                        x for x in (b.title_reading, b.volume_reading, b.subtitle_reading) if x
                    ),
                    b.responsibility,
                    b.publisher,
                    b.publisher_reading,
                    b.year,
                    b.ndc,
                    b.ndc_edition,
                    w.js(list(b.subjects)),
                    b.material_type,
                    b.language,
                    b.series,
                    b.volume,
                    "; ".join(b.notes),
                    "iso2709",
                    self.pool_marc[k],
                    f"JP{k:08d}",
                    created,
                    created,
                )
            )
        n = len(pool_rows)
        self.counts["bibs"] = w.write(
            Bib._meta.db_table,
            cols,
            ((bib_id, *pool_rows[(bib_id - 1) % n]) for bib_id in range(1, self.n_bibs + 1)),
        )

    def write_items(self) -> None:
        from shoka.catalogue.models import Item

        w, rng, ref = self.w, self.rng, self.ref
        cols = (
            "id",
            "library_id",
            "barcode",
            "bib_id",
            "branch_id",
            "location_id",
            "call_number",
            "loan_category_id",
            "status",
            "current_branch_id",
            "status_changed_at",
            "acquired_on",
            "price",
            "staff_note",
            "created_at",
            "updated_at",
        )
        # loans and holds decide these; plan them now so items are written once
        self._plan_open_loans()
        self._plan_trapped_holds()
        pool = self.pool
        floor_ord = dt.date(1990, 1, 1).toordinal()

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(1, self.s.items + 1):
                b = self.item_bib[i]
                bib = pool[(b - 1) % len(pool)]
                cat = self.item_cat[i]
                br = self.item_branch[i]
                loc = (
                    "reference"
                    if cat == LC_REFERENCE
                    else "av"
                    if cat == LC_AV
                    else "children"
                    if bib.juvenile or cat == LC_KAMISHIBAI
                    else "general"
                )
                start = max(dt.date(bib.year, 1, 1).toordinal(), floor_ord)
                acquired = rng.randint(min(start, self.ref_ord - 30), self.ref_ord - 30)
                created = w.stamp(self.dtv(self.ts(acquired, 1800)))
                changed = self.item_changed.get(i)
                yield (
                    i,
                    ref.library_id,
                    item_barcode(i),
                    b,
                    ref.branch_ids[br],
                    ref.location_ids[(br, loc)],
                    pool_call(b),
                    ref.loan_category_ids[cat],
                    ITEM_STATUS[self.item_status[i]],
                    ref.branch_ids[self.item_current[i]],
                    w.stamp(self.dtv(changed)) if changed else created,
                    w.day(dt.date.fromordinal(acquired)),
                    rng.randrange(500, 4000, 10),
                    "",
                    created,
                    created,
                )

        def pool_call(b: int) -> str:
            return self.pool_call[(b - 1) % len(self.pool_call)]

        self.counts["items"] = w.write(Item._meta.db_table, cols, rows())

    # --- patrons ---------------------------------------------------------------------------
    def write_patrons(self) -> None:
        from django.db import connection

        from shoka.patrons import indexes
        from shoka.patrons.models import Patron, PatronSearchToken
        from shoka.patrons.services import PatronData, _apply
        from shoka.security.fields import EncryptedTextField
        from shoka.security.keyring import get_keyring

        w, rng, ref, s = self.w, self.rng, self.ref, self.s
        ring = get_keyring()
        fields = Patron._meta.concrete_fields
        names: list[tuple[str, str]] = [("", "")]

        def prep(f: Any, obj: Patron) -> Any:
            value = getattr(obj, f.attname)
            if isinstance(f, EncryptedTextField):  # the ORM's own encryption path
                blob = f.get_db_prep_save(value, connection)
                return None if blob is None else bytes(getattr(blob, "obj", blob))
            if f.get_internal_type() == "DateTimeField":
                return w.stamp(value)
            if f.get_internal_type() == "DateField":
                return w.day(value)
            return value

        def rows() -> Iterator[list[Any]]:
            for p in range(1, s.patrons + 1):
                cat = self.p_cat[p]
                code = PATRON_CATEGORIES[cat][0]
                last, last_kana = self.last_names[rng.randrange(len(self.last_names))]
                first, first_kana = self.first_names[rng.randrange(len(self.first_names))]
                if cat == 4:
                    name, kana = f"松本市立{first_kana}小学校 3年{p % 5 + 1}組", "ガッコウ"
                else:
                    name, kana = f"{last} {first}", f"{last_kana} {first_kana}"
                names.append((name, kana))
                postal, town = self.addresses[rng.randrange(len(self.addresses))]
                address = f"{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}"
                phone = (
                    (
                        f"+8190{rng.randrange(10**8):08d}"
                        if rng.random() < 0.6
                        else f"+81263{rng.randrange(10**6):06d}"
                    )
                    if rng.random() < 0.9
                    else None
                )
                email = f"p{p}.{rng.randrange(10**6)}@example.jp" if rng.random() < 0.4 else None
                channel = (
                    "email"
                    if email and rng.random() < 0.7
                    else "phone"
                    if phone and rng.random() < 0.5
                    else "postcard"
                )
                birth = self.p_birth[p]
                guardian = cat == 1
                data = PatronData(
                    card_number=card_number(p),
                    category=code,
                    home_branch=BRANCHES[p % 3][0],
                    name=name,
                    name_kana=kana,
                    birth_date=dt.date.fromordinal(birth) if birth else None,
                    postal_code=postal,
                    address=address,
                    phone=phone,
                    email=email,
                    guardian_name=f"{last} {self.first_names[p % 300][0]}" if guardian else None,
                    guardian_relation="母" if guardian else None,
                    guardian_contact=phone if guardian else None,
                    notify_channel=channel,
                    keeps_reading_history=bool(self.p_keeps[p]),
                    area_code=AREAS[self.p_area[p]],
                )
                reg = dt.date.fromordinal(self.p_registered[p])
                created = dt.datetime.combine(reg, dt.time(1, 0))
                status = ("active", "blocked", "withdrawn")[self.p_status[p]]
                patron = Patron(
                    id=p,
                    library_id=ref.library_id,
                    category_id=ref.patron_category_ids[cat],
                    home_branch_id=ref.branch_ids[p % 3],
                    status=status,
                    block_reason="延滞督促不達" if status == "blocked" else "",
                    registered_on=reg,
                    expires_on=dt.date.fromordinal(self.p_expires[p]),
                    suspended_until=None,
                    created_at=created,
                    updated_at=created,
                )
                _apply(patron, data)
                yield [prep(f, patron) for f in fields]

        self.counts["patrons"] = w.write(Patron._meta.db_table, [f.column for f in fields], rows())

        def token_rows() -> Iterator[tuple[int, int, str]]:
            n = 0
            for p in range(1, s.patrons + 1):
                for token in sorted(indexes.name_tokens(*names[p], ring=ring)):
                    n += 1
                    yield (n, p, token)

        self.counts["patron search tokens"] = w.write(
            PatronSearchToken._meta.db_table, ("id", "patron_id", "token"), token_rows()
        )

    # --- circulation -----------------------------------------------------------------------
    def _plan_open_loans(self) -> None:
        rng, s = self.rng, self.s
        borrowers = [
            self.active_patrons[rng.randrange(len(self.active_patrons))]
            for _ in range(max(1, s.open_loans // 3))
        ]
        per_patron: Counter[int] = Counter()
        self.open_plan = []  # (item, patron, branch, out_ts, due_ord)
        for item in self.open_items:
            patron = borrowers[rng.randrange(len(borrowers))]
            while per_patron[patron] >= 8:
                patron = borrowers[rng.randrange(len(borrowers))]
            per_patron[patron] += 1
            branch = self.item_branch[item] if rng.random() < 0.85 else rng.randrange(3)
            overdue = rng.random() < 0.08
            day = self.ref_ord - (rng.randint(15, 45) if overdue else rng.randint(1, 6))
            out = self.ts(day, self.opening_time())
            period = 7 if self.item_cat[item] == LC_MAGAZINE else 14
            self.open_plan.append((item, patron, branch, out, day + period))
            self.item_current[item] = branch
            self.item_changed[item] = out

    def _plan_trapped_holds(self) -> None:
        rng = self.rng
        self.trapped_plan = []  # (item, patron, pickup branch, status, trapped ts)
        self.holders: set[tuple[int, int]] = set()
        numbers = Counter[int]()
        for items, status in ((self.ready_items, "ready"), (self.transit_items, "in_transit")):
            for item in items:
                patron = self._holder(self.item_bib[item])
                pickup = rng.randrange(3)
                trapped = self.ts(self.ref_ord - rng.randint(1, 5), self.opening_time())
                numbers[pickup] += 1
                self.trapped_plan.append(
                    (item, patron, pickup, status, trapped, f"{numbers[pickup]:04d}")
                )
                self.item_current[item] = pickup
                self.item_changed[item] = trapped

    def _holder(self, bib: int) -> int:
        while True:
            patron = self.active_patrons[self.rng.randrange(len(self.active_patrons))]
            if (patron, bib) not in self.holders:
                self.holders.add((patron, bib))
                return patron

    def write_loans(self) -> None:
        from shoka.circulation.models import Loan

        w, rng, ref, s = self.w, self.rng, self.ref, self.s
        cols = (
            "id",
            "item_id",
            "patron_id",
            "branch_id",
            "checked_out_at",
            "due_on",
            "renewals",
            "returned_at",
            "return_branch_id",
            "history_kept",
            "patron_category",
            "age_band",
            "area_code",
            "overridden",
        )
        first_day = self.ref_ord - 60 - 1035  # about three years of history
        span = 1035
        # compact copies for the audit log
        self.l_item = array.array("I")
        self.l_out = array.array("q")
        self.l_ret = array.array("q")
        self.l_due = array.array("i")
        self.l_branch = bytearray()
        self.l_rbranch = bytearray()
        self.l_late = array.array("H")
        n_loanable = len(self.loanable)

        def stats(patron: int, day: int) -> tuple[str, str, str]:
            return (
                PATRON_CATEGORIES[self.p_cat[patron]][0],
                _age_band(self.p_birth[patron], day),
                AREAS[self.p_area[patron]],
            )

        def history() -> Iterator[tuple[Any, ...]]:
            for k in range(s.loans):
                r = rng.random()
                item = self.loanable[int(n_loanable * r * r)]  # popular copies go out more
                day = first_day + span * k // s.loans
                out = self.ts(day, self.opening_time())
                period = 7 if self.item_cat[item] == LC_MAGAZINE else 14
                due = day + period
                late = rng.random() < 0.08
                ret_day = due + rng.randint(1, 20) if late else day + rng.randint(0, period)
                ret = max(self.ts(ret_day, self.opening_time()), out + 60)
                home = self.item_branch[item]
                branch = home if rng.random() < 0.8 else rng.randrange(3)
                rbranch = branch if rng.random() < 0.85 else rng.randrange(3)
                patron = rng.randrange(s.patrons) + 1
                keep = bool(self.p_keeps[patron])
                cat, band, area = stats(patron, day)
                self.l_item.append(item)
                self.l_out.append(out)
                self.l_ret.append(ret)
                self.l_due.append(due)
                self.l_branch.append(branch)
                self.l_rbranch.append(rbranch)
                self.l_late.append(max(0, ret_day - due))
                yield (
                    k + 1,
                    item,
                    patron if keep else None,
                    ref.branch_ids[branch],
                    w.stamp(self.dtv(out)),
                    w.day(dt.date.fromordinal(due)),
                    int(rng.random() < 0.1),
                    w.stamp(self.dtv(ret)),
                    ref.branch_ids[rbranch],
                    keep,
                    cat,
                    band,
                    area,
                    False,
                )
            for j, (item, patron, branch, out, due) in enumerate(self.open_plan):
                cat, band, area = stats(patron, due - 14)
                self.l_item.append(item)
                self.l_out.append(out)
                self.l_ret.append(0)
                self.l_due.append(due)
                self.l_branch.append(branch)
                self.l_rbranch.append(0)
                self.l_late.append(0)
                yield (
                    s.loans + j + 1,
                    item,
                    patron,
                    ref.branch_ids[branch],
                    w.stamp(self.dtv(out)),
                    w.day(dt.date.fromordinal(due)),
                    0,
                    None,
                    None,
                    False,
                    cat,
                    band,
                    area,
                    False,
                )

        n = w.write(Loan._meta.db_table, cols, history())
        self.counts["loans (returned)"] = s.loans
        self.counts["loans (open)"] = n - s.loans

    def write_holds(self) -> None:
        from shoka.circulation.models import Hold

        w, rng, ref, s = self.w, self.rng, self.ref, self.s
        cols = (
            "id",
            "bib_id",
            "patron_id",
            "pickup_branch_id",
            "notify_channel",
            "placed_at",
            "status",
            "item_id",
            "trapped_at",
            "ready_at",
            "expires_on",
            "pickup_number",
            "closed_at",
            "closed_by",
            "patron_category",
        )
        channels = ("postcard", "phone", "email")
        self.h_events: list[tuple[int, int, int, int]] = []  # hold id, bib, pickup, placed ts

        def cat(patron: int) -> str:
            return PATRON_CATEGORIES[self.p_cat[patron]][0]

        def rows() -> Iterator[tuple[Any, ...]]:
            hid = 0
            # waiting queues on titles whose copies are out
            bibs = list({self.item_bib[i] for i in self.open_items})
            rng.shuffle(bibs)
            waiting = 0
            for bib in bibs:
                if waiting >= s.holds_waiting:
                    break
                for _ in range(
                    min(rng.choice((1, 1, 1, 2, 2, 3, 5, 8)), s.holds_waiting - waiting)
                ):
                    patron = self._holder(bib)
                    hid += 1
                    waiting += 1
                    placed = self.ts(self.ref_ord - rng.randint(1, 60), self.opening_time())
                    pickup = rng.randrange(3)
                    self.h_events.append((hid, bib, pickup, placed))
                    yield (
                        hid,
                        bib,
                        patron,
                        ref.branch_ids[pickup],
                        channels[hid % 3],
                        w.stamp(self.dtv(placed)),
                        "waiting",
                        None,
                        None,
                        None,
                        None,
                        "",
                        None,
                        "",
                        cat(patron),
                    )
            self.counts["holds (waiting)"] = waiting
            for item, patron, pickup, status, trapped, number in self.trapped_plan:
                hid += 1
                bib = self.item_bib[item]
                placed = trapped - rng.randint(1, 40) * DAY
                ready = status == "ready"
                self.h_events.append((hid, bib, pickup, placed))
                yield (
                    hid,
                    bib,
                    patron,
                    ref.branch_ids[pickup],
                    channels[hid % 3],
                    w.stamp(self.dtv(placed)),
                    status,
                    item,
                    w.stamp(self.dtv(trapped)),
                    w.stamp(self.dtv(trapped + 3600)) if ready else None,
                    w.day(REF_DAY + dt.timedelta(days=rng.randint(1, 7))) if ready else None,
                    number,
                    None,
                    "",
                    cat(patron),
                )
                self.counts[f"holds ({status})"] += 1
            for _ in range(s.holds_closed):
                hid += 1
                bib = rng.randrange(self.n_bibs) + 1
                placed = self.ts(self.ref_ord - rng.randint(60, 1100), self.opening_time())
                closed = placed + rng.randint(1, 30) * DAY
                r = rng.random()
                status, by = (
                    ("fulfilled", "patron")
                    if r < 0.7
                    else ("cancelled", "patron")
                    if r < 0.9
                    else ("expired", "system")
                )
                copy = self.bib_first[bib] if status != "cancelled" else None
                patron = rng.randrange(s.patrons) + 1
                keep = self.p_keeps[patron]
                pickup = rng.randrange(3)
                self.h_events.append((hid, bib, pickup, placed))
                yield (
                    hid,
                    bib,
                    patron if keep else None,
                    ref.branch_ids[pickup],
                    channels[hid % 3],
                    w.stamp(self.dtv(placed)),
                    status,
                    copy,
                    w.stamp(self.dtv(placed + DAY)) if copy else None,
                    w.stamp(self.dtv(placed + DAY + 3600)) if copy else None,
                    None,
                    "",
                    w.stamp(self.dtv(closed)),
                    by,
                    cat(patron),
                )
            self.counts["holds (closed)"] = s.holds_closed

        w.write(Hold._meta.db_table, cols, rows())

    # --- the audit log that this history would have written --------------------------------
    def write_audit(self) -> None:
        from shoka.audit.log import GENESIS, canonical, chain_hash
        from shoka.audit.models import AuditEvent, ChainHead
        from shoka.security.keyring import get_keyring

        w, s = self.w, self.s
        key = get_keyring().audit_key
        actor = f"user:{self.ref.user_id}"
        codes = [b[0] for b in BRANCHES]
        cols = (
            "id",
            "seq",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "data",
            "prev_hash",
            "hash",
        )
        self.chain_seq, self.chain_hash = 0, GENESIS

        def events() -> Iterator[tuple[int, str, str, int, dict[str, Any]]]:
            for p in range(1, s.patrons + 1):
                yield (
                    self.ts(self.p_registered[p], 3600),
                    "patron.registered",
                    "patrons.patron",
                    p,
                    {"category": PATRON_CATEGORIES[self.p_cat[p]][0], "duplicate_confirmed": False},
                )
            for k in range(len(self.l_item)):
                item = self.l_item[k]
                yield (
                    self.l_out[k],
                    "loan.checked_out",
                    "circulation.loan",
                    k + 1,
                    {
                        "item": item,
                        "branch": codes[self.l_branch[k]],
                        "due_on": dt.date.fromordinal(self.l_due[k]).isoformat(),
                    },
                )
                if self.l_ret[k]:
                    yield (
                        self.l_ret[k],
                        "loan.returned",
                        "circulation.loan",
                        k + 1,
                        {
                            "item": item,
                            "branch": codes[self.l_rbranch[k]],
                            "days_late": self.l_late[k],
                            "suspension_applied": False,
                        },
                    )
            for hid, bib, pickup, placed in self.h_events:
                yield (
                    placed,
                    "hold.placed",
                    "circulation.hold",
                    hid,
                    {"bib": bib, "pickup": codes[pickup]},
                )

        def rows() -> Iterator[tuple[Any, ...]]:
            prev, seq = GENESIS, 0
            for ts, action, otype, oid, data in events():
                seq += 1
                at = self.dtv(ts)
                digest = chain_hash(
                    key,
                    prev,
                    canonical(seq, at.replace(tzinfo=UTC), actor, action, otype, str(oid), data),
                )
                yield (
                    seq,
                    seq,
                    w.stamp(at),
                    actor,
                    action,
                    otype,
                    str(oid),
                    w.js(data),
                    prev,
                    digest,
                )
                prev = digest
            self.chain_seq, self.chain_hash = seq, prev

        self.counts["audit events"] = w.write(AuditEvent._meta.db_table, cols, rows())
        w.write(
            ChainHead._meta.db_table,
            ("chain", "seq", "hash"),
            [("audit", self.chain_seq, self.chain_hash)],
        )


def load_dataset(sizes: Sizes, seed: int, make_writer: Callable[[], Writer]) -> dict[str, Any]:
    """Migrate the empty database, create the reference data, then bulk-load the rest through
    the writer `make_writer` returns (called once the ORM's connection is closed)."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    log("migrating")
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started
    ref = create_reference_data()
    connection.close()
    writer = make_writer()
    log(f"bulk load: {writer.note}")
    gen = Generator(sizes, seed, ref, writer)
    gen.run()
    total = time.perf_counter() - started
    stages = {"migrate + reference data": migrate_s, **gen.stages}
    counts = dict(gen.counts)
    counts["bibs"] = gen.n_bibs
    log(f"loaded in {total:.0f} s")
    return {
        "load_seconds": total,
        "stages": stages,
        "counts": counts,
        "load_note": writer.note,
        "loaded_at": dt.datetime.now(UTC).isoformat(timespec="seconds"),
    }
