"""The acceptance corpus: every personal unit found with its records, persons (within 5 %),
exact attributes, origin, encoding and format; no library negative flagged."""

from __future__ import annotations

from shoka.audit.scan.records import ATTRIBUTES
from shoka.audit.scan.report import Finding

from .conftest import Corpus

# Formats and encodings the issue names; the corpus must have a personal unit in each.
FORMATS = {"csv", "tsv", "fixed-width", "letters", "text", "sqlite", "xlsx", "binary"}
ENCODINGS = {"utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp932", "euc-jp", "iso-2022-jp"}
UNREADABLE_AS_TEXT = {"sqlite", "xlsx", "binary"}  # no text encoding to report


def _units(corpus: Corpus, personal: bool) -> list[str]:
    return sorted(p for p, e in corpus.expected.items() if e.personal is personal)


def test_every_unit_of_the_corpus_is_reported_and_nothing_else(corpus, findings):
    assert set(findings) == set(corpus.expected)


def test_the_corpus_covers_every_format_encoding_attribute_and_container(corpus):
    personal = {p: e for p, e in corpus.expected.items() if e.personal}
    assert set().union(*(e.attributes for e in personal.values())) == set(ATTRIBUTES)
    assert {e.format for e in personal.values()} == FORMATS
    assert {e.encoding for e in personal.values()} - {None} == ENCODINGS
    for e in personal.values():  # every personal unit says what it must be read as
        assert e.format is not None
        assert (e.encoding is None) == (e.format in UNREADABLE_AS_TEXT)
    files = {p.split("::")[0] for p in personal}
    assert any("/" in f for f in files) and any("/" not in f for f in files)  # folders, top
    for container in (".zip::", ".tar::", ".tar.gz::", ".tar.bz2::", ".tar.xz::"):
        assert any(container in p for p in personal), container
    assert any(p.endswith(".csv.gz") for p in personal)  # one gzip-compressed file
    assert any(".db::" in p for p in personal) and any(".xlsx::" in p for p in personal)
    assert any(p.count("::") >= 2 for p in personal)  # archives inside archives
    assert {e.origin is None for e in personal.values()} == {True, False}


def test_the_print_file_has_pages_headers_and_half_width_readings(corpus):
    text = (corpus.root / "overdue/tokusoku_list.txt").read_bytes().decode("cp932")
    assert text.count("\f") >= 3
    assert text.count("督促リスト") == text.count("\f") + 1  # a page header on every page
    assert any("\uff66" <= c <= "\uff9f" for c in text)  # ｱｲｳ…


def test_the_library_negatives_are_all_there(corpus):
    negatives = {p for p, e in corpus.expected.items() if not e.personal}
    assert {
        "catalogue/export.csv",  # author readings, publishers' addresses, 昭和 years, ISBN/NDC
        "catalogue/export_noheader.tsv",  # the same without a header: the values tell
        "book.xlsx::蔵書",
        "branches.csv",  # branch libraries with addresses and phone numbers
        "patron.db::branch",
        "logs/access.log",
        "stats/age_bands.csv",
        "config/shoka.ini",
        "app/opac-update",  # a program binary with a phone number in its strings
    } <= negatives


def test_each_personal_unit_is_found_with_its_counts_attributes_and_origin(corpus, findings):
    for path in _units(corpus, True):
        expected, found = corpus.expected[path], findings[path]
        assert isinstance(found, Finding)
        assert found.personal, path
        assert set(found.attributes) == expected.attributes, path
        assert abs(found.records - expected.records) <= 0.05 * expected.records, path
        assert abs(found.persons - expected.persons) <= 0.05 * expected.persons, path
        assert found.origin == expected.origin, path
        assert found.encoding == expected.encoding, path
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
