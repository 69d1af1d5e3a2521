"""Importing MARC and CSV files into the catalogue: every JAPAN/MARC record lands with what
pymarc reads from the file, bad records are reported and the good kept, re-imports match
instead of duplicating, a crash mid-file leaves no half-written record, and MARC goes back
out with its original fields."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pymarc
import pytest
from django.db import connection

from shoka.audit.models import AuditEvent
from shoka.catalogue.exporting import export_records
from shoka.catalogue.importing import ImportOptions, import_records
from shoka.catalogue.isbn import normalize_isbn
from shoka.catalogue.marc.reader import read_marc
from shoka.catalogue.marc.writer import write_marc
from shoka.catalogue.models import Bib, BibIsbn, Contributor, Item
from shoka.catalogue.records import BadRecord, BibData, HoldingData, ImportRecord
from shoka.search.models import IndexChange

from ..conftest import AT

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
MARC = DATA / "marc"
ENJU = MARC / "enju-japan-marc21.dat"
ISBD_END = re.compile(r"[\s/:;=,.]+$")


def run(world, records, **options) -> object:
    return import_records(
        world.library,
        records,
        source="test",
        actor=world.staff,
        at=AT,
        options=ImportOptions(**options),
    )


def _sub(field, code: str) -> str:
    values = field.get_subfields(code) if field is not None else []
    return values[0] if values else ""


def _linked_reading(record, field) -> str:
    link = _sub(field, "6")[4:6]
    for f in record.get_fields("880"):
        if _sub(f, "6").startswith(f"{field.tag}-{link}/$1"):
            return _sub(f, "a")
    return ""


def _trim(text: str) -> str:
    return ISBD_END.sub("", text.strip())


# --- JAPAN/MARC: the 233 NDL records ---------------------------------------------------------


def test_every_japan_marc_record_imports_with_what_pymarc_reads(world):
    report = run(world, read_marc(ENJU))
    assert (report.read, report.added, report.skipped) == (233, 233, 0)
    with ENJU.open("rb") as fh:
        oracle = list(pymarc.MARCReader(fh, to_unicode=True, force_utf8=True))
    assert len(oracle) == 233
    for rec in oracle:
        control = f"{rec['003'].data}:{rec['001'].data}"
        bib = Bib.objects.get(source_id=control)
        title = rec["245"]
        # title and its reading (the 880 linked to 245 with script $1)
        assert bib.title.startswith(_trim(_sub(title, "a"))), control
        reading = _linked_reading(rec, title)
        if reading:
            assert bib.title_reading.startswith(_trim(reading)), control
        # authors with readings (100/110/700/710 and their 880s), in order
        people = [f for f in rec.get_fields("100", "110", "111", "700", "710", "711")]
        stored = list(Contributor.objects.filter(bib=bib).order_by("position"))
        assert len(stored) == len(people), control
        for field, contributor in zip(people, stored, strict=True):
            assert contributor.name.startswith(_trim(_sub(field, "a"))), control
            assert contributor.reading == _trim(_linked_reading(rec, field)), control
        # NDC from 084 $2 njb/…, ISBN from 020 $a, publisher from 260 $b, JPNO from 015
        ndc = [
            (_sub(f, "a"), _sub(f, "2"))
            for f in rec.get_fields("084")
            if _sub(f, "2").startswith("njb")
        ]
        if ndc:
            assert (bib.ndc, f"njb/{int(bib.ndc_edition):02d}") in ndc, control
        else:
            assert bib.ndc == "", control
        isbns = {normalize_isbn(_sub(f, "a")) for f in rec.get_fields("020") if _sub(f, "a")}
        assert set(BibIsbn.objects.filter(bib=bib).values_list("isbn13", flat=True)) == isbns - {
            None
        }
        publisher = next((f for f in rec.get_fields("260", "264") if _sub(f, "b")), None)
        if publisher is not None:
            assert bib.publisher == _trim(_sub(publisher, "b")), control
        jpno = [_sub(f, "a") for f in rec.get_fields("015") if _sub(f, "2") == "jnb"]
        assert bib.jpno == (jpno[0] if jpno else ""), control
        assert bytes(bib.source_record) == rec.as_marc() or bib.source_format == "marc21"


def test_a_record_reading_in_katakana_is_stored_beside_the_kanji_title(world):
    run(world, read_marc(ENJU))
    bib = Bib.objects.get(source_id="JTNDL:029455884")
    assert bib.title == "これからの本の話をしよう"
    assert bib.title_reading == "コレカラ ノ ホン ノ ハナシ オ シヨウ"
    assert bib.title_romanized.startswith("Korekara no hon no hanashi o shiyo")
    assert (bib.ndc, bib.ndc_edition, bib.jpno) == ("023", "10", "23173255")
    assert bib.ndl_call_number == "UE13-M1"
    assert bib.subjects == ["電子書籍", "電子出版"]
    person = Contributor.objects.get(bib=bib)
    assert (person.name, person.reading) == ("萩野, 正昭", "ハギノ, マサアキ")


# --- every sample and every broken file -----------------------------------------------------


@pytest.mark.parametrize("path", sorted(MARC.glob("*")), ids=lambda p: p.name)
def test_every_shared_marc_sample_imports_its_good_records_and_names_the_bad(world, path):
    read = list(read_marc(path))
    report = run(world, iter(read))
    good = [r for r in read if isinstance(r, ImportRecord)]
    bad = [r for r in read if isinstance(r, BadRecord)]
    assert report.added + report.updated + report.unchanged + report.skipped == len(read)
    assert report.skipped >= len(bad)
    for record in report.bad:
        assert re.match(r"record \d+ \((byte|line) \d+\)", record.position), record
        assert record.reason
    assert Bib.objects.count() == report.added
    if path.name.startswith("pymarc-bad") or "invalid" in path.name or "errors" in path.name:
        assert good or bad  # something was read and accounted for


def test_a_broken_file_keeps_its_good_records_and_reports_each_bad_one(world, tmp_path):
    records = ENJU.read_bytes().split(b"\x1d")[:5]
    broken = (
        records[0]
        + b"\x1d"
        + b"GARBAGE IN THE MIDDLE"
        + records[1]
        + b"\x1d"
        + b"00042nam  22000001a 4500"
        + b"\x1d"  # a leader and nothing else
        + records[2]
        + b"\x1d"
        + records[3][:200]  # truncated at the end
    )
    path = tmp_path / "broken.mrc"
    path.write_bytes(broken)
    report = run(world, read_marc(path))
    assert report.added == 3
    assert report.skipped >= 2
    assert all(re.match(r"record \d+ \(byte \d+\)", b.position) for b in report.bad)
    assert Bib.objects.count() == 3


# --- re-import, matching, dry run ----------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(world):
    run(world, read_marc(ENJU))
    audit_before = AuditEvent.objects.count()
    IndexChange.objects.all().delete()
    again = run(world, read_marc(ENJU))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 233)
    assert Bib.objects.count() == 233
    assert AuditEvent.objects.count() == audit_before
    assert not IndexChange.objects.exists()


def _bib(title: str, **kw) -> ImportRecord:
    return ImportRecord(f"line {kw.pop('line', 1)}", BibData(title=title, **kw))


def test_a_changed_record_updates_the_one_it_matches_by_control_number_jpno_or_isbn(world):
    run(
        world,
        [
            _bib("一", source_id="JTNDL:1"),
            _bib("二", jpno="20000002"),
            _bib("三", isbns=["978-4-7949-7075-6"]),
        ],
    )
    ids = dict(Bib.objects.values_list("title", "pk"))
    report = run(
        world,
        [
            _bib("一 改訂", source_id="JTNDL:1", line=1),
            _bib("二 改訂", jpno="20000002", line=2),
            _bib("三 改訂", isbns=["4-7949-7075-7"], line=3),  # ISBN-10 of the same book
        ],
    )
    assert (report.added, report.updated) == (0, 3)
    assert dict(Bib.objects.values_list("title", "pk")) == {
        "一 改訂": ids["一"],
        "二 改訂": ids["二"],
        "三 改訂": ids["三"],
    }
    assert set(IndexChange.objects.values_list("bib_id", flat=True)) >= set(ids.values())


def test_a_record_matching_two_catalogue_records_is_reported_not_guessed(world):
    run(world, [_bib("甲", isbns=["978-4-7949-7075-6"]), _bib("乙", isbns=["978-4-480-87870-0"])])
    report = run(world, [_bib("丙", isbns=["978-4-7949-7075-6", "978-4-480-87870-0"], line=9)])
    assert report.skipped == 1
    assert report.bad[0].position == "line 9"
    assert "ambiguous" in report.bad[0].reason
    assert set(Bib.objects.values_list("title", flat=True)) == {"甲", "乙"}


def test_a_book_listed_twice_in_one_file_is_added_once(world):
    report = run(world, [_bib("同じ本", jpno="1"), _bib("同じ本", jpno="1", line=2)])
    assert Bib.objects.count() == 1
    assert report.added == 1
    assert any("appears earlier" in message for _, message in report.warnings)


def test_a_dry_run_reports_the_same_decisions_and_writes_nothing(world):
    run(world, [_bib("既存", jpno="1")])
    before = (Bib.objects.count(), AuditEvent.objects.count(), IndexChange.objects.count())
    records = [_bib("既存 改訂", jpno="1"), _bib("新しい本", line=2), _bib("", line=3)]
    dry = run(world, records, dry_run=True)
    assert (dry.added, dry.updated, dry.skipped) == (1, 1, 1)
    assert (Bib.objects.count(), AuditEvent.objects.count(), IndexChange.objects.count()) == before
    real = run(world, records)
    assert (real.added, real.updated, real.skipped) == (dry.added, dry.updated, dry.skipped)


def test_a_long_file_path_is_kept_in_the_audit_event(world):
    source = "/srv/library/imports/" + "とても長いフォルダー名/" * 12 + "catalogue.mrc"
    import_records(world.library, [_bib("本")], source=source, actor=world.staff, at=AT)
    event = AuditEvent.objects.get(action="catalogue.imported")
    assert event.object_id == "catalogue.mrc"
    assert event.data["source"] == source


def test_invalid_data_is_reported_with_its_position_and_reason(world):
    report = run(
        world,
        [
            _bib("正常"),
            _bib("ISBN不正", isbns=["978-4-7949-7075-0"], line=2),
            _bib("   ", line=3),
            _bib("年不正", year=12345, line=4),
            _bib("種別不正", material_type="scroll", line=5),
        ],
    )
    assert report.added == 1
    reasons = {b.position: b.reason for b in report.bad}
    assert "check digit" in reasons["line 2"]
    assert "title" in reasons["line 3"]
    assert "year" in reasons["line 4"]
    assert "material type" in reasons["line 5"]


# --- items from holdings --------------------------------------------------------------------


def test_holdings_become_items_and_a_second_run_leaves_them_alone(world):
    rec = ImportRecord(
        "record 1 (byte 0)",
        BibData(title="所蔵のある本", jpno="9"),
        (
            HoldingData("300001", branch="main", location="general", call_number="913.6/ナ"),
            HoldingData(
                "300002", branch="東分館", call_number="913.6/ナ"
            ),  # by name, default location
            HoldingData("300003", branch="nowhere"),
            HoldingData("", branch="main"),
        ),
    )
    report = run(world, [rec])
    items = {i.barcode: i for i in Item.objects.select_related("branch", "location")}
    assert set(items) == {"300001", "300002"}
    assert items["300002"].branch.code == "east" and items["300002"].location.code == "general"
    assert items["300001"].call_number == "913.6/ナ"
    assert (report.items_added, report.items_skipped) == (2, 2)
    assert any("nowhere" in m for _, m in report.warnings)
    again = run(world, [rec])
    assert (again.items_added, again.items_unchanged) == (0, 2)


def test_an_import_never_moves_a_copy_from_another_record(world):
    other = world.item(world.bib("別の本", "ベツ ノ ホン"), barcode="400001")
    rec = ImportRecord("line 1", BibData(title="新しい本"), (HoldingData("400001", branch="main"),))
    report = run(world, [rec])
    assert Item.objects.get(barcode="400001").bib_id == other.bib_id
    assert report.items_skipped == 1
    assert "400001" in report.warnings[0][1]


# --- crashes and database refusals -----------------------------------------------------------


def test_a_crash_mid_file_leaves_no_half_written_record_and_a_rerun_completes(world):
    records = list(read_marc(ENJU))

    def crashing():
        for n, record in enumerate(records):
            if n == 130:
                raise KeyboardInterrupt  # the operator pulls the plug
            yield record

    with pytest.raises(KeyboardInterrupt):
        run(world, crashing(), batch_size=50)
    assert Bib.objects.count() == 100  # two whole batches, nothing of the third
    assert (
        not Bib.objects.filter(contributors__isnull=True, source_id="JTNDL:029455884")
        .exclude(pk__in=Contributor.objects.values("bib_id"))
        .exists()
    )
    for bib in Bib.objects.all():  # every written record is complete
        assert bib.title and bib.source_record
    rerun = run(world, iter(records), batch_size=50)
    assert (rerun.added, rerun.unchanged) == (133, 100)
    assert Bib.objects.count() == 233


@pytest.fixture
def refuse_title(db):
    """A real database refusal: a trigger that rejects one title."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_bib() RETURNS trigger AS $$ BEGIN "
                "IF NEW.title = '拒否される本' THEN RAISE EXCEPTION 'refused by a test trigger'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_bib BEFORE INSERT ON catalogue_bib "
                "FOR EACH ROW EXECUTE FUNCTION refuse_bib()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_bib BEFORE INSERT ON catalogue_bib "
                "WHEN NEW.title = '拒否される本' "
                "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
            )


