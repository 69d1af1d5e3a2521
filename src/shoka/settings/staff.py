"""The staff site (private zone): patrons, circulation, audit, cataloguing."""

from __future__ import annotations

import dj_database_url

from .base import *  # noqa: F403
from .base import (
    INSTALLED_APPS,
    SHOKA_DATA_DIR,
    SHOKA_HOME,
    SHOKA_KEY_DIR,
    env,
    postgresql_options,
    sqlite_database,
)

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.admin",
    "shoka.organisation",
    "shoka.catalogue",
    "shoka.search",
    "shoka.patrons",
    "shoka.circulation",
    "shoka.audit",
    "shoka.staff",
]

ROOT_URLCONF = "shoka.staff.root_urls"
SHOKA_SITE = "staff"


def _staff_database() -> dict[str, object]:
    url = env("SHOKA_DATABASE_URL")
    if not url:
        return sqlite_database(SHOKA_DATA_DIR / "staff.sqlite3")
    database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if str(database["ENGINE"]).endswith("postgresql"):
        return postgresql_options(dict(database))
    return dict(database)


DATABASES = {"default": _staff_database()}

# Key material for personal data (AES-GCM data keys, blind-index and audit-chain keys).
# Outside the data directory by default; `shoka init` creates it with mode 0600.
SHOKA_KEY_FILE = env("SHOKA_KEY_FILE", str(SHOKA_KEY_DIR / "shoka.keys"))

# Argon2id cost for patron PINs (argon2-cffi defaults: RFC 9106 low-memory profile).
# The search index (tantivy) of the staff catalogue: derived from the database, rebuildable.
SHOKA_SEARCH_INDEX_DIR = env("SHOKA_SEARCH_INDEX_DIR", str(SHOKA_DATA_DIR / "index" / "staff"))
# Import reports (`shoka import`): catalogue data only, never personal data.
SHOKA_REPORT_DIR = env("SHOKA_REPORT_DIR", str(SHOKA_HOME / "reports"))

SHOKA_PIN_HASH = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "staff:login"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
