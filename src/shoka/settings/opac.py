"""The public site (OPAC zone). It holds catalogue and availability data only.

Load-bearing (DESIGN.md): no private app is installed here and no credentials for the staff
database exist in this process — patron tables are not in its schema at all.
"""

from __future__ import annotations

import dj_database_url

from .base import *  # noqa: F403
from .base import (
    INSTALLED_APPS,
    SHOKA_DATA_DIR,
    SHOKA_KEY_DIR,
    env,
    read_secret_file,
    sqlite_database,
)

# shoka.publish.public: the public catalogue and the changeset receiver (docs/publishing.md).
INSTALLED_APPS = [*INSTALLED_APPS, "shoka.publish.public", "shoka.opac"]

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

# The staff side's Ed25519 PUBLIC key (base64), which every changeset must be signed with.
# `shoka opac init --staff-key KEY` stores it in the key directory; the environment wins.
SHOKA_PUBLISH_STAFF_KEY = env("SHOKA_PUBLISH_STAFF_KEY") or (
    read_secret_file(SHOKA_KEY_DIR / "publish-staff.pub") or ""
)

# The OPAC's own search index (tantivy), written by the receiver from the same changesets
# as its database; never the staff index.
SHOKA_SEARCH_INDEX_DIR = env("SHOKA_OPAC_SEARCH_INDEX_DIR", str(SHOKA_DATA_DIR / "index" / "opac"))
