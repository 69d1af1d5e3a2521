"""Per-branch availability of the titles on one result page: one query over their copies.

The search index knows a title's overall availability and its branches, but not which
branch can lend it now; a result list shows that per branch (貸出可 at 中央, 貸出中 at 東…)."""

from __future__ import annotations

from shoka.opac import catalogue

LENT = frozenset({"on_loan", "in_transit", "on_hold_shelf"})


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


def by_branch(record_ids: list[int]) -> dict[int, dict[str, tuple[str, str]]]:
    """{record id: {branch code: (branch name as published on the copy, availability)}},
    withdrawn copies left out."""
    return {
        record_id: {code: (at.name, state(at.copies)) for code, at in branches.items()}
        for record_id, branches in catalogue.copies_by_branch(record_ids).items()
    }
