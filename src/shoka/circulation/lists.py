"""The lists staff work from (read-only queries; the staff holds pages render them):
the hold queue of a title, a branch's hold shelf, the pick list of items to pull from the
shelves for waiting holds, and the transit lists (outgoing, incoming) of a branch."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from shoka.catalogue.isbn import normalize_isbn
from shoka.catalogue.models import Bib, Item, ItemStatus
from shoka.organisation.models import Branch, Location

from .facts import load_policy
from .models import ACTIVE_HOLD, TRAPPED_HOLD, Hold, HoldStatus

# A hold on the shelf is "expiring soon" from this many days before its last pickup day.
EXPIRING_SOON_DAYS = 2
TITLE_RESULTS = 20


def masked_card(card: object) -> str:
    """A card number as staff lists show it: only its last four digits."""
    text = str(card or "")
    return "••••" + text[-4:] if len(text) > 4 else "••••"


# --- the queue of a title ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueLine:
    hold: Hold
    position: int | None  # place among the waiting holds (None: an item is already trapped)
    card: str  # masked


def hold_queue(bib: Bib) -> list[QueueLine]:
    """The title's active holds: trapped ones first (on the shelf or on their way), then the
    waiting ones in request order, numbered 1, 2, … — the order check-in fills them in."""
    holds = list(
        Hold.objects.filter(bib=bib, status__in=ACTIVE_HOLD)
        .select_related("pickup_branch", "patron", "item")
        .order_by("placed_at", "id")
    )
    trapped = [h for h in holds if h.status in TRAPPED_HOLD]
    waiting = [h for h in holds if h.status == HoldStatus.WAITING]
    lines = [QueueLine(h, None, masked_card(h.patron and h.patron.card_number)) for h in trapped]
    lines += [
        QueueLine(h, n, masked_card(h.patron and h.patron.card_number))
        for n, h in enumerate(waiting, start=1)
    ]
    return lines


# --- the hold shelf ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShelfLine:
    hold: Hold
    title: str
    barcode: str
    card: str  # masked
    ready_on: dt.date | None
    expires_on: dt.date
    days_left: int  # days until the last pickup day (negative: past it)
    expired: bool  # past the last pickup day, not yet cleared
    expiring_soon: bool  # within EXPIRING_SOON_DAYS of the last pickup day

    @property
    def days_past(self) -> int:
        return -self.days_left


def hold_shelf(
    branch: Branch, today: dt.date, *, soon_days: int = EXPIRING_SOON_DAYS
) -> list[ShelfLine]:
    """The holds ready on `branch`'s hold shelf, in pickup-number order (the shelf's order)."""
    holds = (
        Hold.objects.filter(pickup_branch=branch, status=HoldStatus.READY)
        .select_related("bib", "item", "patron")
        .only(
            "pickup_number",
            "ready_at",
            "expires_on",
            "placed_at",
            "status",
            "bib__title",
            "item__barcode",
            "patron__card_number",
        )
        .order_by("pickup_number", "id")
    )
    lines = []
    for h in holds:
        if h.expires_on is None:  # cannot happen: ready_hold_has_expiry
            continue
        left = (h.expires_on - today).days
        lines.append(
            ShelfLine(
                hold=h,
                title=h.bib.title,
                barcode=h.item.barcode if h.item else "",
                card=masked_card(h.patron and h.patron.card_number),
                ready_on=timezone.localdate(h.ready_at) if h.ready_at else None,
                expires_on=h.expires_on,
                days_left=left,
                expired=left < 0,
                expiring_soon=0 <= left <= soon_days,
            )
        )
    return lines


# --- the pick list -------------------------------------------------------------------------


@dataclass(frozen=True)
class PickLine:
    item: Item
    title: str
    pickup_branch: Branch  # where the hold it would fill is collected
    waiting: int  # holds waiting for the title with no item trapped yet


@dataclass
class PickGroup:
    branch: Branch
    location: Location
    lines: list[PickLine] = field(default_factory=list)


def pick_list(library_id: int, *, branch: Branch | None = None) -> list[PickGroup]:
    """Items to pull from the shelves for holds that wait with no item trapped yet.

    An available copy can fill a waiting hold when check-in would trap it for that hold
    (routing.route_item): the copy's loan category is lent and the rules allow holds on it
    for the hold's patron category at its pickup branch. Copies are matched to the title's
    waiting holds in request order, one copy per hold, separately at each branch (so two
    branches may both be asked for the same hold: the first copy scanned in fills it and the
    other goes back on its shelf). Grouped by branch and shelving location, sorted by call
    number. Scanning a pulled copy in at the desk (return mode) traps it."""
    waiting = list(
        Hold.objects.filter(
            bib__library_id=library_id, status=HoldStatus.WAITING, item__isnull=True
        )
        .select_related("pickup_branch")
        .only("bib_id", "patron_category", "pickup_branch", "placed_at")
        .order_by("placed_at", "id")
    )
    if not waiting:
        return []
    by_bib: dict[int, list[Hold]] = defaultdict(list)
    for hold in waiting:
        by_bib[hold.bib_id].append(hold)
    items = Item.objects.filter(
        library_id=library_id, bib_id__in=list(by_bib), status=ItemStatus.AVAILABLE
    )
    if branch is not None:
        items = items.filter(branch=branch)
    items = items.select_related("loan_category", "branch", "location", "bib").only(
        "barcode",
        "call_number",
        "bib__title",
        "loan_category__code",
        "loan_category__loanable",
        "branch__name",
        "branch__code",
        "location__name",
        "location__code",
        "location__branch_id",
    )
    policy = load_policy(library_id)
    taken: set[tuple[int, int]] = set()  # (branch id, hold id) already given a copy
    groups: dict[tuple[int, int], PickGroup] = {}
    for item in sorted(items, key=lambda i: (i.call_number, i.barcode)):
        if not item.loan_category.loanable:
            continue
        queue = by_bib[item.bib_id]
        for hold in queue:
            if (item.branch_id, hold.pk) in taken:
                continue
            terms = policy.loan_terms(
                hold.patron_category, item.loan_category.code, hold.pickup_branch.code
            )
            if terms.holds_allowed:
                taken.add((item.branch_id, hold.pk))
                group = groups.setdefault(
                    (item.branch_id, item.location_id), PickGroup(item.branch, item.location)
                )
                group.lines.append(PickLine(item, item.bib.title, hold.pickup_branch, len(queue)))
                break
    return sorted(groups.values(), key=lambda g: (g.branch.pk, g.location.name, g.location.code))


# --- transit lists -------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitLine:
    item: Item
    title: str
    origin: Branch | None  # where it was sent from (last scanned)
    destination: Branch
    sent_at: dt.datetime | None
    hold: Hold | None  # the hold it travels for (None: it goes home)


def _in_transit(library_id: int):  # type: ignore[no-untyped-def]
    travelling_for = Hold.objects.filter(item=OuterRef("pk"), status=HoldStatus.IN_TRANSIT)
    return (
        Item.objects.filter(library_id=library_id, status=ItemStatus.IN_TRANSIT)
        .annotate(
            destination_id=Coalesce(
                Subquery(travelling_for.values("pickup_branch_id")[:1]),
                F("branch_id"),
                output_field=BigIntegerField(),
            )
        )
        .select_related("bib", "current_branch")
        .only("barcode", "status_changed_at", "branch_id", "bib__title", "current_branch__name")
        .order_by("status_changed_at", "barcode")
    )


def _lines(items: list[Item], library_id: int) -> list[TransitLine]:
    if not items:
        return []
    branches = {b.pk: b for b in Branch.objects.filter(library_id=library_id)}
    holds = {
        h.item_id: h
        for h in Hold.objects.filter(
            item_id__in=[i.pk for i in items], status=HoldStatus.IN_TRANSIT
        ).only("item_id", "pickup_number", "pickup_branch_id")
    }
    return [
        TransitLine(
            item=i,
            title=i.bib.title,
            origin=i.current_branch,
            destination=branches[i.destination_id],  # type: ignore[attr-defined]
            sent_at=i.status_changed_at,
            hold=holds.get(i.pk),
        )
        for i in items
    ]


def transits_outgoing(branch: Branch) -> list[TransitLine]:
    """Items sent off from `branch` (last scanned here) that have not arrived yet."""
    items = list(
        _in_transit(branch.library_id)
        .filter(current_branch=branch)
        .exclude(destination_id=branch.pk)
    )
    return _lines(items, branch.library_id)


def transits_incoming(branch: Branch) -> list[TransitLine]:
    """Items on their way to `branch`: for a hold collected here, or coming home."""
    items = list(_in_transit(branch.library_id).filter(destination_id=branch.pk))
    return _lines(items, branch.library_id)


# --- finding a title -----------------------------------------------------------------------


def find_titles(library_id: int, query: str) -> list[Bib]:
    """Titles for a hold: by ISBN, by an item's barcode, else by words of the title (the
    search index; the database when there is no index)."""
    query = query.strip()
    if not query:
        return []
    bibs = Bib.objects.filter(library_id=library_id).only("title", "responsibility", "year")
    isbn = normalize_isbn(query)
    if isbn:
        found = list(bibs.filter(isbns__isbn13=isbn).distinct()[:TITLE_RESULTS])
        if found:
            return found
    by_barcode = list(bibs.filter(items__barcode=query)[:1])
    if by_barcode:
        return by_barcode
    return _by_words(library_id, query, bibs)


def _by_words(library_id: int, query: str, bibs):  # type: ignore[no-untyped-def]
    from shoka.search.engine import SearchIndexError
    from shoka.search.service import SearchRequest, get_service

    try:
        response = get_service().search(
            SearchRequest(q=query, per_page=TITLE_RESULTS, facets=False)
        )
    except SearchIndexError:
        return list(bibs.filter(title__icontains=query).order_by("title", "id")[:TITLE_RESULTS])
    ids = [hit.id for hit in response.hits]
    found = {b.pk: b for b in bibs.filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


__all__ = [
    "EXPIRING_SOON_DAYS",
    "PickGroup",
    "PickLine",
    "QueueLine",
    "ShelfLine",
    "TransitLine",
    "find_titles",
    "hold_queue",
    "hold_shelf",
    "masked_card",
    "pick_list",
    "transits_incoming",
    "transits_outgoing",
]
