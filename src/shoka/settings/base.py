"""Settings shared by both zones. Nothing here names a private app or a private database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .env import env, env_bool, env_int, read_secret_file, shoka_home

SHOKA_HOME = shoka_home()
SHOKA_DATA_DIR = Path(env("SHOKA_DATA_DIR", str(SHOKA_HOME / "data"))).resolve()
SHOKA_KEY_DIR = Path(env("SHOKA_KEY_DIR", str(SHOKA_HOME / "keys"))).resolve()

DEBUG = env_bool("SHOKA_DEBUG", False)
ALLOWED_HOSTS = [h for h in env("SHOKA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

# Django's own signing secret (sessions, CSRF). Created by `shoka init`; never committed.
SECRET_KEY = env("SHOKA_SECRET_KEY") or read_secret_file(SHOKA_KEY_DIR / "django-secret") or ""

INSTALLED_APPS: list[str] = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the desk's JavaScript and CSS, vendored htmx) served by the application
    # itself, without a separate web server or DEBUG: WhiteNoise, from the apps' static folders.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "shoka.wsgi.application"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
TIME_ZONE = env("SHOKA_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = True  # no collectstatic step needed: files come from each app
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("SHOKA_LOG_LEVEL", "INFO")},
}


def postgresql_options(database: dict[str, Any]) -> dict[str, Any]:
    """Server-side parameter binding with prepared statements: every circulation action
    repeats the same dozen statements, and preparing them saves ~3 ms per checkout
    (bench/results). Turn off with SHOKA_DB_PREPARED_STATEMENTS=0 behind PgBouncer in
    transaction-pooling mode, which cannot keep prepared statements.

    Connections are kept for a minute between requests (checked before reuse): opening one
    costs ~7 ms and loses the prepared statements (bench/results/desk-postgresql.md)."""
    database["CONN_MAX_AGE"] = env_int("SHOKA_DB_CONN_MAX_AGE", 60)
    database["CONN_HEALTH_CHECKS"] = True
    if env_bool("SHOKA_DB_PREPARED_STATEMENTS", True):
        database.setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 2}
        )
    return database


def sqlite_database(path: Path) -> dict[str, object]:
    """SQLite tuned for a small library: WAL, a busy timeout, and BEGIN IMMEDIATE for every
    atomic block so that writers queue instead of failing half-way (STYLE.md §6)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }
