"""Personal data is encrypted at rest: the database holds only ciphertext bound to its column,
the key file is kept apart from the data and private, and keys can be rotated without losing
anyone. All people here are synthetic."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from django.db import connection

from shoka.audit.models import AuditEvent
from shoka.audit.verify import verify_chain
from shoka.patrons.models import Patron, PatronSearchToken
from shoka.patrons.rotation import rotate_keys
from shoka.patrons.services import (
    PatronData,
    find_patron_by_card,
    find_patrons_by_email,
    find_patrons_by_phone,
    register_patron,
    search_patrons_by_name,
)
from shoka.security.crypto import DecryptionError, decrypt, encrypt, key_version
from shoka.security.keyring import (
    KeyFileError,
    KeyRing,
    check_key_location,
    get_keyring,
    load_key_file,
    reset_keyring_cache,
    write_key_file,
)

ENCRYPTED = (
    "card_number",
    "name",
    "name_kana",
    "birth_date",
    "postal_code",
    "address",
    "phone",
    "email",
    "guardian_name",
    "guardian_relation",
    "guardian_contact",
)

# What the desk typed and what is stored after normalisation: neither may appear in the table.
PLAINTEXT = {
    "card_number": ["24681357"],
    "name": ["試験 太郎", "試験"],
    "name_kana": ["シケン タロウ", "しけん たろう", "シケン"],
    "birth_date": ["2016-07-07", "20160707"],
    "postal_code": ["3900811", "390-0811"],
    "address": ["長野県松本市中央9丁目99-99 試験荘101", "試験荘"],
    "phone": ["+81263123456", "0263-12-3456", "263123456"],
    "email": ["taro.test@example.jp", "taro.test"],
    "guardian_name": ["試験 花子", "花子"],
    "guardian_relation": ["祖母"],
    "guardian_contact": ["090-0000-1234", "0000-1234"],
}


def child(**changes: object) -> PatronData:
    data = PatronData(
        card_number="24681357",
        category="child",
        home_branch="main",
        name="試験 太郎",
        name_kana="しけん たろう",
        birth_date=dt.date(2016, 7, 7),
        postal_code="390-0811",
        address="長野県松本市中央9丁目99-99 試験荘101",
        phone="0263-12-3456",
        email="taro.test@example.jp",
        notify_channel="email",
        guardian_name="試験 花子",
        guardian_relation="祖母",
        guardian_contact="090-0000-1234",
    )
    return dataclasses.replace(data, **changes)


def register(world, data: PatronData, at: dt.datetime) -> Patron:
    return register_patron(world.library, data, actor=world.staff, at=at)


def raw_columns(patron_pk: int) -> dict[str, bytes | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(ENCRYPTED)} FROM patrons_patron WHERE id = %s", [patron_pk]
        )
        row = cursor.fetchone()
    return {
        name: None if value is None else bytes(value)
        for name, value in zip(ENCRYPTED, row, strict=True)
    }


def raw_row_text(patron_pk: int) -> bytes:
    """Every column of the row as bytes, blind indexes included."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM patrons_patron WHERE id = %s", [patron_pk])
        row = cursor.fetchone()
    return b"|".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row
    )


def set_raw(patron_pk: int, column: str, value: bytes) -> None:
    assert column in ENCRYPTED
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE patrons_patron SET {column} = %s WHERE id = %s", [value, patron_pk])


# --- the table holds ciphertext ---------------------------------------------------------


def test_database_holds_no_personal_data_in_clear(world, at):
    patron = register(world, child(), at)

    raw = raw_columns(patron.pk)
    whole_row = raw_row_text(patron.pk)
    for column in ENCRYPTED:
        assert raw[column] is not None, column
        assert raw[column][:1] == b"\x01", column  # the shoka ciphertext format tag
        for text in PLAINTEXT[column]:
            assert text.encode() not in raw[column], (column, text)
            assert text.encode() not in whole_row, (column, text)


def test_search_tokens_hold_no_characters_of_the_name(world, at):
    patron = register(world, child(), at)

    tokens = list(PatronSearchToken.objects.filter(patron=patron).values_list("token", flat=True))
    assert tokens
    assert all(len(t) == 16 and set(t) <= set("0123456789abcdef") for t in tokens)


