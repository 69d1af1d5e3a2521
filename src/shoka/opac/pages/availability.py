"""Per-branch availability of the titles on one result page (貸出可 at 中央, 貸出中 at 東…).

The index document of every title carries it (``branch_availability``), written by the
receiver with the copies' statuses of each changeset: a result page reads it from the hits
(:func:`from_hits`). Titles indexed before the index carried it are read from the database,
one query over their copies (:func:`by_branch`).

For those, what a title's copies say changes only when a changeset is applied, so each
title's answer is kept per catalogue version (``shoka.opac.caching.catalogue_version``): a
result page asks the database only for the titles no earlier page of this version has
shown. A new version empties the cache; an answer read while the version changed is not
kept."""

from __future__ import annotations

import threading

from shoka.opac import catalogue
from shoka.opac.caching import catalogue_version
from shoka.search.engine import copies_state
from shoka.search.service import Hit

#: Titles kept per process (a few hundred bytes each); past it the cache starts again.
MAX_CACHED = 20_000

Availability = dict[str, tuple[str, str]]
_cache: dict[int, Availability] = {}
_cache_version: list[int] = [-1]
_lock = threading.Lock()

#: One availability value for a branch's copies, given (status, loanable) per copy.
state = copies_state


def from_hits(hits: list[Hit]) -> dict[int, Availability]:
    """{record id: {branch code: (branch code, availability)}} of a result page: from the
    index documents themselves (``branch_availability``, written with every changeset that
    touches a title's copies), so that a result page asks the database nothing; titles
    indexed before the index carried it are read with :func:`by_branch`."""
    out: dict[int, Availability] = {}
    older: list[int] = []
    for hit in hits:
        states = hit.fields.get("branch_availability")
        if states is None:
            older.append(hit.id)
        elif states:
            out[hit.id] = {code: (code, value) for code, value in states.items()}
    if older:
        out.update(by_branch(older))
    return out


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