def test_a_batch_the_database_refuses_is_retried_record_by_record(world, refuse_title):
    refused = ImportRecord(
        "line 2", BibData(title="拒否される本"), (HoldingData("900001", branch="main"),)
    )
    records = [_bib("一冊目"), refused, _bib("三冊目", line=3)]
    report = run(world, records)
    assert report.added == 2
    assert (report.items_added, report.items_skipped) == (0, 0)  # the refused copy is not counted
    assert not Item.objects.filter(barcode="900001").exists()
    assert [b.position for b in report.bad] == ["line 2"]
    assert "refused" in report.bad[0].reason
    assert set(Bib.objects.values_list("title", flat=True)) == {"一冊目", "三冊目"}


# --- the report file ----------------------------------------------------------------------------


def test_the_report_file_lists_every_skipped_record_with_its_position(world, tmp_path):
    report = run(
        world,
        [_bib("良い本"), _bib("", line=7), BadRecord("record 9 (byte 99)", "no title (245 $a)")],
    )
    text, data = report.write(tmp_path / "import-report")
    body = text.read_text()
    assert "line 7" in body and "record 9 (byte 99): no title (245 $a)" in body
    assert '"skipped": 2' in data.read_text()
    assert "1 were added" in report.summary()


# --- export --------------------------------------------------------------------------------------


