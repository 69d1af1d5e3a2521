"""The acceptance corpus: every personal unit found with its records, persons (within 5 %),
exact attributes, origin, encoding and format; no library negative flagged."""

from __future__ import annotations

from shoka.audit.scan.report import Finding

from .conftest import Corpus


def _units(corpus: Corpus, personal: bool) -> list[str]:
    return sorted(p for p, e in corpus.expected.items() if e.personal is personal)


def test_every_unit_of_the_corpus_is_reported_and_nothing_else(corpus, findings):
    assert set(findings) == set(corpus.expected)


def test_each_personal_unit_is_found_with_its_counts_attributes_and_origin(corpus, findings):
    for path in _units(corpus, True):
        expected, found = corpus.expected[path], findings[path]
        assert isinstance(found, Finding)
        assert found.personal, path
        assert set(found.attributes) == expected.attributes, path
        assert abs(found.records - expected.records) <= 0.05 * expected.records, path
        assert abs(found.persons - expected.persons) <= 0.05 * expected.persons, path
        assert found.origin == expected.origin, path
        if expected.encoding is not None:
            assert found.encoding == expected.encoding, path
        if expected.format is not None:
            assert found.format == expected.format, path


def test_library_files_are_not_personal_data(corpus, findings):
    for path in _units(corpus, False):
        found = findings[path]
        assert isinstance(found, Finding)
        assert not found.personal, (path, found)
        assert found.records == 0 and found.attributes == [] and found.origin is None


def test_a_re_registration_under_a_new_card_number_is_one_person(findings):
    found = findings["registrations/riyosha_touroku.csv"]
    assert (found.records, found.persons) == (310, 300)


def test_one_row_per_overdue_book_counts_the_patron_once(corpus, findings):
    found = findings["overdue/tokusoku_list.txt"]
    assert found.records == corpus.expected["overdue/tokusoku_list.txt"].records > 80
    assert found.persons == 80


def test_severity_follows_the_attributes(findings):
    assert findings["patron.db::riyosha"].severity == "high"  # My Number
    assert findings["overdue/letters_adult.txt"].severity == "medium"
    assert findings["patron.db::kashidashi"].severity == "low"
    assert findings["branches.csv"].severity == "none"