def test_the_same_value_encrypts_differently_each_time(world, at):
    first = register(world, child(), at)
    second = register(
        world, child(card_number="24681358", name="試験 次郎", name_kana="シケン ジロウ"), at
    )

    a, b = raw_columns(first.pk), raw_columns(second.pk)
    assert a["address"] != b["address"]  # random nonces: equal values are not recognisable
    assert a["guardian_name"] != b["guardian_name"]


def test_orm_returns_plaintext(world, at):
    patron = register(world, child(), at)

    stored = Patron.objects.get(pk=patron.pk)
    assert stored.card_number == "24681357"
    assert (stored.name, stored.name_kana) == ("試験 太郎", "シケン タロウ")
    assert stored.birth_date == dt.date(2016, 7, 7)
    assert (stored.postal_code, stored.address) == (
        "3900811",
        "長野県松本市中央9丁目99-99 試験荘101",
    )
    assert (stored.phone, stored.email) == ("+81263123456", "taro.test@example.jp")
    assert (stored.guardian_name, stored.guardian_relation, stored.guardian_contact) == (
        "試験 花子",
        "祖母",
        "090-0000-1234",
    )


def test_empty_optional_fields_are_stored_as_null(world, at):
    patron = register(
        world,
        child(
            category="adult",
            email=None,
            notify_channel="postcard",
            guardian_name=None,
            guardian_relation=None,
            guardian_contact=None,
            birth_date=None,
        ),
        at,
    )

    raw = raw_columns(patron.pk)
    assert [c for c in ENCRYPTED if raw[c] is None] == [
        "birth_date",
        "email",
        "guardian_name",
        "guardian_relation",
        "guardian_contact",
    ]
    assert Patron.objects.filter(email__isnull=True).get() == patron


@pytest.mark.parametrize(
    "lookup",
    [
        {"name": "試験 太郎"},
        {"name__icontains": "試験"},
        {"email__startswith": "taro"},
        {"phone__in": ["x"]},
        {"birth_date__year": 2016},
        {"card_number": "24681357"},
        {"address__isnull": False, "postal_code__gt": "3"},
    ],
)
def test_encrypted_columns_refuse_lookups_other_than_isnull(db, lookup):
    with pytest.raises(TypeError, match="is encrypted"):
        Patron.objects.filter(**lookup)


def test_encrypted_columns_refuse_exclude_too(db):
    with pytest.raises(TypeError, match="blind index"):
        Patron.objects.exclude(guardian_name="試験 花子")


# --- ciphertext is bound to its column and authenticated ---------------------------------


def test_ciphertext_copied_into_another_column_fails_to_decrypt(world, at):
    patron = register(world, child(), at)
    raw = raw_columns(patron.pk)

    set_raw(patron.pk, "address", raw["guardian_name"])  # both are plain text fields

    with pytest.raises(DecryptionError, match=r"patrons\.patron\.address"):
        Patron.objects.get(pk=patron.pk)


def test_associated_data_names_the_column():
    ring = KeyRing.generate()
    blob = encrypt(ring, "試験 太郎", "patrons.patron.name")

    assert decrypt(ring, blob, "patrons.patron.name") == "試験 太郎"
    with pytest.raises(DecryptionError):
        decrypt(ring, blob, "patrons.patron.guardian_name")


@pytest.mark.parametrize("position", [3, 10, 15, -1])  # nonce, body, tag
def test_a_tampered_byte_fails_authentication(world, at, position):
    patron = register(world, child(), at)
    blob = bytearray(raw_columns(patron.pk)["name"])
    blob[position] ^= 0x01

    set_raw(patron.pk, "name", bytes(blob))

    with pytest.raises(DecryptionError, match="failed authentication"):
        Patron.objects.get(pk=patron.pk)


def test_ciphertext_from_an_unknown_key_version_is_refused():
    ring = KeyRing.generate()
    blob = bytearray(encrypt(ring, "試験", "patrons.patron.name"))
    blob[1:3] = (7).to_bytes(2, "big")

    with pytest.raises(DecryptionError, match="version 7"):
        decrypt(ring, bytes(blob), "patrons.patron.name")


