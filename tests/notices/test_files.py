"""Nothing left behind: PDFs are streamed or kept sealed until they expire; the daily job
purges them; a scan of the data, media, static and temporary folders finds nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from shoka.audit.models import AuditEvent
from shoka.cli import main
from shoka.notices import files
from shoka.notices.daily import run_notices
from shoka.notices.models import StoredFile
from shoka.notices.printing import print_batch
from shoka.security.crypto import DecryptionError, decrypt_bytes
from shoka.security.keyring import KeyRing

from .conftest import at_day


@pytest.fixture
def folders(settings, tmp_path, monkeypatch):
    """Fresh data, media, static and temporary folders for the test to look into."""
    made = {name: tmp_path / name for name in ("data", "media", "static", "tmp")}
    for path in made.values():
        path.mkdir()
    settings.MEDIA_ROOT, settings.STATIC_ROOT = str(made["media"]), str(made["static"])
    monkeypatch.setattr(tempfile, "tempdir", str(made["tmp"]))
    monkeypatch.setenv("TMPDIR", str(made["tmp"]))
    return made


def _postcards(world, borrowers):
    taro = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    loan = borrowers.lend(taro, "蟹工船")
    at = at_day(loan.due_on, 14)
    run_notices(world.library, at=at)
    data, _, _ = print_batch(world.library, "postcard", at=at, actor=world.staff)
    return taro, at, data


def test_a_kept_copy_is_sealed_and_unreadable_without_the_key(world, borrowers):
    _, at, data = _postcards(world, borrowers)
    stored = files.keep(world.library, "postcards", data, actor=world.staff, at=at, persons=1)
    sealed = bytes(StoredFile.objects.get(pk=stored.pk).sealed)
    assert b"%PDF" not in sealed and "佐藤".encode() not in sealed
    with pytest.raises(DecryptionError):
        decrypt_bytes(KeyRing.generate(), sealed, f"notices.storedfile:{stored.token}")
    assert stored.expires_at == at + dt.timedelta(hours=24)


def test_fetching_a_kept_copy_is_logged_and_refused_after_expiry(world, borrowers):
    _, at, data = _postcards(world, borrowers)
    stored = files.keep(world.library, "postcards", data, actor=world.staff, at=at, persons=1)
    _, back = files.fetch(stored.token, actor=world.staff, at=at + dt.timedelta(hours=1))
    assert back == data
    event = AuditEvent.objects.get(action="notices.file_downloaded")
    assert (event.actor, event.object_id) == (world.staff.code, str(stored.pk))
    with pytest.raises(files.FileGoneError, match="expired"):
        files.fetch(stored.token, actor=world.staff, at=at + dt.timedelta(hours=25))
    with pytest.raises(files.FileGoneError, match="no such file"):
        files.fetch("not-a-token", actor=world.staff, at=at)


def _scan(*paths: Path) -> int:
    result = CliRunner().invoke(
        main, ["audit", "scan", "--fail-on-findings", *(str(p) for p in paths)]
    )
    return result.exit_code


def test_after_the_daily_purge_a_scan_of_the_folders_finds_nothing(world, borrowers, folders):
    from django.conf import settings

    taro, at, data = _postcards(world, borrowers)
    kept = CliRunner().invoke(
        main, ["notices", "print", "postcard", "--keep", "--at", at.isoformat()]
    )
    assert "nothing" in kept.output or "no postcard waiting" in kept.output  # printed already
    stored = files.keep(world.library, "postcards", data, actor=world.staff, at=at, persons=1)
    # The scan is live for these folders: a call list dumped there is found …
    leftover = folders["tmp"] / "overdue.csv"
    leftover.write_text(f"氏名,電話番号,住所\n{taro.name},0263-12-3456,{taro.address}\n")
    assert _scan(*folders.values()) == 3
    leftover.unlink()
    # … and after the daily job past the expiry, the sealed copy is gone and nothing is found.
    report = run_notices(world.library, at=at + dt.timedelta(hours=25))
    assert report.files_purged == 1
    assert not StoredFile.objects.filter(pk=stored.pk).exists()
    assert AuditEvent.objects.filter(action="notices.file_purged").count() == 1
    database = Path(settings.DATABASES["default"].get("TEST", {}).get("NAME") or "")
    scanned = [*folders.values()] + ([database] if database.is_file() else [])
    assert _scan(*scanned) == 0
    assert all(not any(p.iterdir()) for p in folders.values())


@pytest.fixture
def own_key_file(settings, tmp_path):
    """A copy of the session's key file, so that rotating it leaves the session's alone."""
    import shutil

    from shoka.security.keyring import reset_keyring_cache

    session_key_file = settings.SHOKA_KEY_FILE
    path = tmp_path / "keys" / "rotation.keys"
    path.parent.mkdir()
    shutil.copy2(session_key_file, path)
    settings.SHOKA_KEY_FILE = str(path)
    reset_keyring_cache()
    yield path
    settings.SHOKA_KEY_FILE = session_key_file
    reset_keyring_cache()


def test_a_kept_copy_is_sealed_again_when_the_keys_rotate(own_key_file, world, borrowers):
    from shoka.patrons.rotation import rotate_keys
    from shoka.security.crypto import key_version

    _, at, data = _postcards(world, borrowers)
    stored = files.keep(world.library, "postcards", data, actor=world.staff, at=at, persons=1)
    before = key_version(bytes(StoredFile.objects.get(pk=stored.pk).sealed))
    rotate_keys(actor=world.staff)
    after = key_version(bytes(StoredFile.objects.get(pk=stored.pk).sealed))
    assert after == before + 1
    _, back = files.fetch(stored.token, actor=world.staff, at=at + dt.timedelta(hours=1))
    assert back == data
    assert AuditEvent.objects.get(action="keys.rotated").data["kept_files"] == 1


def test_a_copy_sealed_under_a_key_no_longer_known_is_gone_not_an_error(world, borrowers):
    _, at, data = _postcards(world, borrowers)
    stored = files.keep(world.library, "postcards", data, actor=world.staff, at=at, persons=1)
    sealed = bytearray(stored.sealed)
    sealed[1:3] = (999).to_bytes(2, "big")  # a key version the key file does not hold
    StoredFile.objects.filter(pk=stored.pk).update(sealed=bytes(sealed))
    with pytest.raises(files.FileGoneError, match="current keys"):
        files.fetch(stored.token, actor=world.staff, at=at + dt.timedelta(hours=1))