def _fields(record: pymarc.Record) -> list[str]:
    return [str(f) for f in record.fields if f.tag not in ("852", "949")]


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(MARC.glob("*")) if "testunimarc" not in p.name],
    ids=lambda p: p.name,
)
def test_marc_round_trip_keeps_every_original_field(world, path):
    """Import → database → export: every field of every imported record comes back, with
    its indicators and subfields in order (holdings fields are regenerated from items)."""
    from shoka.catalogue.marc.reader import parse_source_record

    run(world, read_marc(path))
    out = io.BytesIO()
    write_marc(export_records(world.library), out, "marc21")
    exported = list(read_marc(io.BytesIO(out.getvalue())))
    bibs = list(Bib.objects.order_by("pk"))
    assert bibs and len(exported) == len(bibs)
    for bib, again in zip(bibs, exported, strict=True):
        assert isinstance(again, ImportRecord), again
        original = parse_source_record(bytes(bib.source_record))[0]
        assert _fields(parse_source_record(again.bib.source_record)[0]) == _fields(original)


def test_marc_export_adds_current_holdings(world):
    run(world, read_marc(ENJU))
    bib = Bib.objects.get(source_id="JTNDL:029455884")
    world.item(bib, barcode="500001")
    out = io.BytesIO()
    assert write_marc(export_records(world.library), out, "marc21") == 233
    exported = {
        f"{r['003'].data}:{r['001'].data}": r
        for r in pymarc.MARCReader(io.BytesIO(out.getvalue()), to_unicode=True, force_utf8=True)
    }
    with ENJU.open("rb") as fh:
        for original in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True):
            again = exported[f"{original['003'].data}:{original['001'].data}"]
            assert _fields(again) == _fields(original)
    holding = exported["JTNDL:029455884"].get_fields("852")
    assert [_sub(f, "p") for f in holding] == ["500001"]


