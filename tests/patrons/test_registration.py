"""Registering and keeping patrons: validation, children's guardians, card check digits, the
duplicate warning, PINs, renewal, updates and blocks — each action audited without naming
anyone. Every person here is synthetic (試験 = "test"; example.jp is a reserved domain)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from shoka.audit.models import AccessEvent, AuditEvent
from shoka.patrons.checkdigits import with_check_digit
from shoka.patrons.models import Patron, PatronStatus
from shoka.patrons.services import (
    PatronData,
    PatronError,
    PossibleDuplicate,
    block_patron,
    check_pin,
    data_of,
    find_patron_by_card,
    register_patron,
    renew_registration,
    set_pin,
    unblock_patron,
    update_patron,
    view_patron,
)

CARD = "91357913"


def hanako(**changes: object) -> PatronData:
    """A valid adult registration: 山田 花子 of a made-up address in 松本市."""
    data = PatronData(
        card_number=CARD,
        category="adult",
        home_branch="main",
        name="山田 花子",
        name_kana="ヤマダ ハナコ",
        birth_date=dt.date(1980, 4, 1),
        postal_code="390-0811",
        address="長野県松本市中央9丁目99-99 試験荘101",
        phone="0263-12-3456",
        email="hanako.test@example.jp",
        notify_channel="email",
    )
    return dataclasses.replace(data, **changes)


def register(world, data: PatronData, at: dt.datetime, **kwargs: object) -> Patron:
    return register_patron(world.library, data, actor=world.staff, at=at, **kwargs)


def refused(world, data: PatronData, at: dt.datetime) -> dict[str, str]:
    with pytest.raises(PatronError) as caught:
        register(world, data, at)
    return caught.value.errors


def events_of(patron: Patron) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="patrons.patron", object_id=str(patron.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def last_event(patron: Patron) -> AuditEvent:
    return AuditEvent.objects.filter(object_type="patrons.patron", object_id=str(patron.pk)).latest(
        "seq"
    )


# --- registering ------------------------------------------------------------------------


def test_adult_is_registered_with_normalised_contact_data(world, at):
    patron = register(world, hanako(), at)

    stored = Patron.objects.get(pk=patron.pk)
    assert stored.name == "山田 花子"
    assert stored.name_kana == "ヤマダ ハナコ"
    assert stored.birth_date == dt.date(1980, 4, 1)
    assert stored.postal_code == "3900811"
    assert stored.phone == "+81263123456"
    assert stored.email == "hanako.test@example.jp"
    assert stored.card_number == CARD
    assert stored.status == PatronStatus.ACTIVE
    assert (stored.category.code, stored.home_branch.code) == ("adult", "main")
    assert stored.registered_on == dt.date(2026, 6, 2)
    assert stored.expires_on == dt.date(2029, 6, 2)  # Library.registration_years = 3
    assert events_of(patron) == ["patron.registered"]


def test_reading_given_in_hiragana_or_half_width_is_stored_in_katakana(world, at):
    first = register(world, hanako(name_kana="やまだ　はなこ"), at)
    second = register(
        world, hanako(card_number="91357914", name="山田 葉子", name_kana="ﾔﾏﾀﾞ ﾖｳｺ"), at
    )

    assert Patron.objects.get(pk=first.pk).name_kana == "ヤマダ ハナコ"
    assert Patron.objects.get(pk=second.pk).name_kana == "ヤマダ ヨウコ"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", "required"),
        ({"name_kana": ""}, "name_kana", "required"),
        ({"name_kana": "Yamada Hanako"}, "name_kana", "kana"),
        ({"name_kana": "山田 花子"}, "name_kana", "kana"),
        ({"postal_code": "000-0000"}, "postal_code", "not a Japanese postal code"),
        ({"postal_code": "39-0811"}, "postal_code", "7"),
        ({"postal_code": "390-08AB"}, "postal_code", "only digits"),
        ({"phone": "12345"}, "phone", "not a valid phone number"),
        ({"email": "hanako.test@"}, "email", "not a valid e-mail address"),
        ({"email": "hanako.test.example.jp"}, "email", "@"),
        ({"birth_date": dt.date(2026, 6, 3)}, "birth_date", "future"),
        ({"pin": "123"}, "pin", "4 to 8 digits"),
        ({"pin": "123456789"}, "pin", "4 to 8 digits"),
        ({"pin": "12a4"}, "pin", "4 to 8 digits"),
        ({"email": None, "notify_channel": "email"}, "notify_channel", "email address"),
        ({"phone": None, "notify_channel": "phone"}, "notify_channel", "phone number"),
        ({"address": None, "notify_channel": "postcard"}, "notify_channel", "address"),
        ({"category": "senior"}, "category", "unknown patron category"),
        ({"home_branch": "west"}, "home_branch", "unknown branch"),
        ({"card_number": "9135A7913"}, "card_number", "non-digit"),
        ({"language": "fr"}, "language", "Japanese (ja) or English (en)"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_field_is_refused_with_its_own_message(world, at, change, field, message):
    errors = refused(world, hanako(**change), at)

    assert list(errors) == [field]
    assert message in errors[field]
    assert not Patron.objects.exists()
    assert not AuditEvent.objects.filter(action="patron.registered").exists()


def test_every_invalid_field_is_reported_together(world, at):
    errors = refused(
        world,
        hanako(
            name="",
            name_kana="Hanako",
            postal_code="000-0000",
            phone="12345",
            email="not-an-address",
            birth_date=dt.date(2030, 1, 1),
            pin="12",
            category="senior",
            home_branch="west",
        ),
        at,
    )

    assert set(errors) == {
        "name",
        "name_kana",
        "postal_code",
        "phone",
        "email",
        "birth_date",
        "pin",
        "category",
        "home_branch",
    }


def test_email_channel_without_email_is_reported_alongside_other_errors(world, at):
    errors = refused(world, hanako(email=None, notify_channel="email", phone="12345"), at)

    assert set(errors) == {"notify_channel", "phone"}


def test_birth_date_today_is_not_in_the_future(world, at):
    patron = register(world, hanako(birth_date=dt.date(2026, 6, 2)), at)

    assert Patron.objects.get(pk=patron.pk).birth_date == dt.date(2026, 6, 2)


# --- children ---------------------------------------------------------------------------


def test_child_registration_needs_guardians_name_relation_and_contact(world, at):
    errors = refused(
        world,
        hanako(
            category="child",
            name="山田 次郎",
            name_kana="ヤマダ ジロウ",
            birth_date=dt.date(2018, 5, 5),
        ),
        at,
    )

    assert set(errors) == {"guardian_name", "guardian_relation", "guardian_contact"}


@pytest.mark.parametrize("missing", ["guardian_name", "guardian_relation", "guardian_contact"])
def test_child_registration_is_refused_when_one_guardian_field_is_blank(world, at, missing):
    guardian = {
        "guardian_name": "山田 一郎",
        "guardian_relation": "父",
        "guardian_contact": "0263-12-3456",
        missing: "  ",
    }
    errors = refused(
        world, hanako(category="child", birth_date=dt.date(2018, 5, 5), **guardian), at
    )

    assert list(errors) == [missing]


def test_child_with_a_guardian_is_registered(world, at):
    patron = register(
        world,
        hanako(
            category="child",
            name="山田 次郎",
            name_kana="ヤマダ ジロウ",
            birth_date=dt.date(2018, 5, 5),
            guardian_name="山田 一郎",
            guardian_relation="父",
            guardian_contact="0263-12-3456",
        ),
        at,
    )

    stored = Patron.objects.get(pk=patron.pk)
    assert (stored.guardian_name, stored.guardian_relation, stored.guardian_contact) == (
        "山田 一郎",
        "父",
        "0263-12-3456",
    )


def test_adult_needs_no_guardian(world, at):
    patron = register(world, hanako(), at)

    assert Patron.objects.get(pk=patron.pk).guardian_name is None


# --- card numbers -----------------------------------------------------------------------


@pytest.fixture
def luhn_library(world):
    world.library.card_check_digit = "mod10_w21"
    world.library.save(update_fields=["card_check_digit"])
    return world


def test_card_with_a_wrong_check_digit_is_refused(luhn_library, at):
    right = with_check_digit("mod10_w21", "1234567")
    wrong = right[:-1] + str((int(right[-1]) + 1) % 10)

    errors = refused(luhn_library, hanako(card_number=wrong), at)

    assert list(errors) == ["card_number"]
    assert "wrong check digit" in errors["card_number"]


def test_card_with_the_right_check_digit_is_accepted(luhn_library, at):
    right = with_check_digit("mod10_w21", "1234567")

    patron = register(luhn_library, hanako(card_number=right), at)

    assert Patron.objects.get(pk=patron.pk).card_number == right


def test_codabar_start_and_stop_letters_are_stripped_from_the_card(luhn_library, at):
    right = with_check_digit("mod10_w21", "1234567")

    patron = register(luhn_library, hanako(card_number=f"A{right}B"), at)

    assert Patron.objects.get(pk=patron.pk).card_number == right
    assert find_patron_by_card(luhn_library.library, right) == patron


def test_card_check_digit_is_not_required_when_the_library_uses_none(world, at):
    patron = register(world, hanako(card_number="1234567"), at)  # not a valid Luhn number

    assert Patron.objects.get(pk=patron.pk).card_number == "1234567"


def test_a_card_number_already_registered_is_refused(world, at):
    register(world, hanako(), at)

    errors = refused(
        world,
        hanako(name="鈴木 試験", name_kana="スズキ シケン", birth_date=dt.date(1990, 1, 1)),
        at,
    )

    assert errors == {"card_number": "this card number is already registered"}
    assert Patron.objects.count() == 1


def test_the_same_card_written_with_codabar_letters_is_still_a_duplicate(world, at):
    register(world, hanako(), at)

    errors = refused(
        world,
        hanako(
            card_number=f"C{CARD}D",
            name="鈴木 試験",
            name_kana="スズキ シケン",
            birth_date=dt.date(1990, 1, 1),
        ),
        at,
    )

    assert list(errors) == ["card_number"]


# --- the duplicate warning --------------------------------------------------------------


@pytest.mark.parametrize("reading", ["ヤマダ ハナコ", "やまだ はなこ", "ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダハナコ"])
def test_same_reading_and_birth_date_warns_of_a_possible_duplicate(world, at, reading):
    first = register(world, hanako(), at)

    with pytest.raises(PossibleDuplicate) as caught:
        register(world, hanako(card_number="91357914", name="山田 華子", name_kana=reading), at)

    assert caught.value.patron_ids == [first.pk]
    assert Patron.objects.count() == 1


def test_confirmed_duplicate_is_registered_and_the_confirmation_audited(world, at):
    register(world, hanako(), at)

    second = register(
        world, hanako(card_number="91357914", name_kana="やまだ はなこ"), at, allow_duplicate=True
    )

    assert Patron.objects.count() == 2
    assert last_event(second).data == {"category": "adult", "duplicate_confirmed": True}


def test_same_reading_with_a_different_birth_date_does_not_warn(world, at):
    register(world, hanako(), at)

    second = register(world, hanako(card_number="91357914", birth_date=dt.date(1980, 4, 2)), at)

    assert last_event(second).data["duplicate_confirmed"] is False


def test_different_reading_with_the_same_birth_date_does_not_warn(world, at):
    register(world, hanako(), at)

    register(world, hanako(card_number="91357914", name_kana="ヤマダ ハナエ"), at)

    assert Patron.objects.count() == 2


# --- PINs -------------------------------------------------------------------------------


def test_pin_is_stored_as_an_argon2id_hash(world, at):
    patron = register(world, hanako(pin="246813"), at)

    stored = Patron.objects.get(pk=patron.pk)
    assert stored.pin_hash.startswith("$argon2id$")
    assert check_pin(stored, "246813")
    assert not check_pin(stored, "246814")
    assert not check_pin(stored, "")


def test_patron_without_a_pin_cannot_sign_in_with_any_pin(world, at):
    patron = register(world, hanako(), at)

    stored = Patron.objects.get(pk=patron.pk)
    assert stored.pin_hash == ""
    assert not check_pin(stored, "0000")


def test_set_pin_replaces_the_pin_and_is_audited(world, at):
    patron = register(world, hanako(pin="1111"), at)

    set_pin(patron, "2222", actor=world.staff, at=at)

    stored = Patron.objects.get(pk=patron.pk)
    assert check_pin(stored, "2222")
    assert not check_pin(stored, "1111")
    assert events_of(patron) == ["patron.registered", "patron.pin_set"]


def test_set_pin_refuses_a_pin_that_is_not_4_to_8_digits(world, at):
    patron = register(world, hanako(pin="1111"), at)

    with pytest.raises(PatronError) as caught:
        set_pin(patron, "abc", actor=world.staff, at=at)

    assert list(caught.value.errors) == ["pin"]
    assert check_pin(Patron.objects.get(pk=patron.pk), "1111")


# --- renewal, updates, blocks -----------------------------------------------------------


def test_renewal_extends_the_expiry_by_the_librarys_registration_years(world, at):
    world.library.registration_years = 2
    world.library.save(update_fields=["registration_years"])
    patron = register(world, hanako(), at)
    assert patron.expires_on == dt.date(2028, 6, 2)

    renewed = renew_registration(patron, actor=world.staff, at=at + dt.timedelta(days=365))

    assert renewed.expires_on == dt.date(2030, 6, 2)  # from the old expiry, not from today
    assert Patron.objects.get(pk=patron.pk).expires_on == dt.date(2030, 6, 2)
    assert last_event(patron).action == "patron.registration_renewed"
    assert last_event(patron).data == {"expires_on": "2030-06-02"}


def test_renewal_after_the_registration_lapsed_counts_from_today(world, at):
    patron = register(world, hanako(), at)  # expires 2029-06-02

    renewed = renew_registration(patron, actor=world.staff, at=at.replace(year=2030))

    assert renewed.expires_on == dt.date(2033, 6, 2)


def test_update_records_which_fields_changed_but_not_their_values(world, at):
    patron = register(world, hanako(), at)
    changed = dataclasses.replace(
        data_of(patron), phone="090-1234-5678", address="長野県松本市中央8丁目88-88 試験荘202"
    )

    update_patron(patron, changed, actor=world.staff, at=at + dt.timedelta(hours=1))

    stored = Patron.objects.get(pk=patron.pk)
    assert stored.phone == "+819012345678"
    assert stored.address == "長野県松本市中央8丁目88-88 試験荘202"
    event = last_event(patron)
    assert event.action == "patron.updated"
    assert event.data == {"fields": ["address", "phone"]}
    dumped = json.dumps(event.data, ensure_ascii=False)
    for value in ("090", "1234", "5678", "試験荘", "中央8丁目", "0263"):
        assert value not in dumped


def test_notices_are_in_japanese_unless_the_patron_prefers_english(world, at):
    patron = register(world, hanako(), at)
    assert patron.language == "ja"

    update_patron(
        patron, dataclasses.replace(data_of(patron), language="en"), actor=world.staff, at=at
    )

    assert Patron.objects.get(pk=patron.pk).language == "en"
    assert last_event(patron).data == {"fields": ["language"]}


def test_the_database_refuses_a_language_shoka_has_no_notices_in(world, at):
    from django.db import IntegrityError, transaction

    patron = register(world, hanako(), at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Patron.objects.filter(pk=patron.pk).update(language="fr")


def test_update_with_the_same_data_records_no_changed_fields(world, at):
    patron = register(world, hanako(), at)

    update_patron(patron, data_of(patron), actor=world.staff, at=at)

    assert last_event(patron).data == {"fields": []}


def test_update_with_a_new_pin_records_that_the_pin_changed(world, at):
    patron = register(world, hanako(pin="1111"), at)

    update_patron(
        patron, dataclasses.replace(data_of(patron), pin="3333"), actor=world.staff, at=at
    )

    assert last_event(patron).data == {"fields": ["pin"]}
    assert check_pin(Patron.objects.get(pk=patron.pk), "3333")


def test_update_is_validated_like_a_registration(world, at):
    patron = register(world, hanako(), at)

    with pytest.raises(PatronError) as caught:
        update_patron(
            patron,
            dataclasses.replace(data_of(patron), phone="12345", name=""),
            actor=world.staff,
            at=at,
        )

    assert set(caught.value.errors) == {"phone", "name"}
    assert Patron.objects.get(pk=patron.pk).phone == "+81263123456"
    assert events_of(patron) == ["patron.registered"]


def test_update_refuses_a_card_number_held_by_another_patron(world, at):
    register(world, hanako(), at)
    other = register(
        world, hanako(card_number="91357914", name="鈴木 試験", name_kana="スズキ シケン"), at
    )

    with pytest.raises(PatronError) as caught:
        update_patron(
            other, dataclasses.replace(data_of(other), card_number=CARD), actor=world.staff, at=at
        )

    assert list(caught.value.errors) == ["card_number"]


def test_blocked_patron_is_unblocked_again(world, at):
    patron = register(world, hanako(), at)

    block_patron(patron, "  カード紛失届  ", actor=world.staff, at=at)
    blocked = Patron.objects.get(pk=patron.pk)
    assert (blocked.status, blocked.block_reason) == (PatronStatus.BLOCKED, "カード紛失届")

    unblock_patron(patron, actor=world.staff, at=at + dt.timedelta(days=1))
    unblocked = Patron.objects.get(pk=patron.pk)
    assert (unblocked.status, unblocked.block_reason) == (PatronStatus.ACTIVE, "")
    assert events_of(patron) == ["patron.registered", "patron.blocked", "patron.unblocked"]


# --- the audit trail names no one -------------------------------------------------------


def test_every_action_is_audited_without_personal_data_in_clear(world, at):
    patron = register(world, hanako(pin="2468"), at)
    update_patron(
        patron,
        dataclasses.replace(data_of(patron), address="長野県松本市中央7丁目7-7"),
        actor=world.staff,
        at=at,
    )
    renew_registration(patron, actor=world.staff, at=at)
    set_pin(patron, "8642", actor=world.staff, at=at)
    block_patron(patron, "試験のため", actor=world.staff, at=at)
    unblock_patron(patron, actor=world.staff, at=at)
    view_patron(patron, actor=world.staff, at=at, context="desk")

    assert events_of(patron) == [
        "patron.registered",
        "patron.updated",
        "patron.registration_renewed",
        "patron.pin_set",
        "patron.blocked",
        "patron.unblocked",
    ]
    assert list(
        AccessEvent.objects.filter(object_id=str(patron.pk)).values_list("action", flat=True)
    ) == ["patron.viewed"]
    logged = json.dumps(
        [
            list(model.objects.values_list("actor", "action", "object_type", "object_id", "data"))
            for model in (AuditEvent, AccessEvent)
        ],
        ensure_ascii=False,
        default=str,
    )
    personal = [
        "山田",
        "花子",
        "ヤマダ",
        "ハナコ",
        "やまだ",
        "0263-12-3456",
        "+81263123456",
        "263123456",
        "hanako.test",
        "example.jp",
        "松本市中央",
        "試験荘",
        "7丁目",
        "3900811",
        "390-0811",
        "1980-04-01",
        "19800401",
        CARD,
        "2468",
        "8642",
        "試験のため",
    ]
    assert [value for value in personal if value in logged] == []
