"""Tests for shoka.catalogue.tabular: CSV/TSV import (shoka and Enju layouts, encodings,
broken input) and CSV/JSONL export. Pure Python, no database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoka.catalogue.records import (
    BadRecord,
    BibData,
    ContributorData,
    ExportRecord,
    HoldingData,
    ImportRecord,
    TitleData,
)
from shoka.catalogue.tabular import SHOKA_COLUMNS, read_tabular, write_csv, write_jsonl
from shoka.catalogue.tabular._values import (
    join_multi,
    parse_date,
    parse_price,
    parse_year,
    split_entries,
    split_multi,
)

ENJU_SAMPLE = Path("/work/shared/data/enju-resource_import_sample1.tsv")


def read(data: bytes | str, encoding: str = "utf-8"):
    raw = data.encode(encoding) if isinstance(data, str) else data
    source = read_tabular(io.BytesIO(raw), name="test.csv")
    return source, list(source)


def good(records) -> list[ImportRecord]:
    return [r for r in records if isinstance(r, ImportRecord)]


def bad(records) -> list[BadRecord]:
    return [r for r in records if isinstance(r, BadRecord)]


# --- Enju's resource import sample ---------------------------------------------------------


@pytest.fixture(scope="module")
def enju():
    if not ENJU_SAMPLE.exists():  # pragma: no cover - shared test data
        pytest.skip("Enju sample not available")
    source = read_tabular(ENJU_SAMPLE)
    return source, list(source)


def test_enju_sample_file_facts(enju):
    source, _ = enju
    assert (source.encoding, source.delimiter, source.layout) == ("utf-8", "\t", "enju")
    assert source.name == "enju-resource_import_sample1.tsv"
    [ignored] = source.warnings
    assert ignored.startswith("columns ignored: manifestation_id, series_creator_string")
    assert "dummy" not in ignored and "invalid" in ignored


def test_enju_sample_records_and_bad_records_are_pinned(enju):
    _, records = enju
    summary = [
        (r.position, r.bib.title, tuple(h.barcode for h in r.holdings))
        if isinstance(r, ImportRecord)
        else (r.position, "BAD", r.reason)
        for r in records
    ]
    assert summary == [
        ("line 3", "test1", ()),
        ("line 4", "test2", ("10101",)),
        ("line 5", "BAD", "skipped: the dummy column (インポート省略) is filled"),
        ("line 6", "test3", ()),
        ("line 7", "test4", ("10102",)),
        ("line 8", "“test 5”", ("10103",)),
        ("line 9", "test6", ()),  # barcode 10101 is line 4's
        ("line 10", "test7", ("10104",)),
        ("line 11", "BAD", "no title"),
        ("line 12", "test8", ("11111",)),
        ("line 13", "test9", ()),  # barcode 11111 is line 12's
        ("line 14", "BAD", "no title"),
        ("line 15", "BAD", "no title"),
        ("line 16", "BAD", "no title"),
        ("line 17", "BAD", "no title"),
        ("line 18", 'ダブル"クォート"を含む資料', ()),
        ("line 19", "test10", ("11113",)),  # line 20 (same identifier, no title) joins it
        ("line 21", "BAD", "no title"),
        (
            "line 22",
            "BAD",
            "no title (manifestation_identifier 101 is not that of the record above)",
        ),
        ("line 23", "逐次刊行物", ()),
    ]
    # the Japanese label line (line 2) is skipped, not reported
    assert all(r.position != "line 2" for r in records)


def test_enju_sample_warnings(enju):
    _, records = enju
    warnings = {r.position: r.warnings for r in good(records)}
    assert warnings["line 8"] == (
        "manifestation_identifier 101 also on line 6: rows of one record must be consecutive; "
        "read as a separate record",
    )
    assert warnings["line 9"][1] == "barcode 10101 already on line 4; this item left out"
    assert warnings["line 10"] == (
        "invalid ISBN '9000000000000' left out: an ISBN-13 must start with 978 or 979",
    )
    assert warnings["line 13"] == ("barcode 11111 already on line 12; this item left out",)
    assert warnings["line 23"] == (
        "item columns without a barcode (location, call_number): no item",
    )
    assert warnings["line 3"] == warnings["line 4"] == warnings["line 19"] == ()


def test_enju_sample_field_mapping(enju):
    _, records = enju
    by_line = {r.position: r for r in good(records)}
    test1 = by_line["line 3"].bib
    assert test1.contributors == (ContributorData("test", "テスト", ""),)  # てすと → katakana
    assert (test1.publisher, test1.volume, test1.source_format) == ("test2", "invalid", "csv")
    test2 = by_line["line 4"]
    assert test2.bib.contributors == (
        ContributorData("test", "", "author"),
        ContributorData("test1", "", "illustrator"),
    )
    assert (test2.bib.year, test2.bib.ndc, test2.bib.ndc_edition) == (2001, "007", "9")
    assert test2.bib.extent == "xv, 213 pages ; 20cm"
    assert (test2.bib.responsibility, test2.bib.publication_place) == ("著者A; 著者B", "東京")
    assert test2.holdings == (HoldingData("10101", note="カバーなし"),)
    test3 = by_line["line 6"].bib
    assert (test3.source_id, test3.series, test3.series_reading) == (
        "101",
        "主シリーズ. 副シリーズ",
        "シュシリーズ フクシリーズ",
    )
    test4 = by_line["line 7"].bib
    assert test4.language == "jpn"  # "Japanese"
    assert test4.series == "主シリーズ. 副シリーズ ; シリーズ1号"
    test7 = by_line["line 10"]
    assert test7.bib.isbns == ()
    assert test7.bib.subjects == ("コンピュータ", "図書館")
    assert (test7.bib.material_type, test7.bib.volume, test7.bib.edition) == (
        "other",  # online_resource
        "第3巻",
        "初版",
    )
    assert test7.holdings == (HoldingData("10104", location="first_shelf", call_number="007|A"),)
    test8 = by_line["line 12"]
    assert (test8.bib.publisher, test8.bib.publisher_reading) == (
        "test4; test5",
        "テスト4; テスト5",
    )
    assert test8.holdings[0].price == Decimal(0)
    assert by_line["line 19"].bib.isbns == ("4797327030",)
    assert by_line["line 23"].bib.material_type == "magazine"  # serial = true


# --- encodings --------------------------------------------------------------------------------

SAMPLE_CSV = (
    "タイトル,タイトルヨミ,著者,出版者,出版年,ISBN,NDC,請求記号,登録番号,所蔵館,配架場所,価格,受入日\r\n"
    "吾輩は猫である,ワガハイ ワ ネコ デアル,夏目 漱石,岩波書店,2001,978-4-7949-7075-6,913.6,"
    "913.6/ナ,1001,中央館,一般,1500,2014/8/16\r\n"
    "吾輩は猫である,ワガハイ ワ ネコ デアル,夏目 漱石,岩波書店,2001,978-4-7949-7075-6,913.6,"
    "913.6/ナ,1002,北分館,児童,1500,令和6年4月1日\r\n"
    '"こころ\r\n(新装版)",ココロ,夏目 漱石,新潮社,平成15年,,913.6,913.6/ナ,1003,中央館,,,\r\n'
)


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp932", "cp932"),
        ("euc_jp", "euc_jp"),
    ],
)
def test_same_records_in_every_encoding(encoding, reported):
    _, expected = read(SAMPLE_CSV)
    source, records = read(SAMPLE_CSV, encoding)
    assert records == expected
    assert source.encoding == reported
    assert source.encoding_note.startswith(reported + " (")
    assert [r.position for r in records] == ["line 2", "line 4"]
    first, second = records
    assert [h.barcode for h in first.holdings] == ["1001", "1002"]
    assert first.holdings[1].acquired_on == dt.date(2024, 4, 1)
    assert second.bib.title == "こころ\r\n(新装版)"
    assert second.bib.year == 2003


def test_cp932_extensions_prove_cp932_not_shift_jis():
    text = "書名,登録番号\n①髙～の本,1\n㈱の本,2\n"
    source, records = read(text, "cp932")
    assert source.encoding == "cp932"
    assert [r.bib.title for r in good(records)] == ["①髙～の本", "㈱の本"]


def test_tsv_is_sniffed():
    source, records = read("書名\t著者\nA, B and C\tX\n")
    assert source.delimiter == "\t"
    assert good(records)[0].bib.title == "A, B and C"


# --- broken input -----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"   "])
def test_empty_file(data):
    source, records = read(data)
    assert records == [BadRecord("line 1", "the file is empty")]
    assert source.encoding_note == "none (empty file)"


def test_header_only():
    source, records = read("title,isbn,barcode\r\n")
    assert records == []
    assert source.layout == "shoka"


def test_unknown_header():
    source, records = read("foo,bar\n1,2\n3,4\n")
    [record] = records
    assert isinstance(record, BadRecord) and record.position == "line 1"
    assert record.reason.startswith("unknown header of test.csv: expected the shoka layout")
    assert "タイトル" in record.reason and "original_title" in record.reason
    assert record.reason.endswith("found: foo, bar")
    assert source.layout == ""


@pytest.mark.parametrize(
    ("encoding", "broken"),
    [("utf-8", b"\xff\xfe"), ("cp932", b"\x85\x40"), ("euc_jp", b"\x85\x40")],
)
def test_undecodable_bytes_spoil_only_their_row(encoding, broken):
    data = (
        "書名,登録番号\nあいうえお,1\n".encode(encoding)
        + b"B"
        + broken
        + b",2\n"
        + "かきくけこ,3\n".encode(encoding)
    )
    source, records = read(data)
    assert source.encoding == encoding
    assert [r.bib.title for r in good(records)] == ["あいうえお", "かきくけこ"]
    [problem] = bad(records)
    assert problem.position == "line 3"
    assert problem.reason == f"undecodable bytes (not valid {encoding})"
    assert "\ufffd" in problem.excerpt


def test_too_many_cells_and_missing_cells():
    data = "title,isbn,barcode\nA,,1\nB,,2,surplus\nC\nD,,4,,\n"
    _, records = read(data)
    assert [(r.position, r.bib.title) for r in good(records)] == [
        ("line 2", "A"),
        ("line 4", "C"),  # missing cells are empty
        ("line 5", "D"),  # empty surplus cells are harmless
    ]
    [problem] = bad(records)
    assert (problem.position, problem.reason) == ("line 3", "4 cells, but the header has 3 columns")
    assert problem.excerpt == "B,,2,surplus"


@pytest.mark.parametrize("tail", ['"E,5\n', '"E,5\nF,6\n', 'E,"5'])
def test_unbalanced_quote_at_the_end(tail):
    data = "title,barcode\nA,1\n" + tail
    _, records = read(data)
    assert [r.bib.title for r in good(records)] == ["A"]
    [problem] = bad(records)
    assert problem.position == "line 3"
    assert problem.reason.startswith("unbalanced quote: a quoted field opened on line 3")


def test_quoted_newlines_keep_physical_line_numbers():
    data = 'title,notes,barcode\n"A","two\nlines",1\nB,"x\r\ny\r\nz",2\nC,,3\n'
    _, records = read(data)
    assert [(r.position, r.bib.notes) for r in good(records)] == [
        ("line 2", "two\nlines"),
        ("line 4", "x\r\ny\r\nz"),
        ("line 7", ""),
    ]


def test_row_without_title_and_invalid_values():
    data = (
        "title,year,isbn,price,acquired_on,barcode\n"
        ",2001,,,,1\n"
        "A,20xx,978-4-7949-7075-0,千円,2014-02-30,2\n"
    )
    _, records = read(data)
    assert bad(records) == [BadRecord("line 2", "no title", ",2001,,,,1")]
    [record] = good(records)
    assert record.position == "line 3"
    assert record.bib.year is None and record.bib.isbns == ()
    assert record.holdings == (HoldingData("2"),)
    assert set(record.warnings) == {
        "price '千円' is not a number; left empty",
        "year '20xx' is not a year; left empty",
        "invalid ISBN '978-4-7949-7075-0' left out: invalid ISBN-13 check digit",
        "date '2014-02-30' is not a date; left empty",
    }


def test_price_that_is_not_a_number():
    _, records = read('title,price,barcode\nA,千円,1\nB,"1,500",2\n')
    first, second = good(records)
    assert first.warnings == ("price '千円' is not a number; left empty",)
    assert first.holdings[0].price is None
    assert second.holdings[0].price == Decimal(1500)


def test_label_row_after_shoka_header_is_skipped():
    _, records = read("title,barcode\nタイトル,登録番号\nA,1\n")
    assert [(r.position, r.bib.title) for r in records] == [("line 3", "A")]


def test_nothing_raises_on_garbage():
    garbage = bytes(range(256)) * 20
    _, records = read(b"title,barcode\n" + garbage)
    assert all(isinstance(r, (ImportRecord, BadRecord)) for r in records)


# --- grouping ---------------------------------------------------------------------------------


def test_grouping_by_record_id_source_id_and_title_isbn():
    data = (
        "record_id,source_id,title,isbn,barcode\n"
        "7,,A,,1\n"
        "7,,,,2\n"  # continuation row without bib columns
        ",JTNDL:1,B,,3\n"
        ",JTNDL:1,B,,4\n"
        ",,C,4794970757,5\n"
        ",,C,4794970757,6\n"
        ",,C,4794970757,7\n"
        ",,D,,8\n"
        "7,,A,,9\n"  # record 7 again, not consecutive
        ",,E,,8\n"  # barcode 8 again
    )
    source, records = read(data)
    assert [(r.position, r.bib.title, [h.barcode for h in r.holdings]) for r in records] == [
        ("line 2", "A", ["1", "2"]),
        ("line 4", "B", ["3", "4"]),
        ("line 6", "C", ["5", "6", "7"]),
        ("line 9", "D", ["8"]),
        ("line 10", "A", ["9"]),
        ("line 11", "E", []),
    ]
    assert records[4].warnings == (
        "record_id 7 also on line 2: rows of one record must be consecutive; "
        "read as a separate record",
    )
    assert records[5].warnings == ("barcode 8 already on line 9; this item left out",)
    assert source.record_ids == {"line 2": "7", "line 10": "7"}


def test_differing_bib_columns_in_a_group_are_reported():
    _, records = read("record_id,title,year,barcode\n1,A,2001,1\n1,A,2002,2\n")
    [record] = records
    assert record.bib.year == 2001
    assert record.warnings == (
        "line 3: bib columns differ from line 2 (year); the first row's values kept",
    )


def test_bad_record_inside_a_group_comes_after_it():
    _, records = read("record_id,title,barcode\n1,A,1\n,,2\n1,A,3\n")
    assert [r.position for r in records] == ["line 2", "line 3"]
    assert [h.barcode for h in records[0].holdings] == ["1", "3"]


# --- value parsers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-08-16", dt.date(2014, 8, 16)),
        ("2014/8/16", dt.date(2014, 8, 16)),
        ("20140816", dt.date(2014, 8, 16)),
        ("2014年8月16日", dt.date(2014, 8, 16)),
        ("２０１４／８／１６", dt.date(2014, 8, 16)),
        ("2014-08-16 10:00:00", dt.date(2014, 8, 16)),
        ("令和6年4月1日", dt.date(2024, 4, 1)),
        ("R6.4.1", dt.date(2024, 4, 1)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("H26.8.16", dt.date(2014, 8, 16)),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", ["2014-13-01", "yesterday", "R6", "2014-8"])
def test_parse_date_rejects(text):
    value, warning = parse_date(text)
    assert value is None and warning is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2001", 2001),
        ("2001-1", 2001),
        ("[2001]", 2001),
        ("c2001", 2001),
        ("2001年", 2001),
        ("20010101", 2001),
        ("平成13年", 2001),
        ("H13", 2001),
        ("令和元年", 2019),
        ("", None),
    ],
)
def test_parse_year(text, expected):
    assert parse_year(text) == (expected, None)


def test_parse_price_forms():
    assert parse_price("￥1,500") == (Decimal(1500), None)
    assert parse_price("\\1,500") == (Decimal(1500), None)  # ¥ of a CP932 file
    assert parse_price("1500円") == (Decimal(1500), None)
    assert parse_price("-3")[0] is None


def test_multi_value_escapes():
    assert split_multi(r"a\;b;c\\;d") == ["a;b", "c\\", "d"]
    assert split_entries(r"夏目, 漱石|ナツメ, ソウセキ|著;A\|B||編") == [
        ["夏目, 漱石", "ナツメ, ソウセキ", "著"],
        ["A|B", "", "編"],
    ]
    assert split_multi(r"C:\dir") == [r"C:\dir"]  # a lone backslash is kept


@given(
    st.lists(
        st.lists(
            st.text(alphabet="ab;|\\ あ", min_size=1).map(str.strip).filter(bool),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_join_then_split_round_trips(entries):
    assert split_entries(join_multi(entries)) == [[part for part in entry] for entry in entries]


# --- export and round trip --------------------------------------------------------------------


def full_bib(**changes) -> BibData:
    values = {
        "title": "CNNニュース・リスニング 2019春夏 : 音声&電子書籍版付き",
        "title_reading": "シーエヌエヌ ニュース リスニング",
        "title_romanized": "CNN nyūsu risuningu",
        "responsibility": "[CNN English Express]編",
        "contributors": (
            ContributorData("萩野, 正昭", "ハギノ, マサアキ", "著"),
            ContributorData("Smith; John | Jr.", "", "訳"),
            ContributorData("無名", "", ""),
        ),
        "publisher": "朝日出版社",
        "publisher_reading": "アサヒ シュッパンシャ",
        "publication_place": "東京",
        "year": 2019,
        "isbns": ("978-4-7949-7075-6", "4-8399-1236-X (pbk.)"),
        "jpno": "23180468",
        "ndc": "837.8",
        "ndc_edition": "10",
        "ndl_call_number": "KE237",
        "subjects": ("英語--聞き取り", "時事英語"),
        "subject_readings": ("エイゴ--キキトリ", "ジジ エイゴ"),
        "other_titles": (TitleData("CNN news listening", ""), TitleData("別題; 副", "ベツダイ")),
        "material_type": "book",
        "language": "jpn",
        "series": "CNN English Express",
        "series_reading": "シーエヌエヌ",
        "volume": "2019春夏",
        "edition": "初版",
        "extent": "63p ; 26cm",
        "notes": '付属資料: 音声\n二行目, "引用"',
        "source_format": "csv",
        "source_id": "JTNDL:029455884",
    }
    values.update(changes)
    return BibData(**values)


EXPORTS = (
    ExportRecord(
        1,
        full_bib(source_format="marc21", source_record=b"00123nam..."),
        (
            HoldingData(
                "1001",
                "中央館",
                "一般",
                "837.8/シ",
                "一般",
                Decimal("1980"),
                dt.date(2019, 5, 1),
                "CD付",
            ),
            HoldingData("1002", "北分館"),
        ),
        {"1001": "available", "1002": "on_loan"},
    ),
    ExportRecord(2, BibData(title="書架のない本", year=None, material_type="kamishibai")),
)


@pytest.mark.parametrize("bom", [False, True])
def test_csv_export_round_trips(bom):
    out = io.StringIO(newline="")
    assert write_csv(EXPORTS, out, bom=bom) == 2
    text = out.getvalue()
    assert text.startswith("\ufeffrecord_id," if bom else "record_id,")
    assert text.count("\r\n") == 4  # header, two holdings, one bib without holdings
    source, records = read(text.encode("utf-8"))
    assert source.layout == "shoka" and source.warnings == []
    assert all(isinstance(r, ImportRecord) and r.warnings == () for r in records)
    for exported, imported in zip(EXPORTS, records, strict=True):
        expected = BibData(**{**exported.bib.__dict__, "source_record": None})
        expected = BibData(**{**expected.__dict__, "source_format": "csv"})
        assert imported.bib == expected
        assert imported.holdings == exported.holdings
    # the notes hold a line break: each row of record 1 spans two lines
    assert [r.position for r in records] == ["line 2", "line 6"]
    assert source.record_ids == {"line 2": "1", "line 6": "2"}


def test_csv_export_columns_and_cells():
    out = io.StringIO(newline="")
    write_csv(EXPORTS[:1], out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == SHOKA_COLUMNS
    assert rows[0]["authors"] == r"萩野, 正昭|ハギノ, マサアキ|著;Smith\; John \| Jr.||訳;無名"
    assert rows[0]["isbn"] == "978-4-7949-7075-6;4-8399-1236-X (pbk.)"
    assert (rows[0]["status"], rows[1]["status"]) == ("available", "on_loan")
    assert (rows[0]["price"], rows[0]["acquired_on"]) == ("1980", "2019-05-01")


def test_jsonl_export_structure():
    out = io.StringIO()
    assert write_jsonl(EXPORTS, out) == 2
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "萩野" in lines[0]  # not ASCII-escaped
    first, second = (json.loads(line) for line in lines)
    assert "source_record" not in first
    assert first["record_id"] == 1 and first["source_format"] == "marc21"
    assert first["contributors"][0] == {
        "name": "萩野, 正昭",
        "reading": "ハギノ, マサアキ",
        "role": "著",
    }
    assert first["other_titles"][1] == {"title": "別題; 副", "reading": "ベツダイ"}
    assert first["isbns"] == ["978-4-7949-7075-6", "4-8399-1236-X (pbk.)"]
    assert first["holdings"] == [
        {
            "barcode": "1001",
            "branch": "中央館",
            "location": "一般",
            "call_number": "837.8/シ",
            "loan_category": "一般",
            "price": "1980",
            "acquired_on": "2019-05-01",
            "note": "CD付",
            "status": "available",
        },
        {
            "barcode": "1002",
            "branch": "北分館",
            "location": "",
            "call_number": "",
            "loan_category": "",
            "price": None,
            "acquired_on": None,
            "note": "",
            "status": "on_loan",
        },
    ]
    assert second["year"] is None and second["holdings"] == []
    expected_keys = {"record_id", "holdings"} | set(BibData.__dataclass_fields__) - {
        "source_record"
    }
    assert set(first) == expected_keys
