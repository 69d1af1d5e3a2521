"""The public site's settings in their own process: anonymous visitors leave no rows behind,
and every query has a statement timeout (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("opac_probe.py")


def _probe(what: str, env: dict[str, str]) -> dict:
    (Path(env["SHOKA_HOME"]) / "data").mkdir(exist_ok=True)
    out = subprocess.run(
        [sys.executable, str(PROBE), what],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shoka.settings.opac",
            "SHOKA_SECRET_KEY": "test-only-not-secret",
            "SHOKA_ALLOWED_HOSTS": "testserver",
            **env,
        },
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


postgresql_only = pytest.mark.skipif(
    os.environ.get("SHOKA_TEST_DB") != "postgresql",
    reason="PostgreSQL pass only (SHOKA_TEST_DB=postgresql)",
)


def _pg_url() -> str:
    return os.environ.get("SHOKA_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def test_a_burst_of_anonymous_visitors_creates_no_rows_and_no_session(tmp_path):
    result = _probe(
        "burst",
        {"SHOKA_HOME": str(tmp_path), "SHOKA_OPAC_PER_CLIENT": "5/minute"},
    )
    assert result["statuses"] == {"200": 150, "429": 150}  # 30 networks × 5 admitted
    assert "django_session" in result["before"]
    assert result["after"] == result["before"]
    assert result["cookies"] == []  # no session cookie either


def test_sqlite_statement_timeout_stops_a_runaway_query(tmp_path):
    result = _probe(
        "slow_query", {"SHOKA_HOME": str(tmp_path), "SHOKA_OPAC_STATEMENT_TIMEOUT_MS": "300"}
    )
    assert result["vendor"] == "sqlite"
    assert result["error"] and "interrupted" in result["error"]
    assert 0.25 <= result["seconds"] < 2.0
    assert result["after"] == 1


@postgresql_only
def test_postgresql_statement_timeout_cancels_pg_sleep(tmp_path):
    url = _pg_url()
    result = _probe(
        "slow_query",
        {
            "SHOKA_HOME": str(tmp_path),
            "SHOKA_OPAC_DATABASE_URL": url,
            "SHOKA_OPAC_STATEMENT_TIMEOUT_MS": "300",
        },
    )
    assert result["vendor"] == "postgresql"
    assert result["error"] and "statement timeout" in result["error"]
    assert 0.25 <= result["seconds"] < 2.0
    assert result["after"] == 1


@postgresql_only
def test_postgresql_connections_come_from_a_pool_and_a_full_pool_answers_503(tmp_path):
    url = _pg_url()
    result = _probe(
        "pool",
        {"SHOKA_HOME": str(tmp_path), "SHOKA_OPAC_DATABASE_URL": url, "SHOKA_OPAC_DB_POOL": "1"},
    )
    assert result["pool"]["max_size"] == 1
    assert len(set(result["pids"])) == 1  # given back and handed out again: one backend
    assert result["busy"] == 503 and result["retry_after"]
    assert 1.9 <= result["waited"] < 10
    assert result["after"] == 200


def test_the_pool_follows_the_admission_cap_and_can_be_turned_off():
    """Settings only (no server): the pool is as large as the concurrency cap, and 0 means
    a new connection per request."""
    code = (
        "from django.conf import settings; import json; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}).get('pool')))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shoka.settings.opac",
        "SHOKA_SECRET_KEY": "test-only-not-secret",
        "SHOKA_OPAC_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    env.pop("SHOKA_OPAC_DB_POOL", None)

    def pool(**extra: str) -> dict | None:
        out = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + code],
            env={**env, **extra},
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert pool(SHOKA_OPAC_MAX_CONCURRENT="6")["max_size"] == 6
    assert pool(SHOKA_OPAC_DB_POOL="3")["max_size"] == 3
    assert pool(SHOKA_OPAC_DB_POOL="0") is None


def test_a_bad_setting_stops_the_public_site_at_start_with_its_name(tmp_path):
    (tmp_path / "opac-admission.toml").write_text(
        '[limits]\nmax_concurrent = "several"\n', encoding="utf-8"
    )
    with pytest.raises(subprocess.CalledProcessError) as failed:
        _probe("slow_query", {"SHOKA_HOME": str(tmp_path)})
    assert "max_concurrent must be a number" in failed.value.stderr
