"""record_to_bib on built records (LC style, holdings) and the writer's round trips."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Record, Subfield

from shoka.catalogue.marc import read_marc, record_to_bib, to_marc, write_marc
from shoka.catalogue.marc.reader import parse_source_record
from shoka.catalogue.records import (
    BibData,
    ContributorData,
    ExportRecord,
    HoldingData,
    ImportRecord,
    TitleData,
)

DATA = Path("/work/shared/data/marc")


def _f(tag: str, ind: str, *pairs: str) -> Field:
    subs = [Subfield(p[0], p[1:]) for p in pairs]
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=subs)


def _base(*fields: Field) -> Record:
    record = Record(leader="00000nam a2200000 i 4500")
    record.add_field(Field(tag="001", data="123"), Field(tag="008", data=" " * 35 + "jpn  "))
    record.add_field(*fields)
    return record


def test_lc_style_record_shows_the_original_script():
    record = _base(
        _f("100", "1 ", "6880-01", "aMurakami, Haruki,", "d1949-"),
        _f("245", "10", "6880-02", "aNoruwei no mori /", "cMurakami Haruki."),
        _f("260", "  ", "6880-03", "aTōkyō :", "bKōdansha,", "c1987."),
        _f("880", "1 ", "6100-01/$1", "a村上春樹,", "d1949-"),
        _f("880", "10", "6245-02/$1", "aノルウェイの森 /", "c村上春樹."),
        _f("880", "  ", "6260-03/$1", "a東京 :", "b講談社,", "c1987."),
    )
    bib, _, _ = record_to_bib(record)
    assert bib.title == "ノルウェイの森"
    assert bib.title_romanized == "Noruwei no mori"
    assert bib.title_reading == ""
    assert bib.responsibility == "村上春樹"
    assert bib.contributors == (ContributorData("村上春樹, 1949-"),)
    assert (bib.publisher, bib.publication_place, bib.year) == ("講談社", "東京", 1987)


def test_japan_marc_style_record_reads_the_880_as_reading():
    record = _base(
        _f("245", "00", "6880-01", "aノルウェイの森 /", "c村上春樹 著."),
        _f("880", "00", "6245-01/$1", "aノルウェイ ノ モリ."),
        _f("880", "00", "6245-01/(B", "aNoruwei no mori."),
    )
    bib, _, _ = record_to_bib(record)
    assert (bib.title, bib.title_reading, bib.title_romanized) == (
        "ノルウェイの森",
        "ノルウェイ ノ モリ",
        "Noruwei no mori",
    )


def test_latin_title_with_katakana_reading_in_ndl_record():
    record = _base(
        _f("245", "00", "6880-01", "aLinux bible."),
        _f("880", "00", "6245-01/$1", "aリナックス バイブル."),
        _f("880", "00", "6245-01/(B", "aRinakkusu baiburu."),
    )
    bib, _, _ = record_to_bib(record)
    assert (bib.title, bib.title_reading) == ("Linux bible", "リナックス バイブル")


def test_holdings_852_and_949():
    record = _base(
        _f("245", "00", "a本"),
        _f("852", "  ", "bCEN", "c児童", "h913.6", "iム", "p1000123", "91,500円"),
        _f("949", "  ", "aEAST", "b2000456", "c913.6/ム", "d一般", "e貸出", "p1200", "f20240401"),
        _f("852", "  ", "bCEN", "h913"),
    )
    _, holdings, warnings = record_to_bib(record)
    assert holdings == (
        HoldingData("1000123", "CEN", "児童", "913.6 ム", price=Decimal(1500)),
        HoldingData(
            "2000456",
            "EAST",
            "一般",
            "913.6/ム",
            loan_category="貸出",
            price=Decimal(1200),
            acquired_on=__import__("datetime").date(2024, 4, 1),
        ),
    )
    assert warnings == ("holding 3 (852) has no barcode; skipped",)


def test_isbn_z_only_is_a_warning_and_material_types():
    record = _base(_f("245", "00", "aCD"), _f("020", "  ", "z4-00-000000-0"))
    record.leader = record.leader[:6] + "j" + record.leader[7:]
    bib, _, warnings = record_to_bib(record)
    assert bib.isbns == () and "020 $z" in warnings[0]
    assert bib.material_type == "cd"
    record.leader = record.leader[:6] + "a" + "s" + record.leader[8:]
    assert record_to_bib(record)[0].material_type == "magazine"


def _samples() -> list[ImportRecord]:
    found = []
    for path in sorted(DATA.glob("*.*")):
        found.extend(r for r in read_marc(path) if isinstance(r, ImportRecord))
    return found


def _fields(record: Record) -> list[tuple]:
    return [
        (f.tag, f.data)
        if f.is_control_field()
        else (f.tag, tuple(f.indicators), tuple((s.code, s.value) for s in f.subfields))
        for f in record.fields
        if f.tag not in ("852", "949")
    ]


@pytest.mark.parametrize("fmt", ["marc21", "marcxml"])
def test_round_trip_of_every_sample(fmt):
    samples = _samples()
    exports = [ExportRecord(n, r.bib) for n, r in enumerate(samples)]
    out = io.BytesIO()
    assert write_marc(exports, out, fmt) == len(samples)
    back = list(read_marc(io.BytesIO(out.getvalue())))
    assert len(back) == len(samples)
    for original, again in zip(samples, back, strict=True):
        assert isinstance(again, ImportRecord), again
        want, _ = parse_source_record(original.bib.source_record)
        got, _ = parse_source_record(again.bib.source_record)
        assert _fields(got) == _fields(want)
        assert str(got.leader)[9] == "a"


def test_holdings_are_replaced_on_export():
    (rec,) = [r for r in read_marc(DATA / "pymarc-utf8_errors.dat")]
    holding = HoldingData("9990001", "CEN", "一般", "913.6")
    record = to_marc(ExportRecord(1, rec.bib, (holding,)))
    assert [f.tag for f in record.fields].count("852") == 1
    _, holdings, _ = record_to_bib(record)
    assert holdings == (holding,)


BUILT = BibData(
    title="CNNニュース・リスニング 2019春夏 : 音声&電子書籍版付き",
    title_reading="シーエヌエヌ ニュース リスニング",
    title_romanized="Shienuenu nyusu risuningu",
    responsibility="編集部 編",
    contributors=(ContributorData("萩野, 正昭", "ハギノ, マサアキ", "著"),),
    publisher="晶文社",
    publisher_reading="ショウブンシャ",
    publication_place="東京",
    year=2019,
    isbns=("978-4-7949-7075-6",),
    jpno="23173255",
    ndc="023",
    ndc_edition="10",
    ndl_call_number="UE13-M1",
    subjects=("電子書籍--日本", "電子出版"),
    subject_readings=("デンシ ショセキ--ニホン", ""),
    other_titles=(TitleData("音声版", "オンセイバン"),),
    material_type="large_print",
    language="jpn",
    series="新書",
    series_reading="シンショ",
    volume="3",
    edition="第2版",
    extent="301p ; 19cm",
    notes="注記1\n注記2",
)


@pytest.mark.parametrize(
    "material",
    [
        "book",
        "large_print",
        "magazine",
        "cd",
        "dvd",
        "daisy",
        "kamishibai",
        "picture_book",
        "other",
    ],
)
def test_built_record_round_trips(material):
    bib = dataclasses.replace(BUILT, material_type=material)
    holding = HoldingData("1000123", "CEN", "児童", "913.6", price=Decimal(1500))
    record = to_marc(ExportRecord(42, bib, (holding,)))
    again, holdings, warnings = record_to_bib(record)
    assert again == dataclasses.replace(bib, source_id="shoka:42")
    assert holdings == (holding,) and warnings == ()
    out = io.BytesIO()
    write_marc([ExportRecord(42, bib, (holding,))], out, "marcxml")
    (read_back,) = read_marc(io.BytesIO(out.getvalue()))
    assert dataclasses.replace(read_back.bib, source_record=None, source_format="") == again
