"""The public site (OPAC zone). It holds catalogue and availability data only.

Load-bearing (DESIGN.md): no private app is installed here and no credentials for the staff
database exist in this process — patron tables are not in its schema at all.
"""

from __future__ import annotations

import dj_database_url

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, SHOKA_DATA_DIR, env, sqlite_database

INSTALLED_APPS = [*INSTALLED_APPS, "shoka.opac"]

ROOT_URLCONF = "shoka.opac.urls"
SHOKA_SITE = "opac"

_db_url = env("SHOKA_OPAC_DATABASE_URL")
DATABASES = {
    "default": (
        dj_database_url.parse(_db_url, conn_max_age=0)
        if _db_url
        else sqlite_database(SHOKA_DATA_DIR / "opac.sqlite3")
    )
}
# Anonymous visitors get no server-side session rows.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
