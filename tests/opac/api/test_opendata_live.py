"""`shoka opac dump` on a live OPAC's data, and the dumps served at /data/ with conditional
GET and HEAD over HTTP."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys

import pytest
from tests.opac.conftest import public_branch, public_item, public_record

pytestmark = pytest.mark.slow

FILES = ["catalogue.jsonl.gz", "catalogue.csv.gz", "holdings.jsonl.gz", "holdings.csv.gz"]


def dump(opac) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOKA_", "DJANGO_"))}
    env["SHOKA_HOME"] = str(opac.home)
    if opac.opac.database_url:
        env["SHOKA_OPAC_DATABASE_URL"] = opac.opac.database_url
    done = subprocess.run(
        [sys.executable, "-m", "shoka.cli", "opac", "dump"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def opac(live_opac):
    records = [
        public_record(
            300 + n,
            f"本 {n}",
            isbns=["9784101010137"] if n == 1 else [],
            authors=[("夏目 漱石", "ナツメ, ソウセキ"), ("森 鴎外", "モリ, オウガイ")],
            items=[public_item(3000 + 2 * n), public_item(3001 + 2 * n, status="on_loan")],
        )
        for n in range(1, 6)
    ]
    live_opac.publish(records=records, branches=[public_branch("main", "中央図書館")])
    return live_opac


def test_before_any_dump_the_index_says_so(live_opac):
    assert live_opac.get("/data/").status == 200
    assert json.loads(live_opac.get("/data/index.json").body)["files"] == []
    assert live_opac.get("/data/catalogue.jsonl.gz").status == 404


def test_the_dump_writes_json_lines_and_csv_of_records_and_copies(opac):
    out = dump(opac)
    assert "catalogue.jsonl.gz: 5 rows" in out and "holdings.csv.gz: 10 rows" in out
    folder = opac.home / "data" / "opendata"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*FILES, "index.json"])

    answer = opac.get("/data/catalogue.jsonl.gz")
    assert answer.status == 200
    lines = gzip.decompress(answer.body).decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [301, 302, 303, 304, 305]
    assert records[0]["isbns"] == ["9784101010137"]
    assert records[0]["authors"][1] == {"name": "森 鴎外", "reading": "モリ, オウガイ"}

    rows = list(
        csv.DictReader(
            io.StringIO(gzip.decompress(opac.get("/data/holdings.csv.gz").body).decode("utf-8"))
        )
    )
    assert len(rows) == 10
    assert rows[1]["record_id"] == "301" and rows[1]["status"] == "on_loan"
    assert rows[0]["loanable"] == "true"
    catalogue_csv = list(
        csv.DictReader(
            io.StringIO(gzip.decompress(opac.get("/data/catalogue.csv.gz").body).decode("utf-8"))
        )
    )
    assert catalogue_csv[0]["authors"] == "夏目 漱石 (ナツメ, ソウセキ) | 森 鴎外 (モリ, オウガイ)"


def test_the_index_lists_files_sizes_counts_and_dates(opac):
    manifest = json.loads(opac.get("/data/index.json").body)
    assert manifest["generated_at"] and manifest["sequence"] >= 1
    by_name = {f["name"]: f for f in manifest["files"]}
    assert sorted(by_name) == sorted(FILES)
    assert by_name["catalogue.csv.gz"]["records"] == 5
    assert by_name["holdings.jsonl.gz"]["records"] == 10
    for name, entry in by_name.items():
        assert entry["url"] == f"{opac.base}/data/{name}"
        assert entry["bytes"] == len(opac.get(f"/data/{name}").body)
        assert entry["modified"]
    page = opac.get("/data/").text
    assert all(name in page for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_dump_answers_conditional_requests_and_head(opac, name):
    first = opac.get(f"/data/{name}")
    etag, modified = first.header("etag"), first.header("last-modified")
    assert first.status == 200 and etag and modified
    assert "public" in first.header("cache-control")
    assert opac.get(f"/data/{name}", {"If-None-Match": etag}).status == 304
    assert opac.get(f"/data/{name}", {"If-Modified-Since": modified}).status == 304
    assert opac.get(f"/data/{name}", {"If-None-Match": '"other"'}).status == 200
    head = opac.request("HEAD", f"/data/{name}")
    assert head.status == 200 and head.body == b""
    assert head.header("etag") == etag and head.header("content-length") == str(len(first.body))


def test_a_new_dump_after_a_change_has_a_new_etag(opac):
    before = opac.get("/data/catalogue.jsonl.gz").header("etag")
    opac.publish(records=[public_record(306, "本 6")])
    dump(opac)
    after = opac.get("/data/catalogue.jsonl.gz", {"If-None-Match": before})
    assert after.status == 200 and after.header("etag") != before
    assert len(gzip.decompress(after.body).splitlines()) == 6
    leftovers = [p.name for p in (opac.home / "data" / "opendata").iterdir() if "tmp" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("path", ["/data/nothing.gz", "/data/index.json.gz", "/data/../keys"])
def test_anything_else_under_data_is_not_found(opac, path):
    assert opac.get(path).status == 404