def test_an_export_imports_back_unchanged(world):
    run(world, read_marc(ENJU))
    out = io.BytesIO()
    write_marc(export_records(world.library), out, "marcxml")
    again = run(world, read_marc(io.BytesIO(out.getvalue())))
    assert (again.added, again.unchanged, again.skipped) == (0, 233 - again.updated, 0)


def test_records_keep_their_data_through_export_records(world):
    run(world, read_marc(ENJU))
    exported = {r.bib.source_id: r for r in export_records(world.library)}
    bib = exported["JTNDL:029455884"].bib
    assert dataclasses.asdict(bib)["title"] == "これからの本の話をしよう"
    assert bib.contributors[0].reading == "ハギノ, マサアキ"


# --- CSV and TSV ---------------------------------------------------------------------------------


def test_the_enju_sample_imports_its_good_rows_and_reports_the_rows_without_title(world):
    from shoka.catalogue.tabular import read_tabular

    source = read_tabular(DATA / "enju-resource_import_sample1.tsv")
    report = run(world, source)
    assert source.layout == "enju"
    assert report.added >= 10
    assert report.skipped >= 7
    assert all(re.match(r"line \d+", b.position) for b in report.bad)
    assert any("no title" in b.reason for b in report.bad)
    assert Bib.objects.count() == report.added


