"""A result page's per-branch availability comes from the index documents (written with each
changeset), so the page asks the database nothing; titles indexed before the documents
carried it are still read from the database."""

from __future__ import annotations

import pytest

from shoka.opac.pages import availability
from shoka.search.engine import IndexRecord, ItemFacts, branch_availability, payload
from shoka.search.service import Hit


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], {}),
        ([("main", "available", True), ("main", "on_loan", True)], {"main": "available"}),
        ([("main", "available", False)], {"main": "library_use_only"}),  # 館内のみ
        ([("east", "in_transit", True), ("east", "missing", True)], {"east": "on_loan"}),
        ([("east", "missing", True)], {"east": "unavailable"}),
        # a reference copy on its way between branches is not 貸出中: the facet's rule
        ([("east", "in_transit", False)], {"east": "unavailable"}),
        ([("east", "withdrawn", True), ("main", "on_hold_shelf", True)], {"main": "on_loan"}),
        (
            [("north", "available", True), ("east", "on_loan", True)],
            {"east": "on_loan", "north": "available"},
        ),
    ],
)
def test_branch_availability_per_branch_without_withdrawn_copies(items, expected):
    facts = [ItemFacts(branch, status, loanable) for branch, status, loanable in items]
    assert branch_availability(facts) == expected
    # the same words as the database path's, copy for copy
    for branch, state in expected.items():
        copies = [(s, lo) for b, s, lo in items if b == branch and s != "withdrawn"]
        assert availability.state(copies) == state


def test_every_index_document_carries_it():
    record = IndexRecord(id=7, title="こころ", items=(ItemFacts("main", "on_loan", True),))
    assert payload(record)["branch_availability"] == {"main": "on_loan"}


def test_a_result_page_of_indexed_titles_needs_no_database():
    # No `db` fixture: a query would fail the test.
    hits = [
        Hit(1, 1.0, {"branch_availability": {"main": "available", "east": "on_loan"}}),
        Hit(2, 0.5, {"branch_availability": {}}),  # no copies: nothing to show
    ]
    assert availability.from_hits(hits) == {
        1: {"main": ("main", "available"), "east": ("east", "on_loan")}
    }


def test_titles_indexed_before_it_are_read_from_the_database():
    hits = [Hit(3, 1.0, {"title": "an older index document"})]
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        availability.from_hits(hits)
