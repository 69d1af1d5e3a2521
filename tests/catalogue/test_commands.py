"""`shoka import`, `shoka export`, `shoka index` and `shoka search`, run in-process on the
test database (the subprocess path of the command is covered by tests/test_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pymarc
from click.testing import CliRunner

from shoka.catalogue.models import Bib, Item
from shoka.cli import main

ENJU = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc" / "enju-japan-marc21.dat"
BROKEN = ENJU.parent / "pymarc-bad_records.mrc"


def shoka(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_import_reports_summary_writes_a_report_and_indexes(world, index, tmp_path):
    report = tmp_path / "report"
    result = shoka("import", "marc", str(ENJU), str(BROKEN), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "233 records read" in result.output
    assert "233 were added" in result.output
    assert "skipped record 5 (byte 509)" in result.output
    text = Path(f"{report}-pymarc-bad_records.txt").read_text()
    assert "record 5 (byte 509)" in text and "record 7 (byte 764)" in text
    assert "search index:" in result.output
    found = shoka("search", "--json", "これからの本の話をしよう")
    payload = json.loads(found.output)
    assert payload["total"] >= 1
    assert payload["hits"][0]["fields"]["title"] == "これからの本の話をしよう"
    assert {"material_type", "ndc1", "year", "branch", "availability"} <= set(payload["facets"])


def test_a_dry_run_writes_nothing(world, index, tmp_path):
    result = shoka("import", "marc", str(ENJU), "--dry-run", "--report", str(tmp_path / "r"))
    assert result.exit_code == 0
    assert "233 would be added" in result.output
    assert not Bib.objects.exists()


def test_a_missing_file_exits_1_and_the_others_are_imported(world, index, tmp_path):
    result = shoka(
        "import", "marc", str(tmp_path / "nope.mrc"), str(ENJU), "--report", str(tmp_path / "r")
    )
    assert result.exit_code == 1
    assert Bib.objects.count() == 233


def test_csv_import_names_the_detected_encoding(world, index, tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes("書名,登録番号,所蔵館\r\n髙橋の本,800001,本館\r\n".encode("cp932"))
    result = shoka("import", "csv", str(path), "--report", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert "cp932" in result.output
    assert Item.objects.get(barcode="800001").bib.title == "髙橋の本"


def test_export_writes_marc_and_jsonl(world, index, tmp_path):
    shoka("import", "marc", str(ENJU), "--report", str(tmp_path / "r"), "--no-index")
    out = tmp_path / "out.mrc"
    result = shoka("export", "--format", "marc21", "-o", str(out))
    assert result.exit_code == 0
    with out.open("rb") as fh:
        assert len(list(pymarc.MARCReader(fh, to_unicode=True))) == 233
    lines = tmp_path / "out.jsonl"
    shoka("export", "--format", "jsonl", "-o", str(lines))
    rows = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 233
    kokoro = next(r for r in rows if r["source_id"] == "JTNDL:029455884")
    assert kokoro["title"] == "これからの本の話をしよう"
    assert kokoro["contributors"][0] == {
        "name": "萩野, 正昭",
        "reading": "ハギノ, マサアキ",
        "role": "",
    }
    assert kokoro["holdings"] == []


def test_index_check_rebuild_and_catch_up(world, index, tmp_path):
    shoka("import", "marc", str(ENJU), "--report", str(tmp_path / "r"), "--no-index")
    missing = shoka("index", "check")
    assert missing.exit_code == 1
    assert "shoka index rebuild" in missing.output
    assert shoka("index", "rebuild").exit_code == 0
    check = shoka("index", "check", "--json")
    assert check.exit_code == 0
    assert json.loads(check.output)["indexed"] == 233
    world.bib("新しく入った本", "アタラシク ハイッタ ホン")
    drift = shoka("index", "check", "--json")
    assert drift.exit_code == 1
    assert len(json.loads(drift.output)["missing"]) == 1
    assert "1 record(s) re-indexed" in shoka("index", "catch-up").output
    assert shoka("index", "check").exit_code == 0


def test_search_prints_ranked_results_and_refuses_bad_queries(world, index, tmp_path):
    shoka("import", "marc", str(ENJU), "--report", str(tmp_path / "r"))
    result = shoka("search", "--facets", "電子書籍", "year:2015-")
    assert result.exit_code == 0
    assert "result(s)" in result.output and "[material_type]" in result.output
    assert shoka("search", "year:abc").exit_code != 0