def test_a_cp932_csv_from_an_old_system_imports_with_its_items(world):
    from shoka.catalogue.tabular import read_tabular

    text = (
        "書名,書名ヨミ,著者,出版者,出版年,ISBN,NDC,請求記号,登録番号,所蔵館\r\n"
        "髙橋家の①番目の本,タカハシケ ノ イチバンメ ノ ホン,髙橋 一郎,架空書房,2001,,"
        "913.6,913.6/タ,600001,本館\r\n"
        "二冊目,ニサツメ,,架空書房,1999,,159,159/ニ,600002,東分館\r\n"
    )
    source = read_tabular(io.BytesIO(text.encode("cp932")), name="old-system.csv")
    report = run(world, source)
    assert source.encoding == "cp932"
    assert (report.added, report.items_added, report.skipped) == (2, 2, 0)
    bib = Bib.objects.get(title="髙橋家の①番目の本")
    assert bib.items.get().branch.code == "main"


def test_a_csv_export_imports_back_unchanged(world):
    from shoka.catalogue.tabular import read_tabular, write_csv

    run(world, read_marc(ENJU))
    world.item(Bib.objects.get(source_id="JTNDL:029455884"), barcode="700001")
    out = io.StringIO()
    write_csv(export_records(world.library), out)
    again = run(world, read_tabular(io.BytesIO(out.getvalue().encode("utf-8"))))
    assert again.skipped == 0
    assert again.added == 0
    assert again.items_unchanged == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_bulk_look_ups_on_postgresql_are_planned_for_their_actual_keys(world):
    """Generic plans made while the catalogue was empty would scan it on every batch."""
    from shoka.bulk import custom_plans

    def mode() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            return str(cursor.fetchone()[0])

    with custom_plans():
        assert mode() == "force_custom_plan"
    assert mode() == "auto"
    import_records(
        world.library,
        [_bib(f"本 {n}", line=n) for n in range(1, 201)],
        source="t",
        actor=world.staff,
        at=AT,
    )
    assert mode() == "auto"  # restored after the import's look-ups
