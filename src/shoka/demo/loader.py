"""`shoka demo`: a deterministic synthetic library, built through the real services.

A fictional 書架市立図書館 (main library, two branches, a bookmobile with stops) in the postal
area of 長野県松本市, with ~5,000 titles, ~8,000 items, ~1,000 synthetic patrons (children
with guardians, a few out-of-area residents and school classes) and about ten weeks of
circulation history ending today: loans, returns (some late), holds on the shelf, in transit
and waiting, and overdue loans. Nobody in it is real.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic
from shoka.catalogue.importing import ImportOptions, import_records
from shoka.catalogue.models import Bib, Item, ItemStatus, LoanCategory
from shoka.catalogue.records import HoldingData, ImportRecord
from shoka.catalogue.services import BibData, ContributorData
from shoka.circulation import services as circ
from shoka.circulation.models import Hold, HoldStatus, Loan, LoanRule, PatronRule
from shoka.organisation import calendar as cal
from shoka.organisation.models import (
    BookmobileStop,
    Branch,
    BranchKind,
    CheckDigit,
    ClosedPeriod,
    ClosedPeriodKind,
    Library,
    Location,
)
from shoka.organisation.services import branch_calendar
from shoka.patrons.checkdigits import with_check_digit
from shoka.patrons.models import Patron, PatronCategory
from shoka.patrons.services import PatronData, PatronError, register_patron

from .bibdata import DemoBib, call_number, generate_bibs
from .people import DemoPerson, generate_people, municipality_postal_codes

TZ = ZoneInfo("Asia/Tokyo")
HISTORY_DAYS = 70


@dataclass
class _Lib:
    library: Library
    branches: list[Branch]
    bookmobile: Branch
    locations: dict[tuple[int, str], Location]


def organisation(today: dt.date) -> _Lib:
    library = Library.objects.create(
        code="shoka",
        name="書架市立図書館",
        name_en="Shoka City Library",
        card_check_digit=CheckDigit.MOD10_W21,
        registration_years=3,
    )
    year_end = [["12-29", "01-04"]]
    main = Branch.objects.create(
        library=library,
        code="main",
        name="中央図書館",
        name_en="Central Library",
        kind=BranchKind.MAIN,
        weekly_closed_days=[0],
        annual_closures=year_end,
        monthly_closed_rule=[{"week": -1, "weekday": 3}],
        address="書架市中央一丁目1番1号",
        phone="0120-000-101",
        opening_hours=[
            None,
            ["09:00", "19:00"],
            ["09:00", "19:00"],
            ["09:00", "19:00"],
            ["09:00", "19:00"],
            ["09:00", "17:00"],
            ["09:00", "17:00"],
        ],
    )
    east = Branch.objects.create(
        library=library,
        code="east",
        name="東分館",
        name_en="East Branch",
        kind=BranchKind.BRANCH,
        weekly_closed_days=[0],
        annual_closures=year_end,
        address="書架市東町二丁目3番4号",
        phone="0120-000-102",
        opening_hours=[
            None,
            ["10:00", "18:00"],
            ["10:00", "18:00"],
            ["10:00", "18:00"],
            ["10:00", "18:00"],
            ["10:00", "17:00"],
            ["10:00", "17:00"],
        ],
    )
    north = Branch.objects.create(
        library=library,
        code="north",
        name="北分館",
        name_en="North Branch",
        kind=BranchKind.BRANCH,
        weekly_closed_days=[0, 1],
        annual_closures=year_end,
        address="書架市北野五丁目6番7号",
        phone="0120-000-103",
        opening_hours=[
            None,
            None,
            ["10:00", "18:00"],
            ["10:00", "18:00"],
            ["10:00", "18:00"],
            ["10:00", "17:00"],
            ["10:00", "17:00"],
        ],
    )
    bookmobile = Branch.objects.create(
        library=library,
        code="bm",
        name="移動図書館しょか号",
        name_en="Bookmobile",
        kind=BranchKind.BOOKMOBILE,
        weekly_closed_days=[0, 5, 6],
        closed_on_public_holidays=True,
        annual_closures=year_end,
        address="書架市中央一丁目1番1号 (中央図書館)",
        phone="0120-000-101",
        opening_hours=[
            None,
            ["09:30", "16:00"],
            ["09:30", "16:00"],
            ["09:30", "16:00"],
            ["09:30", "16:00"],
            None,
            None,
        ],
    )
    # Stocktaking (特別整理期間) at the central library, early next February.
    start = dt.date(today.year + 1, 2, 2)
    ClosedPeriod.objects.create(
        library=library,
        branch=main,
        start=start,
        end=start + dt.timedelta(days=9),
        kind=ClosedPeriodKind.STOCKTAKING,
        reason="蔵書点検",
    )
    locations: dict[tuple[int, str], Location] = {}
    shelves = [
        ("general", "一般書架", True),
        ("children", "児童書架", True),
        ("reference", "参考図書", True),
        ("av", "視聴覚", True),
    ]
    for branch in (main, east, north, bookmobile):
        for code, name, open_stack in shelves + (
            [("stacks", "書庫", False)] if branch is main else []
        ):
            locations[(branch.pk, code)] = Location.objects.create(
                branch=branch, code=code, name=name, is_open_stack=open_stack
            )
    stops = [
        ("ekimae", "駅前広場"),
        ("kouminkan", "北公民館"),
        ("shogakko", "第三小学校"),
        ("danchi", "南団地集会所"),
        ("byoin", "市民病院前"),
        ("koen", "城山公園"),
    ]
    monday = today - dt.timedelta(days=today.weekday())
    for i, (code, name) in enumerate(stops):
        BookmobileStop.objects.create(
            branch=bookmobile,
            code=code,
            name=name,
            order=i,
            weekday=1 + i % 4,
            interval_weeks=2,
            first_visit=monday + dt.timedelta(days=1 + i % 4 + 7 * (i // 4)),
            arrives=dt.time(10 + i % 3, 0),
            departs=dt.time(10 + i % 3, 40),
        )
    return _Lib(library, [main, east, north], bookmobile, locations)


def categories_and_rules(library: Library, bookmobile: Branch) -> dict[str, LoanCategory]:
    for code, name, name_en, guardian, is_group in (
        ("adult", "一般", "adult", False, False),
        ("child", "児童", "child", True, False),
        ("student", "中高生", "student", False, False),
        ("out_of_area", "市外在住・在勤", "out-of-area resident", False, False),
        ("group", "団体", "group", False, True),
    ):
        PatronCategory.objects.create(
            library=library,
            code=code,
            name=name,
            name_en=name_en,
            requires_guardian=guardian,
            is_group=is_group,
        )
    lcs = {}
    for code, name, name_en, loanable in (
        ("book", "図書", "books", True),
        ("av", "視聴覚資料", "audio-visual", True),
        ("kamishibai", "紙芝居", "kamishibai", True),
        ("magazine", "雑誌", "magazines", True),
        ("reference", "参考図書（禁帯出）", "reference (not for loan)", False),
    ):
        lcs[code] = LoanCategory.objects.create(
            library=library, code=code, name=name, name_en=name_en, loanable=loanable
        )
    group = PatronCategory.objects.get(library=library, code="group")
    LoanRule.objects.create(library=library, loan_period=14, renewals=1)
    LoanRule.objects.create(
        library=library, loan_category=lcs["av"], loan_period=14, max_items=3, renewals=1
    )
    LoanRule.objects.create(
        library=library, loan_category=lcs["kamishibai"], loan_period=14, max_items=2, renewals=1
    )
    LoanRule.objects.create(
        library=library,
        loan_category=lcs["magazine"],
        loan_period=14,
        max_items=3,
        renewals=0,
        holds_allowed=False,
    )
    LoanRule.objects.create(library=library, branch=bookmobile, loan_period=28, renewals=1)
    LoanRule.objects.create(library=library, patron_category=group, loan_period=28, renewals=1)
    PatronRule.objects.create(library=library, max_loans=10, max_holds=10)
    PatronRule.objects.create(library=library, patron_category=group, max_loans=60, max_holds=20)
    return lcs


def _bib_data(bib: DemoBib) -> BibData:
    title = bib.full_title  # ISBD order: title, volume, " : " subtitle
    reading = " ".join(
        r for r in (bib.title_reading, bib.volume_reading, bib.subtitle_reading) if r
    )
    return BibData(
        title=title,
        title_reading=reading,
        responsibility=bib.responsibility,
        contributors=[ContributorData(a.name, a.reading, a.role) for a in bib.authors],
        publisher=bib.publisher,
        publisher_reading=bib.publisher_reading,
        year=bib.year,
        isbns=bib.isbns,
        ndc=bib.ndc,
        ndc_edition=bib.ndc_edition,
        subjects=bib.subjects,
        material_type=bib.material_type,
        language=bib.language,
        series=bib.series,
        volume=bib.series_number or bib.volume,
        notes="\n".join(bib.notes),
    )


def _loan_category(bib: DemoBib, rng: random.Random) -> str:
    if bib.material_type in ("cd", "dvd"):
        return "av"
    if bib.material_type in ("kamishibai", "magazine"):
        return bib.material_type
    # Dictionaries and encyclopaedias (NDC form division 033/03: 辞典) stay in the library.
    if (
        bib.ndc.startswith("03")
        or ".03" in bib.ndc
        or bib.ndc.endswith("033")
        or rng.random() < 0.02
    ):
        return "reference"
    return "book"


def catalogue_records(
    branches: list[Branch],
    bookmobile: Branch,
    demo_bibs: list[DemoBib],
    rng: random.Random,
    today: dt.date,
) -> Iterator[ImportRecord]:
    """The demo titles as import records with their copies (1–3 per title, spread over the
    branches and the bookmobile; reference books once, in the reference room)."""
    barcode = 1_000_000
    weights = [5, 3, 2]
    for n, demo in enumerate(demo_bibs, start=1):
        category = _loan_category(demo, rng)
        copies = 1 if category == "reference" else rng.choices([1, 2, 3], [55, 35, 10])[0]
        holdings = []
        for _ in range(copies):
            barcode += 1
            branch = (
                bookmobile
                if category == "book" and rng.random() < 0.05
                else rng.choices(branches, weights)[0]
            )
            shelf = (
                "av"
                if category == "av"
                else "reference"
                if category == "reference"
                else "children"
                if demo.juvenile
                else "general"
            )
            if branch.kind == BranchKind.MAIN and demo.year < 1995 and rng.random() < 0.5:
                shelf = "stacks"
            acquired = max(
                dt.date(demo.year, 4, 1), today - dt.timedelta(days=rng.randint(1, 365 * 12))
            )
            holdings.append(
                HoldingData(
                    barcode=str(barcode),
                    branch=branch.code,
                    location=shelf,
                    loan_category=category,
                    call_number=call_number(demo),
                    acquired_on=min(acquired, today),
                    price=Decimal(rng.randrange(400, 4000, 10)),
                )
            )
        yield ImportRecord(f"demo record {n}", _bib_data(demo), tuple(holdings))


def _catalogue(
    lib: _Lib,
    demo_bibs: list[DemoBib],
    rng: random.Random,
    today: dt.date,
    actor: Actor,
    at: dt.datetime,
) -> int:
    """Load the titles and their copies through the catalogue import (batched writes, one
    audit event per batch, every record queued for the search index)."""
    report = import_records(
        lib.library,
        catalogue_records(lib.branches, lib.bookmobile, demo_bibs, rng, today),
        source="demo",
        actor=actor,
        at=at,
        options=ImportOptions(batch_size=2000),
    )
    if report.bad or report.items_skipped:
        raise RuntimeError(f"the demo catalogue did not load cleanly: {report.as_text()[:2000]}")
    return report.items_added


def _patron_data(person: DemoPerson, card: str, rng: random.Random) -> PatronData:
    contact = person.guardian or person.contact
    return PatronData(
        card_number=card,
        category=person.category,
        home_branch=rng.choices(["main", "east", "north"], [5, 3, 2])[0],
        name=person.name,
        name_kana=person.name_kana,
        birth_date=person.birth_date,
        postal_code=person.postal_code,
        address=person.address,
        phone=person.phone,
        email=person.email,
        guardian_name=contact.name if contact else None,
        guardian_relation=contact.relation if contact else None,
        guardian_contact=contact.phone if contact else None,
        notify_channel=person.notify_channel,
        keeps_reading_history=person.keeps_reading_history,
        area_code=person.postal_code[:5] if person.category != "out_of_area" else "out",
    )


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 30), TZ) + dt.timedelta(
        minutes=rng.randint(0, 8 * 60)
    )


@dataclass
class _Desk:
    """The simulation's memory of where every copy is: what it plans, not what it reads back."""

    lib: _Lib
    rng: random.Random
    actor: Actor
    specs: dict[int, tuple[cal.CalendarSpec, cal.Holidays]]
    counts: dict[str, int]
    available: dict[int, list[str]]
    planned: dict[dt.date, list[tuple[str, int]]] = field(default_factory=dict)
    in_transit: list[tuple[dt.date, str, Branch]] = field(default_factory=list)
    bibs_on_loan: list[int] = field(default_factory=list)

    def scan_in(self, barcode: str, branch: Branch, day: dt.date) -> None:
        """A return or a transit's arrival: the copy goes where the desk routes it."""
        result = circ.checkin(barcode, branch=branch, actor=self.actor, at=_moment(day, self.rng))
        if result.routing.route == circ.Route.TRANSIT and result.routing.destination:
            self.in_transit.append(
                (day + dt.timedelta(days=1), barcode, result.routing.destination)
            )
        elif result.routing.route == circ.Route.SHELVE:
            self.available[result.item.branch_id].append(barcode)
        # HOLD_SHELF: it waits there for its patron (collect_holds).

    def lend(self, barcode: str, patron: Patron | int, branch: Branch, day: dt.date) -> bool:
        try:
            lent = circ.checkout(
                barcode, patron, branch=branch, actor=self.actor, at=_moment(day, self.rng)
            )
        except circ.CirculationRefused:
            self.counts["refused"] += 1
            return False
        self.counts["checkouts"] += 1
        self.bibs_on_loan.append(lent.loan.item.bib_id)
        due = lent.loan.due_on
        back = (
            due + dt.timedelta(days=self.rng.randint(1, 25))
            if self.rng.random() < 0.12
            else due - dt.timedelta(days=self.rng.randint(0, 9))
        )
        if back > day:
            ret_branch = (
                branch
                if branch.kind != BranchKind.BOOKMOBILE
                else self.rng.choice(self.lib.branches)
            )
            when = cal.next_opening_day(*self.specs[ret_branch.pk], back)
            self.planned.setdefault(when, []).append((barcode, ret_branch.pk))
        return True

    def collect_holds(self, branch: Branch, day: dt.date) -> None:
        """Most patrons fetch a held copy within a few days; the rest let it expire."""
        ready = Hold.objects.filter(
            pickup_branch=branch, status=HoldStatus.READY, item__isnull=False
        ).values_list("patron_id", "item__barcode")
        for patron_id, barcode in list(ready):
            if self.rng.random() < 0.4:
                self.lend(barcode, patron_id, branch, day)


