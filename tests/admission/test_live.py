"""Admission control in real server processes: gunicorn with threaded workers, as
`shoka serve --site opac` runs it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from shoka.cli import _gunicorn

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, dict[str, str], float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status, dict(response.headers), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, dict(exc.headers), time.monotonic() - started


def _wait_for(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}")
        try:
            # A long timeout: the master listens before its worker has loaded the site, and a
            # request abandoned meanwhile would still be answered (and counted) later.
            _get(url, timeout=20)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    (tmp_path / "data").mkdir(exist_ok=True)
    return {
        **os.environ,
        "SHOKA_HOME": str(tmp_path),
        "SHOKA_SECRET_KEY": "test-only-not-secret",
        **extra,
    }


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def test_requests_beyond_the_cap_are_shed_at_once_with_503(tmp_path):
    port = _free_port()
    env = _env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="slow_settings",
        PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        SHOKA_OPAC_MAX_CONCURRENT="2",
        SHOKA_OPAC_BUSY_RETRY_AFTER="5",
        SHOKA_OPAC_PER_CLIENT="1000/second",
        SHOKA_OPAC_PER_CLIENT_CONCURRENT="0",  # all ten come from one address
    )
    proc = subprocess.Popen(_gunicorn("127.0.0.1", port, 1, 8), env=env)
    try:
        _wait_for(f"http://127.0.0.1:{port}/robots.txt", proc)
        results: list[tuple[int, dict[str, str], float]] = []
        lock = threading.Lock()

        def one() -> None:
            result = _get(f"http://127.0.0.1:{port}/slow")
            with lock:
                results.append(result)

        threads = [threading.Thread(target=one) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        _stop(proc)
    ok = [r for r in results if r[0] == 200]
    shed = [r for r in results if r[0] == 503]
    assert len(results) == 10 and len(ok) + len(shed) == 10
    assert 1 <= len(ok) <= 2  # never more than the cap at once
    assert len(shed) >= 8
    assert all(headers["Retry-After"] == "5" for _, headers, _ in shed)
    assert max(seconds for _, _, seconds in shed) < 1.0  # refused at once, not after waiting


def test_shoka_serve_opac_answers_429_with_retry_after(tmp_path):
    port = _free_port()
    env = _env(tmp_path, SHOKA_OPAC_PER_CLIENT="5/minute")
    shoka = str(Path(sys.executable).with_name("shoka"))
    proc = subprocess.Popen(
        [shoka, "serve", "--site", "opac", "--port", str(port), "--workers", "1"], env=env
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/robots.txt", proc)  # the first of the five
        codes = [_get(f"http://127.0.0.1:{port}/robots.txt") for _ in range(6)]
    finally:
        _stop(proc)
    assert [c[0] for c in codes] == [200] * 4 + [429] * 2
    retry = int(codes[-1][1]["Retry-After"])
    assert 1 <= retry <= 60


def _ask(conn: http.client.HTTPConnection, path: str) -> tuple[int, dict[str, str], float]:
    started = time.monotonic()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status, dict(response.headers), time.monotonic() - started


def test_a_refused_connection_is_not_read_again_until_its_retry_after(tmp_path):
    """The worker answers the 429 at once and then leaves that keep-alive connection unread
    for the Retry-After (1-1.5 s): a client that ignores it gets about one refusal a second per
    connection, while another network's requests are answered at once meanwhile."""
    port = _free_port()
    env = _env(
        tmp_path, DJANGO_SETTINGS_MODULE="shoka.settings.opac", SHOKA_OPAC_PER_CLIENT="3/second"
    )
    proc = subprocess.Popen(_gunicorn("127.0.0.1", port, 1, 4), env=env)
    try:
        _wait_for(f"http://127.0.0.1:{port}/robots.txt", proc)
        time.sleep(1.1)  # the probe's hit leaves the second window
        flood = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=10, source_address=("127.0.0.1", 0)
        )
        other = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=10, source_address=("127.0.3.1", 0)
        )
        first = [_ask(flood, "/robots.txt") for _ in range(4)]
        # The next request on the refused connection waits for the hold …
        sender = threading.Thread(target=lambda: first.append(_ask(flood, "/robots.txt")))
        sender.start()
        time.sleep(0.3)
        # … while a client of another network is answered at once.
        meanwhile = _ask(other, "/robots.txt")
        sender.join(10)
        flood.close()
        other.close()
    finally:
        _stop(proc)
    assert [status for status, _, _ in first[:4]] == [200, 200, 200, 429]
    refused = first[3]
    assert refused[1]["Retry-After"] == "1" and refused[2] < 0.5  # the refusal itself: at once
    held = first[4]
    assert held[0] in (200, 429) and held[2] >= 0.9  # read only after the hold
    assert meanwhile[0] == 200 and meanwhile[2] < 0.5
