"""Signing in through the real sign-in pages: passwords, lockout, two-step verification with
real TOTP codes, sessions that expire, signing out — and the audit events they leave."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoka.audit.models import AuditEvent
from shoka.staff.roles import ensure_roles

PASSWORD = "a long staff passphrase"
START = dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def client():
    """A browser that asks for English pages (the site's default language is Japanese)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def librarian(db, django_user_model):
    if not Group.objects.filter(name="librarian").exists():
        ensure_roles()
    user = django_user_model.objects.create_user("desk1", password=PASSWORD)
    user.groups.add(Group.objects.get(name="librarian"))
    return user


def sign_in(client, username="desk1", password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def signed_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The device's code now (or `steps_ahead` 30-second steps later), as an app shows it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


# --- passwords -----------------------------------------------------------------------------


def test_the_right_password_signs_in_and_is_audited(client, librarian):
    response = sign_in(client, next="/?tab=today")
    assert response.status_code == 302 and response["Location"] == "/?tab=today"
    assert signed_in(client)
    [event] = events("staff.signed_in")
    assert event.object_type == "auth.user" and event.object_id == str(librarian.pk)
    assert event.actor == f"user:{librarian.pk}"
    assert event.data == {"second_factor": False}


def test_a_wrong_password_is_refused_with_an_announced_error(client, librarian):
    response = sign_in(client, password="wrong")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="error" role="alert" id="signin-error">' in html
    assert "did not match" in html
    password_input = re.search(r'<input type="password"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in password_input
    assert 'aria-describedby="signin-error"' in password_input
    assert "autofocus" in password_input  # the field to correct has the focus
    assert not signed_in(client)
    assert not events("staff.signed_in")


def test_the_sign_in_page_labels_every_field_and_focuses_the_user_name(client, db):
    html = client.get("/login/").content.decode()
    for field in ("id_username", "id_password"):
        assert f'<label for="{field}">' in html
    username_input = re.search(r'<input type="text"[^>]*>', html).group(0)
    assert "autofocus" in username_input and 'autocomplete="username"' in username_input
    assert 'autocomplete="current-password"' in html


def test_an_inactive_user_cannot_sign_in(client, librarian):
    librarian.is_active = False
    librarian.save()
    assert sign_in(client).status_code == 200
    assert not signed_in(client)


# --- lockout --------------------------------------------------------------------------------


def test_five_failures_lock_the_user_name_at_that_address_for_thirty_minutes(
    client, librarian, clock
):
    for _ in range(4):
        assert sign_in(client, password="wrong").status_code == 200
    locked = sign_in(client, password="wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert 'role="alert"' in html and "Sign-in is locked" in html
    assert "for 30 minutes" in html

    # Now even the right password is refused, with the same page.
    assert sign_in(client).status_code == 429
    assert not signed_in(client)

    # The lockout is for this user name at this address: elsewhere it can still sign in.
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.10")
    assert sign_in(other).status_code == 302

    [event] = events("staff.signin_locked_out")
    assert event.object_type == "auth.user" and event.object_id == str(librarian.pk)
    assert event.actor == "system:signin"
    assert event.data["ip_address"] == "127.0.0.1"
    assert event.data["known_user"] is True

    # Tries during the lockout do not prolong it: it ends 30 minutes after the fifth failure.
    clock.shift(dt.timedelta(minutes=20))
    assert sign_in(client).status_code == 429
    clock.shift(dt.timedelta(minutes=11))
    assert sign_in(client).status_code == 302
    assert signed_in(client)
    assert len(events("staff.signin_locked_out")) == 1


def test_a_lockout_of_an_unknown_user_name_records_no_name(client, db, clock):
    for _ in range(5):
        response = sign_in(client, username="not-a-user", password="wrong")
    assert response.status_code == 429
    [event] = events("staff.signin_locked_out")
    assert (event.object_type, event.object_id) == ("", "")
    assert event.data["known_user"] is False
    assert "not-a-user" not in json.dumps(event.data)


def test_a_successful_sign_in_clears_the_failures(client, librarian, clock):
    for _ in range(4):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        assert sign_in(client, password="wrong").status_code == 200


def test_the_lockout_message_is_in_japanese(client, librarian, clock):
    with translation.override("ja"):
        for _ in range(5):
            response = client.post(
                "/login/",
                {"username": "desk1", "password": "wrong"},
                HTTP_ACCEPT_LANGUAGE="ja",
            )
    assert response.status_code == 429
    html = response.content.decode()
    assert "30" in html and "ロック" in html
    assert "Sign-in is locked" not in html


# --- two-step verification ------------------------------------------------------------------


def test_a_user_enrols_an_authenticator_and_then_sign_in_asks_for_its_code(
    client, librarian, clock
):
    assert sign_in(client).status_code == 302
    page = client.get("/account/two-step/")
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=librarian, confirmed=False)
    assert "otpauth://totp/" in html and "<svg" in html
    secret = page.context["enrolment"].secret.replace(" ", "")
    assert secret in html.replace(" ", "")

    wrong = client.post("/account/two-step/", {"token": "000000"})
    assert wrong.status_code == 400 and 'role="alert"' in wrong.content.decode()
    clock.shift(dt.timedelta(seconds=5))  # past django-otp's throttle after a wrong code
    confirmed = client.post("/account/two-step/", {"token": code_for(device)})
    assert confirmed.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    [enrolled] = events("staff.otp_enrolled")
    assert enrolled.object_id == str(librarian.pk)

    client.post("/logout/")
    clock.shift(dt.timedelta(minutes=1))
    response = sign_in(client, next="/")
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert not signed_in(client)  # a password alone does not sign in any more
    assert client.get("/admin/").status_code == 302

    refused = client.post("/login/code/", {"token": "123456"})
    assert refused.status_code == 400
    assert not signed_in(client)
    assert events("staff.signin_code_refused")

    clock.shift(dt.timedelta(seconds=5))
    assert client.post("/login/code/", {"token": code_for(device)})["Location"] == "/"
    assert signed_in(client)
    assert events("staff.signed_in")[-1].data == {"second_factor": True}


def test_a_code_cannot_be_used_twice(client, librarian, clock):
    device = enrol_device(librarian)
    code = code_for(device)
    sign_in(client)
    assert client.post("/login/code/", {"token": code}).status_code == 302
    client.post("/logout/")
    sign_in(client)
    assert client.post("/login/code/", {"token": code}).status_code == 400
    assert not signed_in(client)


def test_the_code_page_refuses_what_is_not_a_six_digit_code(client, librarian, clock):
    enrol_device(librarian)
    sign_in(client)
    response = client.post("/login/code/", {"token": "12ab"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "6-digit code" in html
    token_input = re.search(r'<input type="text" name="token"[^>]*>', html).group(0)
    assert 'aria-describedby="signin-error token-help"' in token_input
    assert 'aria-invalid="true"' in token_input and 'autocomplete="one-time-code"' in token_input


def test_the_second_step_must_follow_the_password_within_five_minutes(client, librarian, clock):
    device = enrol_device(librarian)
    sign_in(client)
    clock.shift(dt.timedelta(minutes=6))
    response = client.post("/login/code/", {"token": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not signed_in(client)


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client, librarian):
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.get("/login/enrol/")["Location"] == "/login/"


def test_a_user_turns_two_step_verification_off_with_a_current_code(client, librarian, clock):
    device = enrol_device(librarian)
    sign_in(client)
    client.post("/login/code/", {"token": code_for(device)})
    clock.shift(dt.timedelta(seconds=30))
    assert client.get("/account/two-step/").status_code == 200
    response = client.post("/account/two-step/", {"token": code_for(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=librarian).exists()
    assert events("staff.otp_removed")


def test_when_required_a_user_without_a_device_enrols_at_sign_in(
    client, librarian, clock, settings
):
    settings.SHOKA_STAFF_REQUIRE_OTP = True
    response = sign_in(client)
    assert response["Location"] == "/login/enrol/"
    assert not signed_in(client)
    page = client.get("/login/enrol/")
    assert "otpauth://totp/shoka%3Adesk1?secret=" in page.content.decode()
    device = page.context["enrolment"].device
    response = client.post("/login/enrol/", {"token": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)
    device.refresh_from_db()
    assert device.confirmed
    assert events("staff.otp_enrolled") and events("staff.signed_in")


def test_when_required_a_session_without_a_code_is_signed_out(
    client, librarian, settings, django_user_model
):
    client.force_login(librarian)  # e.g. a session from before the setting was turned on
    assert signed_in(client)
    settings.SHOKA_STAFF_REQUIRE_OTP = True
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    assert events("staff.signed_out")[-1].data == {"reason": "second_factor_required"}


# --- sessions -------------------------------------------------------------------------------


def test_thirty_idle_minutes_sign_the_user_out(client, librarian, clock):
    sign_in(client)
    clock.shift(dt.timedelta(minutes=29))
    assert signed_in(client)
    clock.shift(dt.timedelta(minutes=29))
    assert signed_in(client)  # activity keeps the session
    clock.shift(dt.timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/"
    page = client.get(response["Location"])
    assert "30 minutes without activity" in page.content.decode()
    assert events("staff.signed_out")[-1].data == {"reason": "idle"}


def test_an_idle_limit_of_zero_keeps_the_session_until_the_end_of_the_day(
    client, librarian, clock, settings
):
    settings.SHOKA_STAFF_IDLE_MINUTES = 0
    sign_in(client)
    clock.shift(dt.timedelta(hours=2))
    assert signed_in(client)


def test_an_htmx_request_after_the_idle_limit_loads_the_sign_in_page(client, librarian, clock):
    sign_in(client)
    clock.shift(dt.timedelta(minutes=31))
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/login/?next=/"


def test_a_session_ends_after_a_working_day_however_busy(client, librarian, clock):
    sign_in(client)
    for _ in range(8 * 4 + 2):
        clock.shift(dt.timedelta(minutes=15))
        if not signed_in(client):
            break
    assert not signed_in(client)
    assert events("staff.signed_out")[-1].data == {"reason": "expired"}
    assert START + dt.timedelta(hours=8) <= dt.datetime.now(dt.UTC)


def test_the_session_ends_when_the_browser_closes(client, librarian):
    response = sign_in(client)
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]
    assert cookie["httponly"]


def test_sign_out_is_a_post_and_is_audited(client, librarian):
    sign_in(client)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not signed_in(client)
    assert events("staff.signed_out")[-1].data == {"reason": "signed_out"}
    assert "signed out" in client.get("/login/").content.decode()


def test_the_configuration_screens_sign_in_through_the_staff_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"


# --- passwords at rest -----------------------------------------------------------------------


def test_the_production_settings_hash_passwords_with_argon2id(tmp_path):
    """The tests use a fast hasher (settings/test.py); the staff site itself uses Argon2id."""
    code = (
        "import django, json; django.setup();"
        "from django.conf import settings;"
        "from django.contrib.auth.hashers import make_password, check_password;"
        "h = make_password('a long staff passphrase');"
        "print(json.dumps({'hash': h, 'ok': check_password('a long staff passphrase', h),"
        " 'validators': [v['NAME'].rsplit('.', 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shoka.settings.staff",
        "SHOKA_HOME": str(tmp_path),
        "SHOKA_SECRET_KEY": "not-secret-for-this-test",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    )
    result = json.loads(out.stdout)
    assert result["hash"].startswith("argon2$argon2id$")
    assert result["ok"] is True
    assert "MinimumLengthValidator" in result["validators"]
