"""THE list of fields that may leave the staff zone (DESIGN.md: "an explicit allowlist").

Every field a changeset carries is named here with its type; nothing else crosses. The
builder copies only these fields, and the receiver rejects a changeset that carries any
other field (it does not drop it silently). Adding a public field means adding it here,
to the builder and to the public model, and documenting it in docs/publishing.md.

Never here: barcodes, prices, staff notes, acquisition sources, and anything about who
borrowed or reserved a copy — the public side learns *that* a copy is lent (status, due
date) and *how many* wait for a title (hold_queue), never by whom.

This module imports no model: the staff publisher and the OPAC receiver both use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

FORMAT = "shoka-changeset/1"

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 5000


def _optional_int(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1_000_000


def _id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= 1000 and all(_text(v) for v in value)


def _optional_date(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _bool(value: Any) -> bool:
    return isinstance(value, bool)


def _timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


# Per author: the name as printed and its reading (ヨミ).
AUTHOR_FIELDS: dict[str, Check] = {"name": _text, "reading": _text}

# Per copy (資料): where it is and whether it can be had — never who has it.
ITEM_FIELDS: dict[str, Check] = {
    "id": _id,  # the staff item id: a stable key, not the barcode
    "branch": _text,  # branch code
    "branch_name": _text,
    "location": _text,  # location (配架場所) code
    "location_name": _text,
    "call_number": _text,  # 請求記号
    "status": _text,  # shoka.catalogue.models.ItemStatus value
    "loanable": _bool,  # false for reference-only (館内のみ) copies
    "due_on": _optional_date,  # 返却予定日 while on loan
    "acquired_on": _optional_date,  # 受入日 (new arrivals)
}

# Per bibliographic record (書誌): display and search fields, and the hold-queue length.
RECORD_FIELDS: dict[str, Check] = {
    "id": _id,  # the staff bib id
    "title": _text,
    "title_reading": _text,
    "title_romanized": _text,
    "responsibility": _text,
    "authors": lambda v: isinstance(v, list) and all(_author(a) for a in v),
    "publisher": _text,
    "publisher_reading": _text,
    "year": _optional_int,
    "edition": _text,
    "extent": _text,
    "isbns": _text_list,  # ISBN-13
    "jpno": _text,
    "ndc": _text,
    "subjects": _text_list,
    "subject_readings": _text_list,
    "series": _text,
    "series_reading": _text,
    "volume": _text,
    "material_type": _text,
    "language": _text,
    # Holds are title-level in shoka: one queue per record, shared by its copies.
    "hold_queue": _count,
    # Popularity: loans of the title's copies in the last LOAN_COUNT_DAYS days (a count).
    "loan_count": _count,
    "items": lambda v: isinstance(v, list) and all(_item(i) for i in v),
}

# Per branch (館): what the public needs to visit it, and its calendar of open days.
BRANCH_KINDS = ("main", "branch", "bookmobile")
CLOSURES = ("", "weekly", "holiday", "monthly", "annual", "closed", "stocktaking")


def _hours(value: Any) -> bool:
    """Seven entries (Monday first), each null or ["HH:MM", "HH:MM"]; or an empty list."""
    if value == []:
        return True
    return (
        isinstance(value, list)
        and len(value) == 7
        and all(v is None or (_text_list(v) and len(v) == 2 and _hhmm(v[0])) for v in value)
        and all(v is None or _hhmm(v[1]) for v in value)
    )


def _hhmm(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 5:
        return False
    try:
        dt.time.fromisoformat(value)
    except ValueError:
        return False
    return True


def _optional_hhmm(value: Any) -> bool:
    return value is None or _hhmm(value)


DAY_FIELDS: dict[str, Check] = {
    "date": lambda v: _optional_date(v) and v is not None,
    "open": _bool,
    "opens": _optional_hhmm,
    "closes": _optional_hhmm,
    "closure": lambda v: v in CLOSURES,
    "reason": _text,
}

BRANCH_FIELDS: dict[str, Check] = {
    "code": lambda v: _text(v) and 0 < len(v) <= 32,
    "name": _text,
    "name_en": _text,
    "kind": lambda v: v in BRANCH_KINDS,
    "address": _text,
    "phone": _text,
    "hours": _hours,
    "position": _count,
    # The calendar from CALENDAR_PAST_DAYS ago to CALENDAR_DAYS ahead, one entry per day.
    "days": lambda v: isinstance(v, list) and len(v) <= 1000 and all(_day(d) for d in v),
}
CALENDAR_PAST_DAYS = 7
CALENDAR_DAYS = 120
LOAN_COUNT_DAYS = 365

# The changeset envelope.
CHANGESET_FIELDS: dict[str, Check] = {
    "format": lambda v: v == FORMAT,
    "target": _text,
    "sequence": _id,
    "created_at": _timestamp,
    # True for the first changeset of a full re-publish: the receiver may skip ahead to it.
    "resync": _bool,
    "records": lambda v: isinstance(v, list) and all(_record(r) for r in v),
    "deleted": lambda v: isinstance(v, list) and all(_id(i) for i in v),
    # Null when the branches did not change; else every public branch (the whole list).
    "branches": lambda v: v is None or (isinstance(v, list) and all(_branch(b) for b in v)),
}


class ChangesetError(ValueError):
    """A changeset breaks the allowlist; ``reason`` says how (for the 4xx answer)."""

    def __init__(self, reason: str, *, code: str = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _check(obj: Any, fields: Mapping[str, Check], where: str) -> None:
    if not isinstance(obj, dict):
        raise ChangesetError(f"{where} is not an object")
    unknown = sorted(set(obj) - set(fields))
    if unknown:
        raise ChangesetError(
            f"{where} carries field(s) outside the allowlist: {', '.join(unknown)}",
            code="unknown_field",
        )
    missing = sorted(set(fields) - set(obj))
    if missing:
        raise ChangesetError(f"{where} lacks field(s): {', '.join(missing)}", code="missing")
    for name, check in fields.items():
        if not check(obj[name]):
            raise ChangesetError(f"{where}: field {name!r} has a wrong value or type")


def _author(value: Any) -> bool:
    _check(value, AUTHOR_FIELDS, "an author")
    return True


def _item(value: Any) -> bool:
    _check(value, ITEM_FIELDS, f"item {value.get('id') if isinstance(value, dict) else '?'}")
    return True


def _record(value: Any) -> bool:
    _check(value, RECORD_FIELDS, f"record {value.get('id') if isinstance(value, dict) else '?'}")
    return True


def _day(value: Any) -> bool:
    _check(value, DAY_FIELDS, f"day {value.get('date') if isinstance(value, dict) else '?'}")
    return True


def _branch(value: Any) -> bool:
    _check(value, BRANCH_FIELDS, f"branch {value.get('code') if isinstance(value, dict) else '?'}")
    return True


def validate(changeset: Any) -> dict[str, Any]:
    """Check a parsed changeset against the allowlist; return it or raise ChangesetError."""
    _check(changeset, CHANGESET_FIELDS, "the changeset")
    return dict(changeset)