def _history(
    lib: _Lib, patrons: list[Patron], rng: random.Random, today: dt.date, actor: Actor
) -> dict[str, int]:
    """About ten weeks of circulation through the real services, ending today."""
    branches = [*lib.branches, lib.bookmobile]
    desk = _Desk(
        lib=lib,
        rng=rng,
        actor=actor,
        specs={b.pk: branch_calendar(b, today - dt.timedelta(days=HISTORY_DAYS)) for b in branches},
        counts={"checkouts": 0, "returns": 0, "holds": 0, "refused": 0},
        available={
            b.pk: list(
                Item.objects.filter(
                    branch=b, status=ItemStatus.AVAILABLE, loan_category__loanable=True
                ).values_list("barcode", flat=True)
            )
            for b in branches
        },
    )
    # A busy branch lends 14 copies a day (the bookmobile 5), a small collection fewer:
    # a tiny demo library must not end with every copy out. Loans last two to three weeks,
    # so lending a fortieth of the stock a day keeps about half of it on the shelf; a
    # fraction is the chance of one more loan that day.
    rate = {
        b.pk: min(5 if b.kind == BranchKind.BOOKMOBILE else 14, len(desk.available[b.pk]) / 40)
        for b in branches
    }
    borrowers = [p for p in patrons if p.category.code != "group"]
    start = today - dt.timedelta(days=HISTORY_DAYS)
    for offset in range(HISTORY_DAYS + 1):
        day = start + dt.timedelta(days=offset)
        for branch in branches:
            spec, hol = desk.specs[branch.pk]
            if not cal.is_open(spec, hol, day):
                continue
            # Arrivals of yesterday's transits, then returns planned for today.
            for when, barcode, dest in [t for t in desk.in_transit if t[0] <= day]:
                if dest.pk == branch.pk:
                    desk.in_transit.remove((when, barcode, dest))
                    desk.scan_in(barcode, branch, day)
            for barcode, branch_pk in list(desk.planned.get(day, [])):
                if branch_pk == branch.pk:
                    desk.counts["returns"] += 1
                    desk.scan_in(barcode, branch, day)
            if day == today:
                continue  # today: returns and arrivals only, so the desk has work to do
            desk.collect_holds(branch, day)
            lendings = int(rate[branch.pk]) + (rng.random() < rate[branch.pk] % 1)
            for _ in range(lendings):
                pool = desk.available[branch.pk]
                if not pool:
                    break
                barcode = pool.pop(rng.randrange(len(pool)))
                if not desk.lend(barcode, rng.choice(borrowers), branch, day):
                    pool.append(barcode)
            # A few holds on titles that are out: about one for every seven loans.
            for _ in range(lendings):
                if branch.kind == BranchKind.BOOKMOBILE or not desk.bibs_on_loan:
                    break
                if rng.random() >= 1 / 7:
                    continue
                bib = Bib.objects.get(pk=rng.choice(desk.bibs_on_loan))
                try:
                    circ.place_hold(
                        bib,
                        rng.choice(borrowers),
                        pickup_branch=branch,
                        actor=actor,
                        at=_moment(day, rng),
                    )
                    desk.counts["holds"] += 1
                except circ.CirculationRefused:
                    desk.counts["refused"] += 1
    circ.run_daily(lib.library, at=dt.datetime.combine(today, dt.time(7, 0), TZ))
    return desk.counts