def test_ciphertext_under_another_key_fails():
    blob = encrypt(KeyRing.generate(), "試験", "patrons.patron.name")

    with pytest.raises(DecryptionError):
        decrypt(KeyRing.generate(), blob, "patrons.patron.name")


# --- the key file -----------------------------------------------------------------------


def test_key_file_is_written_with_mode_0600_whatever_the_umask(tmp_path):
    path = tmp_path / "keys" / "shoka.keys"
    old_umask = os.umask(0)
    try:
        write_key_file(path, KeyRing.generate())
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_key_file_round_trips(tmp_path):
    ring = KeyRing.generate()
    path = tmp_path / "shoka.keys"
    write_key_file(path, ring)

    assert load_key_file(path) == ring


def test_existing_key_file_is_not_overwritten(tmp_path):
    path = tmp_path / "shoka.keys"
    first = KeyRing.generate()
    write_key_file(path, first)

    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        write_key_file(path, KeyRing.generate())

    assert load_key_file(path) == first


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644, 0o620])
def test_key_file_readable_or_writable_by_others_is_refused(tmp_path, mode):
    path = tmp_path / "shoka.keys"
    write_key_file(path, KeyRing.generate())
    path.chmod(mode)

    with pytest.raises(KeyFileError, match="chmod 600"):
        load_key_file(path)


def test_missing_key_file_says_to_run_shoka_init(tmp_path):
    with pytest.raises(KeyFileError, match="shoka init"):
        load_key_file(tmp_path / "nowhere.keys")


@pytest.mark.parametrize("text", ["{}", "not json", '{"format": "shoka-keys/9"}'])
def test_malformed_key_file_is_refused(tmp_path, text):
    path = tmp_path / "shoka.keys"
    path.write_text(text)
    path.chmod(0o600)

    with pytest.raises(KeyFileError):
        load_key_file(path)


def test_key_file_inside_the_data_directory_is_refused(tmp_path):
    data_dir = tmp_path / "data"
    inside = data_dir / "keys" / "shoka.keys"

    with pytest.raises(KeyFileError, match="keep keys apart from the data"):
        check_key_location(inside, [data_dir])
    check_key_location(tmp_path / "keys" / "shoka.keys", [data_dir])  # apart: accepted


def test_key_file_reached_through_a_symlink_into_the_data_directory_is_refused(tmp_path):
    data_dir = tmp_path / "data"
    (data_dir / "keys").mkdir(parents=True)
    (tmp_path / "elsewhere").symlink_to(data_dir / "keys")

    with pytest.raises(KeyFileError):
        check_key_location(tmp_path / "elsewhere" / "shoka.keys", [data_dir])


def test_the_application_refuses_a_key_file_in_its_data_directory(settings, tmp_path):
    path = tmp_path / "data" / "shoka.keys"
    write_key_file(path, KeyRing.generate())
    settings.SHOKA_DATA_DIR = tmp_path / "data"
    settings.SHOKA_KEY_FILE = str(path)
    reset_keyring_cache()
    try:
        with pytest.raises(KeyFileError, match="inside"):
            get_keyring()
    finally:
        reset_keyring_cache()


# --- key rotation -----------------------------------------------------------------------


@pytest.fixture
def private_key_file(settings, tmp_path):
    """A key file of this test's own, so rotating it leaves the session's keys alone."""
    session_key_file = settings.SHOKA_KEY_FILE
    path = tmp_path / "keys" / "rotation.keys"
    write_key_file(path, KeyRing.generate())
    settings.SHOKA_KEY_FILE = str(path)
    reset_keyring_cache()
    yield path
    settings.SHOKA_KEY_FILE = session_key_file
    reset_keyring_cache()


def key_versions(patron_pk: int) -> set[int]:
    return {key_version(v) for v in raw_columns(patron_pk).values() if v is not None}


