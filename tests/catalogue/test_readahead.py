"""shoka.catalogue.readahead: a reader run in a second process yields exactly what it would
yield here — same records, same order, same positions — and its failures are raised here."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from shoka.catalogue import commands
from shoka.catalogue.marc.reader import read_marc
from shoka.catalogue.models import Bib
from shoka.catalogue.readahead import CHUNK, read_ahead

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc"
ENJU = DATA / "enju-japan-marc21.dat"
BROKEN = DATA / "pymarc-bad_records.mrc"


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    """The Enju records 22 times over with a broken file in the middle: 5,000+ records,
    several hand-overs, bad records with their byte positions."""
    path = tmp_path_factory.mktemp("readahead") / "big.mrc"
    enju = ENJU.read_bytes()
    path.write_bytes(enju * 11 + BROKEN.read_bytes() + enju * 11)
    return path


def test_the_same_records_in_the_same_order_as_reading_here(big_file):
    here = list(read_marc(big_file))
    there = list(read_ahead(read_marc, big_file))
    assert len(here) > 5000 > CHUNK
    assert there == here
    assert (
        [r.position for r in there if type(r).__name__ == "BadRecord"]
        == [r.position for r in here if type(r).__name__ == "BadRecord"]
        != []
    )


def test_a_failure_in_the_reader_is_raised_after_what_it_read():
    got = []
    with pytest.raises(ValueError, match="invalid literal"):
        for value in read_ahead(map, int, ["1", "2", "x", "4"]):
            got.append(value)
    assert got == [1, 2]


def test_a_reader_that_cannot_start_raises_its_own_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(read_ahead(open, str(tmp_path / "missing.mrc")))


def test_stopping_early_stops_the_reader_process():
    records = read_ahead(range, 10**12)
    assert [next(records) for _ in range(3)] == [0, 1, 2]
    records.close()
    assert mp.active_children() == []


def test_the_import_command_reads_big_marc_files_ahead(world, index, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from shoka.catalogue import readahead
    from shoka.cli import main

    monkeypatch.setattr(commands, "READ_AHEAD_FROM", 100)
    used = []

    def spy(reader, *args):
        used.append(args)
        return read_ahead(reader, *args)

    monkeypatch.setattr(readahead, "read_ahead", spy)
    result = CliRunner().invoke(
        main,
        ["import", "marc", str(ENJU), str(BROKEN), "--report", str(tmp_path / "r")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "233 were added" in result.output
    assert "skipped record 5 (byte 509)" in result.output
    good_in_broken = sum(type(r).__name__ == "ImportRecord" for r in read_marc(BROKEN))
    assert Bib.objects.count() == 233 + good_in_broken
    assert used == [(ENJU,)]  # the broken file is small: read here
