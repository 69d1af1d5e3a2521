"""The two trust zones are separate by construction (DESIGN.md): the OPAC process has no
private app and no credentials for the staff database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PRIVATE_APPS = {
    "shoka.patrons",
    "shoka.circulation",
    "shoka.notices",
    "shoka.audit",
    "shoka.staff",
    "shoka.catalogue",
    "shoka.search",  # the staff index is built from the private database
    "shoka.publish",  # the staff outbox and the signing key's user
    "django.contrib.admin",
}


def _settings_of(module: str, env: dict[str, str]) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({'apps': settings.INSTALLED_APPS,"
        " 'dbs': {k: {kk: str(vv) for kk, vv in v.items() if kk != 'OPTIONS'}"
        "  for k, v in settings.DATABASES.items()},"
        " 'key_file': getattr(settings, 'SHOKA_KEY_FILE', None),"
        " 'signing_key_file': getattr(settings, 'SHOKA_PUBLISH_KEY_FILE', None),"
        " 'session': settings.SESSION_ENGINE}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": module},
    )
    return json.loads(out.stdout)


def test_opac_settings_install_no_private_app(tmp_path):
    opac = _settings_of("shoka.settings.opac", {"SHOKA_HOME": str(tmp_path)})
    assert not PRIVATE_APPS & set(opac["apps"])
    assert "shoka.publish.public" in opac["apps"]  # the public catalogue and the receiver


def test_opac_settings_hold_no_publishing_signing_key(tmp_path):
    """The OPAC verifies changesets with the staff PUBLIC key; the private one stays staff."""
    opac = _settings_of("shoka.settings.opac", {"SHOKA_HOME": str(tmp_path)})
    assert opac["signing_key_file"] is None
    staff = _settings_of("shoka.settings.staff", {"SHOKA_HOME": str(tmp_path)})
    assert staff["signing_key_file"].endswith("publish-ed25519.pem")


def test_opac_settings_hold_no_staff_database_credentials(tmp_path):
    staff_url = "postgres://staffuser:staff-secret@db.internal:5432/shoka_staff"
    env = {"SHOKA_HOME": str(tmp_path), "SHOKA_DATABASE_URL": staff_url}
    opac = _settings_of("shoka.settings.opac", env)
    flat = json.dumps(opac)
    assert "staff-secret" not in flat and "shoka_staff" not in flat
    assert list(opac["dbs"]) == ["default"]
    assert opac["dbs"]["default"]["NAME"].endswith("opac.sqlite3")
    assert opac["key_file"] is None  # no personal-data keys on the public side


def test_opac_keeps_no_server_side_sessions(tmp_path):
    opac = _settings_of("shoka.settings.opac", {"SHOKA_HOME": str(tmp_path)})
    assert opac["session"] == "django.contrib.sessions.backends.signed_cookies"


def test_staff_and_opac_use_separate_databases_even_on_one_machine(tmp_path):
    env = {"SHOKA_HOME": str(tmp_path)}
    staff = _settings_of("shoka.settings.staff", env)["dbs"]["default"]["NAME"]
    opac = _settings_of("shoka.settings.opac", env)["dbs"]["default"]["NAME"]
    assert staff != opac


def test_key_file_lives_outside_the_data_directory_by_default(tmp_path):
    staff = _settings_of("shoka.settings.staff", {"SHOKA_HOME": str(tmp_path)})
    data_dir = os.path.dirname(staff["dbs"]["default"]["NAME"])
    assert not os.path.realpath(staff["key_file"]).startswith(os.path.realpath(data_dir) + "/")


def test_the_public_models_never_join_the_staff_schema():
    """Importing the OPAC's models in a staff process (a shared module, a test) must not
    file them under the staff app that encloses their package."""
    code = (
        "import django; django.setup();"
        "import shoka.publish.public.models, shoka.publish.public.views;"
        "from django.apps import apps;"
        "print(sorted(m._meta.db_table for m in apps.get_models()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shoka.settings.staff"},
    )
    assert "publicrecord" not in out.stdout and "publish_changeset" in out.stdout