def load_demo(
    *,
    seed: int = 20261122,
    bibs: int = 5000,
    patrons: int = 1000,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> str:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    actor = Actor.system("demo")
    setup_at = dt.datetime.combine(today - dt.timedelta(days=HISTORY_DAYS + 1), dt.time(9, 0), TZ)
    with audited_atomic():
        lib = organisation(today)
        categories_and_rules(lib.library, lib.bookmobile)
    progress(f"demo: generating {bibs} titles …")
    items = _catalogue(lib, generate_bibs(seed, bibs), rng, today, actor, setup_at)
    progress(f"demo: {bibs} titles and {items} items; registering {patrons} patrons …")
    with audited_atomic():
        people = generate_people(
            seed,
            patrons,
            today=today,
            postal_codes=municipality_postal_codes("長野県", "松本市"),
            out_of_area_postal_codes=municipality_postal_codes("長野県", "塩尻市"),
        )
        registered: list[Patron] = []
        for i, person in enumerate(people):
            card = with_check_digit(CheckDigit.MOD10_W21, f"{2000000 + i:09d}")
            try:
                registered.append(
                    register_patron(
                        lib.library,
                        _patron_data(person, card, rng),
                        actor=actor,
                        at=setup_at,
                        allow_duplicate=True,
                    )
                )
            except PatronError as exc:  # the generator should never produce these
                progress(f"demo: skipped a generated patron: {exc}")
    progress("demo: simulating ten weeks of circulation …")
    patrons_qs = list(
        Patron.objects.filter(library=lib.library).select_related("category", "home_branch")
    )
    counts = _history(lib, patrons_qs, rng, today, actor)
    open_loans = Loan.objects.filter(returned_at__isnull=True)
    return (
        f"demo library ready: {Bib.objects.count()} titles, {Item.objects.count()} items, "
        f"{len(registered)} patrons; {counts['checkouts']} loans made, {counts['returns']} "
        f"returned, {open_loans.count()} on loan now "
        f"({open_loans.filter(due_on__lt=today).count()} overdue); holds: "
        f"{Hold.objects.filter(status=HoldStatus.WAITING).count()} waiting, "
        f"{Hold.objects.filter(status=HoldStatus.IN_TRANSIT).count()} in transit, "
        f"{Hold.objects.filter(status=HoldStatus.READY).count()} on the hold shelf"
    )
