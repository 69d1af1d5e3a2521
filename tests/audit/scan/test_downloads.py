"""`shoka audit downloads`: who fetched which personal unit, from vsftpd xferlog, Apache/nginx
combined logs and shoka's JSON access log, and the number of distinct recipients."""

from __future__ import annotations

import json

import pytest
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


def _scan_report(corpus, tmp_path):
    scanned = CliRunner().invoke(main, ["audit", "scan", "--format", "json", str(corpus.root)])
    report = tmp_path / "scan.json"
    report.write_text(scanned.stdout)
    return report


def _downloads(*args: str):
    return CliRunner().invoke(main, ["audit", "downloads", *args])


def test_downloads_lists_who_fetched_each_personal_unit_and_counts_recipients(corpus, tmp_path):
    args = ["--scan", str(_scan_report(corpus, tmp_path)), "--format", "json"]
    for log in _logs(corpus, tmp_path):
        args += ["--log", str(log)]
    result = _downloads(*args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)

    size = {name: (corpus.root / name).stat().st_size for name in ("patron.db", "memo.txt")}
    size["list"] = (corpus.root / "overdue/tokusoku_list.txt").stat().st_size
    size["zip"] = (corpus.root / "backup.zip").stat().st_size
    fetched: dict[str, set[tuple[str, str, int, bool | None, str]]] = {}
    for f in data["fetches"]:
        row = (f["client"], f["time"], f["bytes"], f["complete"], f["log"])
        fetched.setdefault(f["unit"], set()).add(row)
    patron_db = {
        ("203.0.113.10", "2010-05-05T10:00:00+09:00", size["patron.db"], True, "combined"),
        ("203.0.113.11", "2010-05-05T10:05:00+09:00", 1024, False, "combined"),  # a range
        ("203.0.113.12", "2010-05-05T10:06:00+09:00", 512, False, "combined"),  # cut short
    }
    backup = {("198.51.100.9", "2010-05-04T02:30:00", size["zip"], True, "xferlog")}
    assert fetched == {
        "overdue/tokusoku_list.txt": {
            ("198.51.100.7", "2010-05-03T10:11:12", size["list"], True, "xferlog"),
            ("198.51.100.8", "2010-05-03T11:00:00", 4096, False, "xferlog"),
        },
        "backup.zip::data/list.csv": backup,  # fetching an archive fetches what is inside
        "backup.zip::data/nested.tar.gz::export/phones.tsv": backup,
        "patron.db::riyosha": patron_db,
        "patron.db::kashidashi": patron_db,
        "memo.txt": {("2001:db8::5", "2010-05-06T09:00:00+09:00", size["memo.txt"], True, "json")},
    }
    assert data["recipients"] == 4
    assert data["recipient_clients"] == sorted(
        ["198.51.100.7", "198.51.100.9", "203.0.113.10", "2001:db8::5"]
    )
    assert data["partial_only_clients"] == ["198.51.100.8", "203.0.113.11", "203.0.113.12"]


@pytest.mark.parametrize(
    ("log", "recipients", "partial"),
    [
        ("xferlog", ["198.51.100.7", "198.51.100.9"], ["198.51.100.8"]),
        ("access.log", ["203.0.113.10"], ["203.0.113.11", "203.0.113.12"]),
        ("shoka.jsonl", ["2001:db8::5"], []),
    ],
)
def test_each_log_format_alone_names_its_recipients(corpus, tmp_path, log, recipients, partial):
    _logs(corpus, tmp_path)
    scan = str(_scan_report(corpus, tmp_path))
    result = _downloads("--scan", scan, "--format", "json", "--log", str(tmp_path / log))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["recipient_clients"], data["partial_only_clients"]) == (recipients, partial)
    assert data["recipients"] == len(recipients)


def test_the_table_ends_with_the_number_of_recipients(corpus, tmp_path):
    logs = [arg for log in _logs(corpus, tmp_path) for arg in ("--log", str(log))]
    result = _downloads("--scan", str(_scan_report(corpus, tmp_path)), *logs)
    assert result.exit_code == 0
    last = result.stdout.strip().splitlines()[-1]
    assert "流出先件数 (distinct recipients): 4 · 3 more with incomplete transfers only" in last
    assert "catalogue/export.csv" not in result.stdout  # not personal

    result = _downloads(*logs)
    assert result.exit_code == 0
    assert "catalogue/export.csv" in result.stdout  # without --scan every download is listed


def test_a_broken_scan_report_or_log_is_refused_clearly(corpus, tmp_path):
    [xferlog, *_] = _logs(corpus, tmp_path)
    for bad in ("not json\n", '{"files": 3}', '{"version": 1}'):
        report = tmp_path / "bad.json"
        report.write_text(bad)
        result = _downloads("--scan", str(report), "--log", str(xferlog))
        assert result.exit_code == 2, bad
        assert f"{report}: not a `shoka audit scan --format json` report" in result.stderr
    broken = tmp_path / "xferlog.gz"
    broken.write_bytes(b"not gzip at all")
    result = _downloads("--log", str(broken))
    assert result.exit_code == 2
    assert f"{broken}: cannot read" in result.stderr


def test_a_log_in_no_known_format_is_reported(tmp_path):
    other = tmp_path / "syslog"
    other.write_text("May  3 10:11:12 host sshd[1]: Accepted publickey for root\n")
    result = _downloads("--log", str(other))
    assert result.exit_code == 0
    assert f"{other}: no line in a known log format" in result.stderr


def test_the_lines_shoka_serve_writes_are_read_as_its_json_log():
    from shoka.audit.scan.downloads import parse
    from shoka.httplog import entry

    environ = {
        "REMOTE_ADDR": "192.0.2.1",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/files/memo.txt",
        "QUERY_STRING": "q=%E5%B1%B1%E7%94%B0",
    }
    line = entry(environ, "200 OK", 5123, 0.0125)
    assert "q=" not in line  # no search terms in the log
    [transfer] = parse([line])
    assert (transfer.client, transfer.path, transfer.bytes, transfer.log) == (
        "192.0.2.1",
        "/files/memo.txt",
        5123,
        "json",
    )
    assert transfer.time.tzinfo is not None
