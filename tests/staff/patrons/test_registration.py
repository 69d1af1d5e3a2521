"""Registering a patron through the form: the happy path, a child's guardian, bad contact
data, the duplicate warning. The rules are the service's; these tests check that the form
shows them per field and loses nothing."""

from __future__ import annotations

import datetime as dt

from shoka.audit.models import AuditEvent
from shoka.patrons.models import Patron


def test_registering_an_adult_saves_the_patron_and_opens_their_page(clerk, adult):
    response = clerk.register(adult, follow=True)

    patron = Patron.objects.get()
    assert response.redirect_chain == [(f"/patrons/{patron.pk}/", 303)]
    assert patron.name == "佐藤 美咲"
    assert patron.name_kana == "サトウ ミサキ"
    assert patron.address == "長野県松本市中央2丁目3-4"  # completed from the postal code
    assert patron.phone == "+81263123456"
    assert patron.expires_on.isoformat() == "2029-06-02"
    html = response.content.decode()
    assert "The patron is registered." in html
    assert "佐藤 美咲" in html
    assert AuditEvent.objects.filter(action="patron.registered").count() == 1


def test_the_registration_form_starts_at_the_desk_branch(clerk):
    html = clerk.get("/patrons/new/").content.decode()
    assert '<option value="main" selected>' in html
    assert "Required for the categories: 児童" in html


def test_a_child_without_a_guardian_is_refused_with_an_error_on_each_guardian_field(clerk, child):
    response = clerk.register(child)

    assert response.status_code == 200
    assert not Patron.objects.exists()
    html = response.content.decode()
    assert 'role="alert"' in html
    for field, what in (
        ("guardian_name", "name"),
        ("guardian_relation", "relation"),
        ("guardian_contact", "contact"),
    ):
        assert f'id="id_{field}_error"' in html
        assert f"a child&#x27;s registration needs the guardian&#x27;s {what}" in html
        assert f'aria-describedby="id_{field}_error"' in html or (
            f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
        )
    # What was typed is still there.
    assert 'value="佐藤 陽太"' in html
    assert 'value="300002"' in html


def test_a_child_with_a_guardian_is_registered(clerk, child):
    child |= {
        "guardian_name": "佐藤 健",
        "guardian_relation": "父",
        "guardian_contact": "0263-12-3456",
    }
    response = clerk.register(child)

    assert response.status_code == 303
    patron = Patron.objects.get()
    assert (patron.guardian_name, patron.guardian_relation) == ("佐藤 健", "父")


def test_bad_phone_email_and_postal_code_each_get_their_own_error(clerk, adult):
    adult |= {"phone": "12345", "email": "misaki.example.jp", "postal_code": "000-0000"}
    response = clerk.register(adult)

    html = response.content.decode()
    assert not Patron.objects.exists()
    assert "3 fields need correcting; nothing was saved." in html
    assert "is not a valid phone number" in html
    assert "the @ is missing" in html
    assert "0000000 is not a Japanese postal code" in html
    for field in ("phone", "email", "postal_code"):
        assert f'id="id_{field}_error"' in html
        assert f'href="#id_{field}"' in html  # the summary links to the field
    assert 'name="phone" value="12345"' in html
    assert "autofocus" in html


def test_missing_required_fields_are_reported_by_the_form(clerk, adult):
    adult |= {"name": "", "name_kana": ""}
    html = clerk.register(adult).content.decode()
    assert 'id="id_name_error"' in html
    assert 'id="id_name_kana_error"' in html
    assert not Patron.objects.exists()


def test_a_possible_duplicate_is_shown_and_needs_a_confirmation(clerk, world, adult):
    existing = world.patron("佐藤 美咲", "サトウ ミサキ", birth_date=dt.date(1990, 5, 17))
    adult["card_number"] = "300009"

    response = clerk.register(adult)

    html = response.content.decode()
    assert response.status_code == 200
    assert "This person may already be registered" in html
    assert f'href="/patrons/{existing.pk}/"' in html
    assert 'name="confirm_duplicate"' in html
    assert Patron.objects.count() == 1

    confirmed = clerk.register(adult | {"confirm_duplicate": "1"})

    assert confirmed.status_code == 303
    assert Patron.objects.count() == 2
    event = AuditEvent.objects.get(
        action="patron.registered", object_id=str(Patron.objects.latest("pk").pk)
    )
    assert event.data["duplicate_confirmed"] is True


def test_a_card_number_already_in_use_is_refused_on_the_card_field(clerk, world, adult):
    other = world.patron()
    adult["card_number"] = other.card_number
    html = clerk.register(adult).content.decode()
    assert 'id="id_card_number_error"' in html
    assert "this card number is already registered" in html


def test_the_form_and_its_errors_are_in_japanese_for_a_japanese_browser(clerk, child):
    clerk.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    html = clerk.register(child | {"phone": "12345"}).content.decode()
    assert "<title>利用者：利用者登録 — 書架</title>" in html
    assert "児童の登録には保護者氏名が必要です" in html
    assert "「12345」は正しい電話番号ではありません" in html
