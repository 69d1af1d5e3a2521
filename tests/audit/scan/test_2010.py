"""The 2010 investigation, reproduced on synthetic data: eight files left on a public web
server — overdue lists, overdue letters for adults and for children, patron registrations —
from 24 to 3,176 records each, from three municipalities. The scanner must produce the
table the investigators made by hand: per file, records, persons, attributes and origin."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from shoka.cli import main

from .conftest import (
    EBINO_TOWN,
    MATSUMOTO_TOWN,
    Expected,
    Town,
    _people,
    letters,
    overdue_list,
    registrations,
)

KOBAYASHI_TOWN = Town("宮崎県", "小林市", "0984")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    expected: dict[str, Expected] = {}
    m, e = MATSUMOTO_TOWN, EBINO_TOWN
    overdue_list(root, expected, path="opac/tokusoku/list_m.txt", n=150, seed=41, town=m)
    overdue_list(
        root, expected, path="opac/tokusoku/list_e.txt", n=60, seed=42, town=e,
        library="えびの市民図書館",
    )  # fmt: skip
    for name, town, seed, n, library, phone in (
        ("opac/tokusoku/letters_m.txt", m, 43, 100, "松本市中央図書館", "0263-32-0001"),
        ("opac/tokusoku/letters_e.txt", e, 44, 40, "えびの市民図書館", "0984-33-0001"),
    ):
        adults = [p for p in _people(seed, n + 40, town.prefecture, town.city)]
        letters(
            root,
            expected,
            name=name,
            people=[p for p in adults if p.category == "adult"][:n],
            encoding="cp932",
            children=False,
            origin=town.origin,
            library=library,
            library_phone=phone,
        )
    children = [p for p in _people(45, 150, m.prefecture, m.city) if p.category == "child"]
    letters(
        root,
        expected,
        name="opac/tokusoku/letters_child_m.txt",
        people=children[:24],
        encoding="cp932",
        children=True,
        origin=m.origin,
        library="松本市中央図書館",
        library_phone="0263-32-0001",
    )
    registrations(root, expected, path="opac/data/riyosha_m.csv", n=3166, seed=46, town=m)
    registrations(root, expected, path="opac/data/riyosha_e.csv", n=800, again=0, seed=47, town=e)
    registrations(
        root, expected, path="opac/data/riyosha_k.csv", n=500, again=5, seed=48,
        town=KOBAYASHI_TOWN,
    )  # fmt: skip
    return root, expected


def test_the_investigators_table_is_reproduced(server):
    root, expected = server
    assert len(expected) == 8
    counts = sorted(e.records for e in expected.values())
    assert counts[0] == 24 and counts[-1] == 3176
    assert {e.origin for e in expected.values()} == {
        "長野県松本市",
        "宮崎県えびの市",
        "宮崎県小林市",
    }
    result = CliRunner().invoke(main, ["audit", "scan", "--format", "json", str(root)])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    found = {f["path"]: f for f in report["files"]}
    assert set(found) == set(expected)
    for path, e in expected.items():
        f = found[path]
        assert abs(f["records"] - e.records) <= 0.05 * e.records, path
        assert abs(f["persons"] - e.persons) <= 0.05 * e.persons, path
        assert set(f["attributes"]) == e.attributes, path
        assert f["origin"] == e.origin, path
    assert report["summary"]["personal_units"] == 8
    assert found["opac/data/riyosha_m.csv"]["severity"] == "high"  # more than 1,000 people


def test_the_table_numbers_the_files_like_the_investigators_did(server):
    root, _ = server
    result = CliRunner().invoke(main, ["audit", "scan", str(root)])
    rows = [line for line in result.stdout.splitlines() if "opac/" in line]
    assert len(rows) == 8
    assert rows[0].split()[1] == "1" and rows[-1].split()[1] == "8"
