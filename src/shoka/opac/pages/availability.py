"""Per-branch availability of the titles on one result page: one query over their copies.

The search index knows a title's overall availability and its branches, but not which
branch can lend it now; a result list shows that per branch (貸出可 at 中央, 貸出中 at 東…).

What a title's copies say changes only when a changeset is applied, so each title's answer
is kept per catalogue version (``shoka.opac.caching.catalogue_version``): a result page asks
the database only for the titles no earlier page of this version has shown. A new version
empties the cache; an answer read while the version changed is not kept."""

from __future__ import annotations

import threading

from shoka.opac import catalogue
from shoka.opac.caching import catalogue_version

LENT = frozenset({"on_loan", "in_transit", "on_hold_shelf"})
#: Titles kept per process (a few hundred bytes each); past it the cache starts again.
MAX_CACHED = 20_000

Availability = dict[str, tuple[str, str]]
_cache: dict[int, Availability] = {}
_cache_version: list[int] = [-1]
_lock = threading.Lock()


def state(statuses: list[tuple[str, bool]]) -> str:
    """One availability value (the search facet's vocabulary) for a branch's copies, given
    (status, loanable) per copy."""
    if any(status == "available" and loanable for status, loanable in statuses):
        return "available"
    if any(status == "available" for status, _loanable in statuses):
        return "library_use_only"
    if any(status in LENT for status, _loanable in statuses):
        return "on_loan"
    return "unavailable"


def by_branch(record_ids: list[int]) -> dict[int, Availability]:
    """{record id: {branch code: (branch name as published on the copy, availability)}},
    withdrawn copies left out; titles without copies are left out."""
    sequence, _applied = catalogue_version()
    with _lock:
        if _cache_version[0] != sequence:
            _cache.clear()
            _cache_version[0] = sequence
        found = {rid: _cache[rid] for rid in record_ids if rid in _cache}
    missing = [rid for rid in record_ids if rid not in found]
    if missing:
        read: dict[int, Availability] = {rid: {} for rid in missing}
        for record_id, branches in catalogue.copies_by_branch(missing).items():
            read[record_id] = {code: (at.name, state(at.copies)) for code, at in branches.items()}
        with _lock:
            if _cache_version[0] == sequence:  # else the catalogue changed meanwhile
                if len(_cache) + len(read) > MAX_CACHED:
                    _cache.clear()
                _cache.update(read)
        found.update(read)
    return {rid: found[rid] for rid in record_ids if found[rid]}
