"""The staff site (private zone): patrons, circulation, audit, cataloguing."""

from __future__ import annotations

import datetime as dt

import dj_database_url

from .base import *  # noqa: F403
from .base import (
    INSTALLED_APPS,
    MIDDLEWARE,
    SHOKA_DATA_DIR,
    SHOKA_HOME,
    SHOKA_KEY_DIR,
    env,
    env_bool,
    env_int,
    postgresql_options,
    read_secret_file,
    sqlite_database,
)

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.admin",
    "shoka.organisation",
    "shoka.catalogue",
    "shoka.search",
    "shoka.publish",
    "shoka.patrons",
    "shoka.circulation",
    "shoka.notices",
    "shoka.audit",
    "shoka.selfservice",
    "shoka.staff",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
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

# --- Sign-in (docs/staff.md, "Sign-in and roles") ---------------------------------------
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "staff:login"

# Passwords: Argon2id first (PASSWORD_HASHERS in base.py); staff passwords of 12 or more
# characters that are not common, not all digits and not like the user name.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Every password check goes through django-axes first: it refuses a locked-out user name
# and IP address before the password is even looked at.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE = [
    *MIDDLEWARE,
    "django_otp.middleware.OTPMiddleware",
    "shoka.staff.signin.middleware.SessionExpiryMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Lockout: 5 failed sign-ins for one user name from one IP address lock that pair for
# 30 minutes from the fifth failure (tries during the lockout do not prolong it, so the
# page can say when it ends); a successful sign-in before that clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shoka.staff.signin.lockout.lockout_response"
AXES_VERBOSE = False

# Two-step verification (TOTP, django-otp). Optional per user unless required for all.
SHOKA_STAFF_REQUIRE_OTP = env_bool("SHOKA_STAFF_REQUIRE_OTP", False)
OTP_TOTP_ISSUER = env("SHOKA_OTP_ISSUER", "shoka")

# Sessions: a working day at most from sign-in, 30 minutes without a request, and gone when
# the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SHOKA_STAFF_IDLE_MINUTES = int(env("SHOKA_STAFF_IDLE_MINUTES", "30"))

# --- Notices (docs/notices.md) ------------------------------------------------------------
# Email goes through the library's SMTP server: STARTTLS (SHOKA_EMAIL_USE_TLS) or implicit
# TLS (SHOKA_EMAIL_USE_SSL), with authentication when a user is set.
EMAIL_HOST = env("SHOKA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("SHOKA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("SHOKA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("SHOKA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SHOKA_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("SHOKA_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env("SHOKA_EMAIL_FROM", "library@localhost")
# Each email is tried this many times, waiting 5 s, 10 s … between tries, then reported.
SHOKA_NOTICE_EMAIL_TRIES = int(env("SHOKA_NOTICE_EMAIL_TRIES", "3"))
SHOKA_NOTICE_EMAIL_RETRY_SECONDS = float(env("SHOKA_NOTICE_EMAIL_RETRY_SECONDS", "5"))
# Sealed copies of generated letters and lists are deleted this many hours after creation.
SHOKA_NOTICE_FILE_HOURS = float(env("SHOKA_NOTICE_FILE_HOURS", "24"))
SHOKA_NOTICE_LINES_DAYS = env_int("SHOKA_NOTICE_LINES_DAYS", 30)

# --- Publishing to the OPAC (docs/publishing.md) ------------------------------------------
# The Ed25519 signing key (private; `shoka publish key` creates it, mode 0600), the OPAC's
# receiver URL (e.g. https://opac.example.jp/publish/) and the name of that target.
SHOKA_PUBLISH_KEY_FILE = env("SHOKA_PUBLISH_KEY_FILE", str(SHOKA_KEY_DIR / "publish-ed25519.pem"))
SHOKA_PUBLISH_URL = env("SHOKA_PUBLISH_URL", "")
SHOKA_PUBLISH_TARGET = env("SHOKA_PUBLISH_TARGET", "opac")

# --- The patron API for the OPAC's self-service pages (docs/opac-self-service.md) ----------
# The OPAC's service PUBLIC key (base64 Ed25519, printed by `shoka opac init`): every request
# to /patron-api/v1/ must be signed with its private half. Answers are signed with the
# publishing key above. Without this key the patron API answers 503 to everything.
SHOKA_PATRON_API_OPAC_KEY = env("SHOKA_PATRON_API_OPAC_KEY") or (
    read_secret_file(SHOKA_KEY_DIR / "opac-service.pub") or ""
)
# Sessions end after this many idle minutes, and this many hours after sign-in at the latest.
SHOKA_PATRON_SESSION_MINUTES = env_int("SHOKA_PATRON_SESSION_MINUTES", 30)
SHOKA_PATRON_SESSION_MAX_HOURS = env_int("SHOKA_PATRON_SESSION_MAX_HOURS", 4)
# Wrong PINs: `failures` within `window_minutes` lock the card for `lock_minutes`.
SHOKA_PIN_LOCKOUT = {
    "failures": env_int("SHOKA_PIN_LOCKOUT_FAILURES", 5),
    "window_minutes": env_int("SHOKA_PIN_LOCKOUT_WINDOW_MINUTES", 15),
    "lock_minutes": env_int("SHOKA_PIN_LOCKOUT_MINUTES", 30),
}
# Rate limits of the patron API (`limits` notation); counted in memory or in Redis.
SHOKA_PATRON_API_RATE_STORAGE = env("SHOKA_PATRON_API_RATE_STORAGE", "memory://")
SHOKA_PATRON_API_LIMITS = {
    "sign_in_per_card": env("SHOKA_PATRON_API_SIGN_IN_PER_CARD", "10/minute"),
    "sign_in": env("SHOKA_PATRON_API_SIGN_IN", "600/minute"),
    "per_session": env("SHOKA_PATRON_API_PER_SESSION", "120/minute"),
    "all": env("SHOKA_PATRON_API_ALL", "6000/minute"),
}
