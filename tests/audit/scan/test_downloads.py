"""`shoka audit downloads`: who fetched which personal unit, from vsftpd xferlog, Apache/nginx
combined logs and shoka's JSON access log, and the number of distinct recipients."""

from __future__ import annotations

import json

from click.testing import CliRunner

from shoka.cli import main


def _logs(corpus, tmp_path):
    size = {
        name: (corpus.root / name).stat().st_size
        for name in ("overdue/tokusoku_list.txt", "backup.zip", "patron.db", "memo.txt")
    }
    pub = "/var/ftp/pub/opac"
    xferlog = [
        # time, secs, client, bytes, path, type, flag, direction, mode, user, service, auth, id,
        # completion
        f"Mon May  3 10:11:12 2010 2 198.51.100.7 {size['overdue/tokusoku_list.txt']} "
        f"{pub}/overdue/tokusoku_list.txt b _ o a anonymous@ ftp 0 * c",
        f"Mon May  3 11:00:00 2010 9 198.51.100.8 4096 {pub}/overdue/tokusoku_list.txt "
        "b _ o a mozilla@ ftp 0 * i",
        f"Tue May  4 02:30:00 2010 5 198.51.100.9 {size['backup.zip']} {pub}/backup.zip "
        "b _ o a anonymous@ ftp 0 * c",
        f"Tue May  4 03:00:00 2010 1 203.0.113.1 2048 {pub}/registrations/riyosha_touroku.csv "
        "b _ i r maint ftp 0 * c",  # an upload, not a download
        f"Tue May  4 04:00:00 2010 1 198.51.100.50 9000 {pub}/catalogue/export.csv "
        "b _ o a anonymous@ ftp 0 * c",  # not personal
    ]
    combined = [
        f'203.0.113.10 - - [05/May/2010:10:00:00 +0900] "GET /opac/files/patron.db HTTP/1.1" '
        f'200 {size["patron.db"]} "-" "Wget/1.12"',
        '203.0.113.11 - - [05/May/2010:10:05:00 +0900] "GET /opac/files/patron.db HTTP/1.1" '
        '206 1024 "-" "curl/7.19"',
        '203.0.113.12 - - [05/May/2010:10:06:00 +0900] "GET /opac/files/patron.db HTTP/1.1" '
        '200 512 "-" "curl/7.19"',  # the connection broke: fewer bytes than the file
        '203.0.113.13 - - [05/May/2010:10:07:00 +0900] "GET /opac/files/nothing.db HTTP/1.1" '
        '404 0 "-" "curl/7.19"',
        '203.0.113.14 - - [05/May/2010:10:08:00 +0900] "POST /opac/files/patron.db HTTP/1.1" '
        '200 10 "-" "curl/7.19"',
    ]
    shoka = [
        json.dumps(
            {
                "time": "2010-05-06T09:00:00+09:00",
                "client": "2001:db8::5",
                "method": "GET",
                "path": "/files/memo.txt?download=1",
                "status": 200,
                "bytes": size["memo.txt"],
            }
        ),
        json.dumps({"time": "2010-05-06T09:01:00+09:00", "client": "2001:db8::6", "status": 404}),
    ]
    paths = []
    for name, lines in (("xferlog", xferlog), ("access.log", combined), ("shoka.jsonl", shoka)):
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def test_downloads_lists_who_fetched_each_personal_unit_and_counts_recipients(corpus, tmp_path):
    runner = CliRunner()
    scanned = runner.invoke(main, ["audit", "scan", "--format", "json", str(corpus.root)])
    report = tmp_path / "scan.json"
    report.write_text(scanned.output)
    args = ["audit", "downloads", "--scan", str(report), "--format", "json"]
    for log in _logs(corpus, tmp_path):
        args += ["--log", str(log)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)

    fetched: dict[str, set[tuple[str, bool | None, str]]] = {}
    for f in data["fetches"]:
        fetched.setdefault(f["unit"], set()).add((f["client"], f["complete"], f["log"]))
    assert fetched == {
        "overdue/tokusoku_list.txt": {
            ("198.51.100.7", True, "xferlog"),
            ("198.51.100.8", False, "xferlog"),
        },
        "backup.zip::data/list.csv": {("198.51.100.9", True, "xferlog")},
        "backup.zip::data/nested.tar.gz::export/phones.tsv": {("198.51.100.9", True, "xferlog")},
        "patron.db::riyosha": {
            ("203.0.113.10", True, "combined"),
            ("203.0.113.11", False, "combined"),
            ("203.0.113.12", False, "combined"),
        },
        "patron.db::kashidashi": {
            ("203.0.113.10", True, "combined"),
            ("203.0.113.11", False, "combined"),
            ("203.0.113.12", False, "combined"),
        },
        "memo.txt": {("2001:db8::5", True, "json")},
    }
    assert data["recipients"] == 4
    assert data["recipient_clients"] == sorted(
        ["198.51.100.7", "198.51.100.9", "203.0.113.10", "2001:db8::5"]
    )
    assert data["partial_only_clients"] == ["198.51.100.8", "203.0.113.11", "203.0.113.12"]


def test_the_table_ends_with_the_number_of_recipients(corpus, tmp_path):
    args = ["audit", "downloads"]
    for log in _logs(corpus, tmp_path):
        args += ["--log", str(log)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert "流出先件数 (distinct recipients): " in result.output
    assert "catalogue/export.csv" in result.output  # without --scan every download is listed
