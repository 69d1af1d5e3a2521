"""Test settings: the staff role on SQLite or PostgreSQL (SHOKA_TEST_DB), fast hashes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

from .staff import *  # noqa: F403
from .staff import postgresql_options, sqlite_database

_tmp = Path(os.environ.get("SHOKA_TEST_TMP") or tempfile.mkdtemp(prefix="shoka-test-"))
os.environ.setdefault("SHOKA_TEST_TMP", str(_tmp))

SECRET_KEY = "test-only-not-secret"  # noqa: S105
SHOKA_KEY_FILE = str(_tmp / "keys" / "test.keys")
SHOKA_SEARCH_INDEX_DIR = str(_tmp / "index")
SHOKA_REPORT_DIR = str(_tmp / "reports")
SHOKA_PUBLISH_KEY_FILE = str(_tmp / "keys" / "publish-ed25519.pem")
DEBUG = False

TEST_DB = os.environ.get("SHOKA_TEST_DB", "sqlite")
if TEST_DB == "postgresql":
    _pg = dj_database_url.parse(
        os.environ.get("SHOKA_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    _pg_db = postgresql_options(dict(_pg))
    _pg_db["TEST"] = {"NAME": f"test_shoka_{os.getpid()}"}
    _pg_db["CONN_MAX_AGE"] = 0  # tests open and close connections in threads of their own
    DATABASES = {"default": _pg_db}
else:
    # A file, not :memory:, so that parallel connections in the concurrency tests see
    # SQLite's real locking (shared-cache memory databases behave differently).
    _db = sqlite_database(_tmp / "staff.sqlite3")
    _db["TEST"] = {"NAME": str(_tmp / "test-staff.sqlite3")}
    DATABASES = {"default": _db}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SHOKA_PIN_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

# Transactional tests on SQLite empty tables with DELETE, which the append-only triggers
# refuse; PostgreSQL empties them with TRUNCATE, so the triggers stay on there.
# tests/audit/test_append_only.py installs them on SQLite itself.
SHOKA_AUDIT_TRIGGERS = TEST_DB == "postgresql"

# Notices: no waiting between email retries in tests.
SHOKA_NOTICE_EMAIL_RETRY_SECONDS = 0.0
