"""Building numbered, signed changesets from the outbox (docs/publishing.md, "Protocol").

Only the fields of :mod:`shoka.publish.allowlist` are read and copied. A record that no
longer exists is published as a deletion. Sequence numbers are given out per target under
a row lock on the target, so two publishers never number two changesets alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from shoka.catalogue.models import Bib, BibIsbn, Contributor, Item, ItemStatus
from shoka.circulation.models import ACTIVE_HOLD, Hold, Loan
from shoka.organisation import calendar as cal
from shoka.organisation.models import Branch, BranchKind
from shoka.organisation.services import branch_calendar

from . import allowlist, signing
from .models import Changeset, PublishChange, PublishTarget

# Records per changeset: a changeset of 200 records with their copies stays well under the
# receiver's body limit (shoka.publish.public.views.MAX_BODY).
RECORDS_PER_CHANGESET = 200
Progress = Callable[[int, int], None]

_BIB_COPIED = (
    "title",
    "title_reading",
    "title_romanized",
    "responsibility",
    "publisher",
    "publisher_reading",
    "year",
    "edition",
    "extent",
    "jpno",
    "ndc",
    "subjects",
    "subject_readings",
    "series",
    "series_reading",
    "volume",
    "material_type",
    "language",
)


def target_name() -> str:
    return str(getattr(settings, "SHOKA_PUBLISH_TARGET", "opac"))


def signing_key() -> Any:
    from pathlib import Path

    return signing.load_private_key(Path(settings.SHOKA_PUBLISH_KEY_FILE))


def public_records(bib_ids: Iterable[int]) -> tuple[list[dict[str, Any]], list[int]]:
    """The public form of the given records, and the ids of those that no longer exist."""
    ids = sorted(set(bib_ids))
    bibs = {b["id"]: b for b in Bib.objects.filter(id__in=ids).values("id", *_BIB_COPIED)}
    authors: dict[int, list[dict[str, str]]] = defaultdict(list)
    for bib_id, name, reading in (
        Contributor.objects.filter(bib_id__in=ids)
        .order_by("bib_id", "position")
        .values_list("bib_id", "name", "reading")
    ):
        authors[bib_id].append({"name": name, "reading": reading})
    isbns: dict[int, list[str]] = defaultdict(list)
    for bib_id, isbn in (
        BibIsbn.objects.filter(bib_id__in=ids).order_by("id").values_list("bib_id", "isbn13")
    ):
        isbns[bib_id].append(isbn)
    queues = dict(
        Hold.objects.filter(bib_id__in=ids, status__in=ACTIVE_HOLD)
        .values_list("bib_id")
        .annotate(n=Count("id"))
        .values_list("bib_id", "n")
    )
    due = dict(
        Loan.objects.filter(item__bib_id__in=ids, returned_at__isnull=True).values_list(
            "item_id", "due_on"
        )
    )
    since = timezone.now() - dt.timedelta(days=allowlist.LOAN_COUNT_DAYS)
    loan_counts = dict(
        Loan.objects.filter(item__bib_id__in=ids, checked_out_at__gte=since)
        .values_list("item__bib_id")
        .annotate(n=Count("id"))
        .values_list("item__bib_id", "n")
    )
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        Item.objects.filter(bib_id__in=ids)
        .exclude(status=ItemStatus.WITHDRAWN)
        .order_by("id")
        .values(
            "id",
            "bib_id",
            "branch__code",
            "branch__name",
            "location__code",
            "location__name",
            "call_number",
            "status",
            "loan_category__loanable",
            "acquired_on",
        )
    ):
        due_on = due.get(row["id"])
        items[row["bib_id"]].append(
            {
                "id": row["id"],
                "branch": row["branch__code"],
                "branch_name": row["branch__name"],
                "location": row["location__code"],
                "location_name": row["location__name"],
                "call_number": row["call_number"],
                "status": row["status"],
                "loanable": bool(row["loan_category__loanable"]),
                "due_on": due_on.isoformat() if due_on else None,
                "acquired_on": row["acquired_on"].isoformat() if row["acquired_on"] else None,
            }
        )
    records = []
    for bib_id in ids:
        bib = bibs.get(bib_id)
        if bib is None:
            continue
        record = {name: bib[name] for name in _BIB_COPIED}
        record.update(
            id=bib_id,
            authors=authors.get(bib_id, []),
            isbns=isbns.get(bib_id, []),
            subjects=list(bib["subjects"] or []),
            subject_readings=list(bib["subject_readings"] or []),
            hold_queue=int(queues.get(bib_id, 0)),
            loan_count=int(loan_counts.get(bib_id, 0)),
            items=items.get(bib_id, []),
        )
        records.append(record)
    return records, [i for i in ids if i not in bibs]


_KIND_ORDER = {BranchKind.MAIN: 0, BranchKind.BRANCH: 1, BranchKind.BOOKMOBILE: 2}


def public_branches(today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every active branch as the public sees it, with its calendar of open days from
    ``CALENDAR_PAST_DAYS`` before ``today`` to ``CALENDAR_DAYS`` after (the staff calendar
    rules decide; the OPAC only displays the result)."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=allowlist.CALENDAR_PAST_DAYS)
    end = today + dt.timedelta(days=allowlist.CALENDAR_DAYS)
    branches = sorted(
        Branch.objects.filter(is_active=True).select_related("library"),
        key=lambda b: (_KIND_ORDER.get(BranchKind(b.kind), 9), b.code),
    )
    out = []
    for position, branch in enumerate(branches):
        hours = branch.opening_hours if len(branch.opening_hours or []) == 7 else []
        spec, holidays = branch_calendar(branch, start)
        days = []
        for day, closure in cal.iter_days(spec, holidays, start, end):
            entry = hours[day.weekday()] if hours else None
            is_open = closure is None
            days.append(
                {
                    "date": day.isoformat(),
                    "open": is_open,
                    "opens": entry[0] if is_open and entry else None,
                    "closes": entry[1] if is_open and entry else None,
                    "closure": "" if closure is None else str(closure.kind),
                    "reason": "" if closure is None else (closure.reason or ""),
                }
            )
        out.append(
            {
                "code": branch.code,
                "name": branch.name,
                "name_en": branch.name_en,
                "kind": str(branch.kind),
                "address": branch.address,
                "phone": branch.phone,
                "hours": [list(h) if h else None for h in hours],
                "position": position,
                "days": days,
            }
        )
    return out


def _branches_if_changed(target: PublishTarget, *, force: bool = False) -> list[dict] | None:
    """The branches when they differ from what the target last received (or ``force``);
    None otherwise. Remembers what it hands out (inside the caller's transaction)."""
    branches = public_branches()
    digest = hashlib.sha256(signing.canonical({"branches": branches})).hexdigest()
    if not force and digest == target.branches_digest:
        return None
    target.branches_digest = digest
    target.save(update_fields=["branches_digest"])
    return branches


def _seal(target: PublishTarget, key: Any, payload: dict[str, Any], records: int) -> Changeset:
    """Number, check, sign and store one changeset (inside the caller's transaction)."""
    target.last_sequence += 1
    target.save(update_fields=["last_sequence"])
    now = timezone.now()
    changeset = {
        "format": allowlist.FORMAT,
        "target": target.name,
        "sequence": target.last_sequence,
        "created_at": now.isoformat(),
        **payload,
    }
    allowlist.validate(changeset)  # the builder must never produce what the receiver refuses
    body = signing.canonical(changeset)
    return Changeset.objects.create(
        target=target,
        sequence=target.last_sequence,
        body=body.decode("utf-8"),
        signature=signing.sign(key, body),
        records=records,
        resync=bool(payload["resync"]),
        created_at=now,
    )


def _locked_target(name: str) -> PublishTarget:
    PublishTarget.objects.get_or_create(name=name)
    return PublishTarget.objects.select_for_update().get(name=name)


def build_pending(*, name: str | None = None, key: Any = None) -> list[Changeset]:
    """Turn the queued changes into changesets (at most RECORDS_PER_CHANGESET records each)
    and remove the queue rows they cover.

    Each changeset is built in a transaction of its own, under the row lock on the target,
    with the removal of the queue rows it covers: after a large import the desk is not held
    up for the whole queue, and a crash half-way keeps what was not yet built. A record
    queued again meanwhile keeps its newer queue row (only rows up to the start are
    removed). Another publisher that got there first leaves nothing to build for a chunk."""
    key = key or signing_key()
    name = name or target_name()
    built: list[Changeset] = []
    last = PublishChange.objects.aggregate(m=Max("id"))["m"]
    if last is None:
        with transaction.atomic():
            target = _locked_target(name)
            branches = _branches_if_changed(target)
            if branches is not None:  # only the branches (or their calendar) changed
                payload = {"resync": False, "records": [], "deleted": [], "branches": branches}
                built.append(_seal(target, key, payload, 0))
        return built
    ids = sorted(set(PublishChange.objects.filter(id__lte=last).values_list("bib_id", flat=True)))
    for start in range(0, len(ids), RECORDS_PER_CHANGESET):
        chunk = ids[start : start + RECORDS_PER_CHANGESET]
        with transaction.atomic():
            target = _locked_target(name)
            queued = PublishChange.objects.filter(id__lte=last, bib_id__in=chunk)
            pending = sorted(set(queued.values_list("bib_id", flat=True)))
            branches = _branches_if_changed(target) if start == 0 else None
            if not pending and branches is None:
                continue
            records, deleted = public_records(pending)
            payload = {
                "resync": False,
                "records": records,
                "deleted": deleted,
                "branches": branches,
            }
            built.append(_seal(target, key, payload, len(records) + len(deleted)))
            queued.delete()
    return built


def build_full(
    *, name: str | None = None, key: Any = None, progress: Progress | None = None
) -> list[Changeset]:
    """Changesets holding every record: the first is marked ``resync`` so that a new or
    lagging OPAC starts from it. Records deleted earlier are not repeated: a fresh OPAC
    never had them, and a lagging one receives the deletions it missed from the queue.

    Each changeset is built in a transaction of its own, so desk work is not held up for
    the length of a big catalogue (on SQLite a transaction blocks every other writer).
    Changes queued before the start are covered by the full set: their queue rows are
    removed with the last changeset, never before (a crash half-way keeps them)."""
    key = key or signing_key()
    name = name or target_name()
    covered = PublishChange.objects.aggregate(m=Max("id"))["m"]
    all_ids = list(Bib.objects.order_by("id").values_list("id", flat=True))
    built: list[Changeset] = []
    starts = range(0, max(len(all_ids), 1), RECORDS_PER_CHANGESET)
    for start in starts:
        with transaction.atomic():
            target = _locked_target(name)
            records, _gone = public_records(all_ids[start : start + RECORDS_PER_CHANGESET])
            branches = _branches_if_changed(target, force=True) if start == 0 else None
            payload = {
                "resync": start == 0,
                "records": records,
                "deleted": [],
                "branches": branches,
            }
            built.append(_seal(target, key, payload, len(records)))
            if start == starts[-1] and covered is not None:
                PublishChange.objects.filter(id__lte=covered).delete()
        if progress:
            progress(min(start + RECORDS_PER_CHANGESET, len(all_ids)), len(all_ids))
    return built
