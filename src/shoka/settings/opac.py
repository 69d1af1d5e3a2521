"""The public site (OPAC zone). It holds catalogue and availability data only.

Load-bearing (DESIGN.md): no private app is installed here and no credentials for the staff
database exist in this process — patron tables are not in its schema at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from shoka.admission import config as admission_config

from .base import *  # noqa: F403
from .base import (
    INSTALLED_APPS,
    MIDDLEWARE,
    SHOKA_DATA_DIR,
    SHOKA_HOME,
    SHOKA_KEY_DIR,
    env,
    env_int,
    read_secret_file,
    sqlite_database,
)

# shoka.publish.public: the public catalogue and the changeset receiver (docs/publishing.md).
INSTALLED_APPS = [*INSTALLED_APPS, "shoka.publish.public", "shoka.opac", "shoka.admission"]

ROOT_URLCONF = "shoka.opac.urls"
SHOKA_SITE = "opac"

# Every query of the public site is cut off after this long (docs/opac-admission.md):
# PostgreSQL enforces it on the server, SQLite through a progress handler (shoka.admission).
SHOKA_OPAC_STATEMENT_TIMEOUT_MS = env_int("SHOKA_OPAC_STATEMENT_TIMEOUT_MS", 2000)

_db_url = env("SHOKA_OPAC_DATABASE_URL")
_database: dict[str, Any] = dict(
    dj_database_url.parse(_db_url, conn_max_age=0)
    if _db_url
    else sqlite_database(SHOKA_DATA_DIR / "opac.sqlite3")
)
# Admission control (docs/opac-admission.md): rate limits per client, a concurrency cap per
# process, the aggregators' allowlist. Defaults, then the library's file, then SHOKA_OPAC_*.
SHOKA_OPAC_ADMISSION_FILE = Path(
    env("SHOKA_OPAC_ADMISSION_FILE", str(SHOKA_HOME / "opac-admission.toml"))
)
SHOKA_ADMISSION = admission_config.load(os.environ, SHOKA_OPAC_ADMISSION_FILE)

# PostgreSQL: a small pool of connections per process (Django's psycopg pool). A request
# takes one when it first queries and gives it back when its answer is sent, so no page
# holds a connection beyond its own queries (the 2010 incident's pages held one for ten
# minutes), and no page pays for a new backend (~5 ms, more than a search page's queries).
# Only requests past the admission cap query, so the cap is the pool's size. 0: a new
# connection for every request. docs/opac-admission.md, "Database connections".
SHOKA_OPAC_DB_POOL = env_int(
    "SHOKA_OPAC_DB_POOL",
    SHOKA_ADMISSION.max_concurrent or int(os.environ.get("SHOKA_OPAC_THREADS", "") or 8),
)
if str(_database["ENGINE"]).endswith("postgresql"):
    _options = _database.setdefault("OPTIONS", {})
    if SHOKA_OPAC_STATEMENT_TIMEOUT_MS:
        _options["options"] = f"-c statement_timeout={SHOKA_OPAC_STATEMENT_TIMEOUT_MS}"
    if SHOKA_OPAC_DB_POOL > 0:
        # A request that finds every connection taken waits up to 2 s, then is answered
        # 503 with Retry-After (shoka.admission.dbtimeout.is_database_busy).
        _options["pool"] = {
            "min_size": 1,
            "max_size": SHOKA_OPAC_DB_POOL,
            "timeout": 2.0,
            "max_idle": 300.0,
        }
DATABASES = {"default": _database}
_whitenoise = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware")
MIDDLEWARE = [
    *MIDDLEWARE[: _whitenoise + 1],
    "shoka.admission.middleware.AdmissionMiddleware",
    *MIDDLEWARE[_whitenoise + 1 :],
]
# Anonymous visitors get no server-side session rows.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

# The staff side's Ed25519 PUBLIC key (base64), which every changeset must be signed with.
# `shoka opac init --staff-key KEY` stores it in the key directory; the environment wins.
SHOKA_PUBLISH_STAFF_KEY = env("SHOKA_PUBLISH_STAFF_KEY") or (
    read_secret_file(SHOKA_KEY_DIR / "publish-staff.pub") or ""
)

# The OPAC's own search index (tantivy), written by the receiver from the same changesets
# as its database; never the staff index.
SHOKA_SEARCH_INDEX_DIR = env("SHOKA_OPAC_SEARCH_INDEX_DIR", str(SHOKA_DATA_DIR / "index" / "opac"))

# --- Patron self-service (docs/opac-self-service.md) --------------------------------------
# The staff side's patron API (e.g. https://staff.library.example/patron-api/v1/), from
# SHOKA_OPAC_STAFF_API_URL or the file `shoka opac init --staff-api URL` writes.
SHOKA_OPAC_STAFF_API_URL = env("SHOKA_OPAC_STAFF_API_URL") or (
    read_secret_file(SHOKA_KEY_DIR / "staff-api-url") or ""
)
# The OPAC's own Ed25519 service key (private, mode 0600; `shoka opac init` creates it):
# every request to the patron API is signed with it. The staff side's answers are checked
# with SHOKA_PUBLISH_STAFF_KEY above.
SHOKA_OPAC_SERVICE_KEY_FILE = env(
    "SHOKA_OPAC_SERVICE_KEY_FILE", str(SHOKA_KEY_DIR / "opac-service-ed25519.pem")
)
SHOKA_OPAC_STAFF_API_TIMEOUT = env_int("SHOKA_OPAC_STAFF_API_TIMEOUT", 10)
# The library's name in the header of every public page (docs/opac.md), in Japanese and in
# English (the English pages fall back to the Japanese name).
SHOKA_OPAC_LIBRARY_NAME = env("SHOKA_OPAC_LIBRARY_NAME", "書架 shoka")
SHOKA_OPAC_LIBRARY_NAME_EN = env("SHOKA_OPAC_LIBRARY_NAME_EN", "")