def test_rotation_re_encrypts_every_patron_and_keeps_them_findable(private_key_file, world, at):
    assert get_keyring().path == private_key_file
    old = load_key_file(private_key_file)
    taro = register(world, child(), at)
    hanako = register(
        world,
        child(
            card_number="13572468",
            category="adult",
            name="試験 花子",
            name_kana="シケン ハナコ",
            birth_date=dt.date(1985, 3, 3),
            phone="0263-98-7654",
            email="hanako.test@example.jp",
            guardian_name=None,
            guardian_relation=None,
            guardian_contact=None,
        ),
        at,
    )
    before = {
        p: (raw_columns(p), Patron.objects.get(pk=p).card_index) for p in (taro.pk, hanako.pk)
    }
    assert key_versions(taro.pk) == key_versions(hanako.pk) == {1}

    count = rotate_keys(actor=world.staff)

    assert count == 2
    for pk in (taro.pk, hanako.pk):
        assert key_versions(pk) == {2}
        raw = raw_columns(pk)
        assert all(raw[c] != before[pk][0][c] for c in ENCRYPTED if raw[c] is not None)
        assert Patron.objects.get(pk=pk).card_index != before[pk][1]
    stored = Patron.objects.get(pk=taro.pk)
    assert (stored.name, stored.guardian_contact) == ("試験 太郎", "090-0000-1234")
    assert find_patron_by_card(world.library, "24681357") == taro
    assert find_patron_by_card(world.library, "A13572468B") == hanako
    assert list(find_patrons_by_phone(world.library, "0263-98-7654")) == [hanako]
    assert list(find_patrons_by_email(world.library, "taro.test@EXAMPLE.jp")) == [taro]
    assert search_patrons_by_name(world.library, "しけん はなこ") == [hanako]
    assert [p.pk for p in search_patrons_by_name(world.library, "試験")] == [taro.pk, hanako.pk]
    event = AuditEvent.objects.get(action="keys.rotated")
    assert event.data == {"data_key": 2, "index_key": 2, "patrons": 2, "kept_files": 0}
    assert verify_chain("audit").ok  # the audit key is kept, so the chain still verifies

    new = load_key_file(private_key_file)
    assert (set(new.data_keys), set(new.index_keys)) == ({2}, {2})
    assert new.audit_key == old.audit_key
    text = private_key_file.read_text()
    for key in (old.data_keys[1], old.index_keys[1]):
        assert base64.b64encode(key).decode() not in text
    assert stat.S_IMODE(private_key_file.stat().st_mode) == 0o600


def test_a_second_rotation_moves_every_patron_on_again(private_key_file, world, at):
    patron = register(world, child(), at)

    rotate_keys(actor=world.staff)
    rotate_keys(actor=world.staff)

    assert key_versions(patron.pk) == {3}
    assert set(load_key_file(private_key_file).data_keys) == {3}
    assert find_patron_by_card(world.library, "24681357") == patron
    assert search_patrons_by_name(world.library, "試験 太郎") == [patron]


def test_a_patron_registered_after_rotation_uses_the_new_key(private_key_file, world, at):
    register(world, child(), at)
    rotate_keys(actor=world.staff)

    later = register(
        world, child(card_number="24681358", name="試験 次郎", name_kana="シケン ジロウ"), at
    )

    assert key_versions(later.pk) == {2}
    assert find_patron_by_card(world.library, "24681358") == later


def test_session_key_file_is_untouched_by_a_private_rotation(settings):
    # Guards the fixture above: the session's key file is still the one in use.
    assert Path(settings.SHOKA_KEY_FILE).name == "test.keys"
    assert get_keyring().path == Path(settings.SHOKA_KEY_FILE)


def test_rotation_refuses_to_run_inside_a_transaction_that_could_roll_back(
    private_key_file, world, at
):
    from django.db import transaction

    from shoka.patrons.rotation import rotate_keys

    before = private_key_file.read_bytes()
    with pytest.raises(RuntimeError), transaction.atomic():
        rotate_keys()
    assert private_key_file.read_bytes() == before  # refused before anything was written


def test_a_process_that_loaded_the_keys_before_a_rotation_still_reads_new_rows(
    private_key_file, world, at
):
    from shoka.patrons.models import Patron
    from shoka.patrons.rotation import rotate_keys
    from shoka.security.keyring import KeyRing

    patron = world.patron()
    stale = get_keyring()
    rotate_keys()
    # Another process still holds the old ring: simulate it by putting it back in the cache.
    import shoka.security.keyring as keyring_module

    keyring_module._cached = KeyRing(**{**stale.__dict__})
    assert Patron.objects.get(pk=patron.pk).name == "山田 花子"  # reloaded on the new version
    assert get_keyring().active_data_key != stale.active_data_key
