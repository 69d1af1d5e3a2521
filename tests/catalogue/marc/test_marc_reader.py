"""read_marc on the shared samples and on synthetic broken input (no database)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pymarc
import pytest

from shoka.catalogue.marc import read_marc
from shoka.catalogue.marc.mapping import trim
from shoka.catalogue.records import BadRecord, ImportRecord

DATA = Path("/work/shared/data/marc")
ENJU = DATA / "enju-japan-marc21.dat"

# file -> (ImportRecords, BadRecords, records with warnings)
EXPECTED = {
    "enju-japan-marc21.dat": (233, 0, 0),
    "pymarc-bad_eacc_encoding.dat": (1, 0, 1),
    "pymarc-bad_indicator.dat": (1, 0, 1),
    "pymarc-bad_marc8_escape.dat": (1, 0, 1),
    "pymarc-bad_records.mrc": (6, 2, 4),
    "pymarc-bad_subfield_code.dat": (1, 0, 1),
    "pymarc-batch.xml": (2, 0, 0),
    "pymarc-diacritic.dat": (1, 0, 0),
    "pymarc-marc.dat": (20, 0, 0),
    "pymarc-marc8.dat": (1, 0, 0),
    "pymarc-multi_isbn.dat": (1, 0, 0),
    "pymarc-regression45.dat": (12, 0, 12),
    "pymarc-test.dat": (10, 0, 0),
    "pymarc-testunimarc.dat": (0, 1, 0),
    "pymarc-utf8.xml": (1, 0, 0),
    "pymarc-utf8_errors.dat": (1, 0, 1),
    "pymarc-utf8_invalid.mrc": (1, 0, 1),
    "pymarc-utf8_with_leader_flag.dat": (1, 0, 0),
    "pymarc-utf8_without_leader_flag.dat": (1, 0, 1),
}


def read(data: bytes) -> list[ImportRecord | BadRecord]:
    return list(read_marc(io.BytesIO(data)))


def _pos_key(position: str) -> tuple[int, int]:
    match = re.fullmatch(r"record (\d+) \((?:byte|line) (\d+)\)", position)
    assert match, position
    return int(match.group(1)), int(match.group(2))


def test_every_sample_is_listed():
    assert sorted(p.name for p in DATA.glob("*.*")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_counts_and_positions(name):
    out = list(read_marc(DATA / name))
    good = [r for r in out if isinstance(r, ImportRecord)]
    bad = [r for r in out if isinstance(r, BadRecord)]
    warned = [r for r in good if r.warnings]
    assert (len(good), len(bad), len(warned)) == EXPECTED[name]
    keys = [_pos_key(r.position) for r in out]
    assert [k[0] for k in keys] == list(range(1, len(out) + 1))
    assert [k[1] for k in keys] == sorted({k[1] for k in keys})  # distinct, increasing
    for record in bad:
        assert record.reason and record.excerpt


def test_bad_records_reasons():
    out = list(read_marc(DATA / "pymarc-bad_records.mrc"))
    reasons = {r.position: r.reason for r in out if isinstance(r, BadRecord)}
    assert reasons == {
        "record 5 (byte 509)": "the directory contains bytes that are not ASCII",
        "record 7 (byte 764)": "the record has no fields",
    }
    warned = {r.position: r.warnings[0] for r in out if isinstance(r, ImportRecord) and r.warnings}
    assert "base address '99937'" in warned["record 2 (byte 127)"]
    assert "stray byte" in warned["record 4 (byte 381)"]


def test_encoding_repairs_in_samples():
    (rec,) = read_marc(DATA / "pymarc-utf8_without_leader_flag.dat")
    assert rec.warnings == ("leader/09 says MARC-8 but the data is UTF-8; read as UTF-8",)
    (same,) = read_marc(DATA / "pymarc-utf8_with_leader_flag.dat")
    assert rec.bib.title == same.bib.title
    (marc8,) = read_marc(DATA / "pymarc-marc8.dat")
    assert marc8.bib.title == same.bib.title and not marc8.warnings
    (eacc,) = read_marc(DATA / "pymarc-bad_eacc_encoding.dat")
    assert "undecodable byte(s)" in eacc.warnings[0]
    (sub,) = read_marc(DATA / "pymarc-bad_subfield_code.dat")
    assert sub.bib.title == "ActivePerl with ASP and ADO"
    assert any("subfield code 'á'" in w for w in sub.warnings)
    (bad,) = read_marc(DATA / "pymarc-testunimarc.dat")
    assert bad.reason == "no title (245 $a)"


def _oracle(record: pymarc.Record) -> dict:
    """An independent, simple extraction with pymarc."""
    linked = {}
    for f in record.get_fields("880"):
        link = f["6"]
        linked[(link[:6], link[7:9])] = f
    f245 = record["245"]
    reading = linked.get(("245-" + f245["6"][4:6], "$1")) if "6" in f245 else None
    names = []
    for f in record.get_fields("100", "110", "111", "700", "710", "711"):
        r = linked.get((f.tag + "-" + f["6"][4:6], "$1")) if "6" in f else None
        names.append((f["a"], r["a"] if r else None))
    ndc = [(f["a"], f["2"]) for f in record.get_fields("084") if f["2"].startswith("njb")]
    pub = record["260"]
    return {
        "title": f245["a"],
        "reading": reading["a"] if reading else None,
        "names": names,
        "ndc": sorted(ndc, key=lambda p: p[1])[-1] if ndc else None,
        "isbns": [v for f in record.get_fields("020") for v in f.get_subfields("a")],
        "publisher": pub.get("b"),
        "jpno": next((f["a"] for f in record.get_fields("015") if f.get("2") == "jnb"), ""),
    }


def test_enju_against_oracle():
    records = list(pymarc.MARCReader(ENJU.open("rb")))
    out = list(read_marc(ENJU))
    assert len(out) == len(records) == 233
    for record, got in zip(records, out, strict=True):
        assert isinstance(got, ImportRecord), got
        bib, want = got.bib, _oracle(record)
        assert bib.title.startswith(trim(want["title"]))
        if want["reading"]:
            assert bib.title_reading.startswith(trim(want["reading"]))
        assert len(bib.contributors) == len(want["names"])
        for contributor, (name, reading) in zip(bib.contributors, want["names"], strict=True):
            assert contributor.name.startswith(trim(name))
            assert contributor.reading.startswith(trim(reading) if reading else "")
            assert bool(contributor.reading) == bool(reading)
        if want["ndc"]:
            assert (bib.ndc, bib.ndc_edition) == (want["ndc"][0], str(int(want["ndc"][1][4:])))
        else:
            assert bib.ndc == ""
        assert list(bib.isbns) == [trim(v) for v in want["isbns"]]
        assert bib.publisher == trim(want["publisher"] or "")
        assert bib.jpno == want["jpno"]
        assert bib.source_format == "marc21"
        assert bib.source_id == f"JTNDL:{record['001'].data}"


def test_enju_first_records_in_detail():
    out = list(read_marc(ENJU))
    first, second = out[0].bib, out[1].bib
    assert first.title == "これからの本の話をしよう"
    assert first.title_reading == "コレカラ ノ ホン ノ ハナシ オ シヨウ"
    assert first.title_romanized == "Korekara no hon no hanashi o shiyo"
    assert first.contributors[0].name == "萩野, 正昭"
    assert first.contributors[0].reading == "ハギノ, マサアキ"
    assert (first.publisher, first.publisher_reading, first.year) == (
        "晶文社",
        "ショウブンシャ",
        2019,
    )
    assert first.isbns == ("978-4-7949-7075-6",)
    assert (first.ndc, first.ndc_edition, first.jpno) == ("023", "10", "23173255")
    assert first.subjects == ("電子書籍", "電子出版")
    assert first.subject_readings == ("デンシ ショセキ", "デンシシュッパン")
    assert first.extent == "301p ; 19cm"
    assert first.source_record == ENJU.read_bytes()[: int(ENJU.read_bytes()[:5])]
    assert second.title == (
        "CNNニュース・リスニング 2019春夏 : 音声&電子書籍版付き : 1本30秒だから、聞きやすい!"
    )


# --- synthetic broken input --------------------------------------------------------------


def _record(title: str | None = "Title", *, coding: str = "a", body: bytes | None = None) -> bytes:
    record = pymarc.Record(leader="00000nam a2200000   4500")
    record.add_field(pymarc.Field(tag="001", data="x1"))
    if title is not None:
        record.add_field(
            pymarc.Field(
                tag="245",
                indicators=pymarc.Indicators("0", "0"),
                subfields=[pymarc.Subfield("a", title)],
            )
        )
    data = record.as_marc()
    if body is not None:  # replace the 245 $a text by raw bytes, fixing the lengths
        text = title.encode("utf-8") if title else b""
        data = data.replace(text, body)
        base = int(data[12:17])
        directory = data[24 : base - 1]
        entries = [directory[i : i + 12] for i in range(0, len(directory), 12)]
        new_dir, offset = b"", 0
        for fields_part, entry in zip(data[base:-1].split(b"\x1e")[:-1], entries, strict=True):
            new_dir += entry[:3] + b"%04d%05d" % (len(fields_part) + 1, offset)
            offset += len(fields_part) + 1
        data = data[:24] + new_dir + data[base - 1 :]
        data = b"%05d" % len(data) + data[5:]
    return data[:9] + coding.encode() + data[10:]


def test_empty_file():
    assert read(b"") == []
    assert read(b"\n  \n") == []


def test_truncated_file():
    good = _record("First")
    out = read(good + _record("Second")[:50])
    assert isinstance(out[0], ImportRecord)
    assert isinstance(out[1], BadRecord)
    assert out[1].position == f"record 2 (byte {len(good)})"
    assert out[1].reason.startswith("truncated")


def test_garbage_between_records():
    first, second = _record("First"), _record("Second")
    out = read(first + b"GARBAGE!!" + second)
    assert [type(r).__name__ for r in out] == ["ImportRecord", "BadRecord", "ImportRecord"]
    assert out[1].position == f"record 2 (byte {len(first)})"
    assert out[1].excerpt == "GARBAGE!!"
    assert out[2].position == f"record 3 (byte {len(first) + 9})"
    assert out[2].bib.title == "Second"


def test_wrong_record_length():
    data = _record("Length")
    out = read(b"99999" + data[5:] + _record("Next"))
    assert [r.bib.title for r in out] == ["Length", "Next"]
    assert "record length" in out[0].warnings[0]


def test_record_without_title():
    (out,) = read(_record(None))
    assert isinstance(out, BadRecord)
    assert (out.position, out.reason) == ("record 1 (byte 0)", "no title (245 $a)")
    assert out.excerpt.startswith("00")


def test_declared_marc8_but_utf8_kanji():
    (out,) = read(_record("日本の本", coding=" "))
    assert out.bib.title == "日本の本"
    assert out.warnings == ("leader/09 says MARC-8 but the data is UTF-8; read as UTF-8",)


def test_declared_utf8_but_cp932():
    title = "図書館の本を読む"
    (out,) = read(_record(title, body=title.encode("cp932")))
    assert out.bib.title == title
    assert out.warnings == ("leader/09 says UTF-8 but the data is not valid UTF-8; read as CP932",)


def test_undecodable_record_is_bad():
    (out,) = read(_record("x", body=b"\xff\xfe\x80\x81\xff" * 20))
    assert isinstance(out, BadRecord)
    assert "undecodable byte(s)" in out.reason


def test_xml_cut_in_the_middle():
    data = (DATA / "pymarc-batch.xml").read_bytes()
    cut = data[: data.index(b"<marc:record", data.index(b"</marc:record>")) + 300]
    out = read(cut)
    assert isinstance(out[0], ImportRecord) and out[0].position == "record 1 (line 5)"
    assert isinstance(out[1], BadRecord) and out[1].position.startswith("record 2 (line ")
    assert "not well-formed" in out[1].reason


def test_xml_positions_and_source():
    out = list(read_marc(DATA / "pymarc-batch.xml"))
    assert [r.position for r in out] == ["record 1 (line 5)", "record 2 (line 62)"]
    assert out[0].bib.source_format == "marcxml"
    assert out[0].bib.source_record.startswith(
        b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>'
    )


def test_unreadable_path(tmp_path):
    (out,) = read_marc(tmp_path / "missing.mrc", name="books.mrc")
    assert isinstance(out, BadRecord) and "books.mrc" in out.reason
