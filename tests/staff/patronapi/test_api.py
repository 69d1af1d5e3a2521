"""The staff side's patron API (docs/opac-self-service.md): signed requests only, the PIN
lockout, sessions, and the patron's own loans and holds through the circulation rules."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError

from shoka.audit.models import AuditEvent
from shoka.circulation.models import Hold, HoldStatus
from shoka.circulation.services import checkout, place_hold
from shoka.patrons.services import block_patron
from shoka.security import servicesig
from shoka.selfservice.models import CardLockout, PatronSession, PinFailure

from .conftest import BASE, PatronApi


def _pin(people) -> str:
    return str(people.random_number(digits=6, fix_len=True))


@pytest.fixture
def reader(world, people, now):
    """A patron with a PIN, a name and a phone from the seed."""
    pin = _pin(people)
    patron = world.patron(people.name(), "テスト タロウ", pin=pin, phone=people.phone_number())
    return patron, pin


def _signed_in(api: PatronApi, reader) -> None:
    patron, pin = reader
    assert api.sign_in(patron.card_number, pin).status == 201


# --- the signature ------------------------------------------------------------------------


def test_requests_without_a_valid_signature_are_refused(api, world, now, settings):
    path = BASE + "loans"
    missing = api.send("GET", path, {})
    assert (missing.status, missing.data["error"]) == (401, "signature_missing")

    other = PatronApi(Ed25519PrivateKey.generate(), api.staff_public_text)
    wrong = api.send("GET", path, other.headers("GET", path, b""))
    assert (wrong.status, wrong.data["error"]) == (401, "signature_invalid")

    # The body is signed: a changed body does not pass.
    signed = api.headers("POST", BASE + "sessions", b'{"card":"1","pin":"1"}')
    tampered = api.send("POST", BASE + "sessions", signed, b'{"card":"2","pin":"1"}')
    assert (tampered.status, tampered.data["error"]) == (401, "signature_invalid")

    # So is the path: a signature for /loans does not open /holds.
    moved = api.send("GET", BASE + "holds", api.headers("GET", path, b""))
    assert moved.data["error"] == "signature_invalid"


def test_a_replayed_request_is_refused(api, reader):
    patron, pin = reader
    body = f'{{"card":"{patron.card_number}","pin":"{pin}"}}'.encode()
    headers = api.headers("POST", BASE + "sessions", body)
    assert api.send("POST", BASE + "sessions", headers, body).status == 201
    again = api.send("POST", BASE + "sessions", headers, body)
    assert (again.status, again.data["error"]) == (401, "signature_replayed")
    assert PatronSession.objects.count() == 1


def test_a_stale_request_is_refused(api, world, now):
    path = BASE + "loans"
    old = servicesig.sign_request(api.key, "GET", path, b"", now=now.timestamp() - 120)
    stale = api.send("GET", path, old.as_dict())
    assert (stale.status, stale.data["error"]) == (401, "signature_stale")
    future = servicesig.sign_request(api.key, "GET", path, b"", now=now.timestamp() + 120)
    assert api.send("GET", path, future.as_dict()).data["error"] == "signature_stale"


def test_without_the_opac_key_configured_the_api_refuses_everything(api, world, now, settings):
    settings.SHOKA_PATRON_API_OPAC_KEY = ""
    answer = api.call("GET", "loans")
    assert (answer.status, answer.data["error"]) == (503, "not_configured")


def test_broken_input_is_a_clear_4xx(api, reader):
    path = BASE + "sessions"
    bad = api.send("POST", path, api.headers("POST", path, b"{nope"), b"{nope")
    assert (bad.status, bad.data["error"]) == (400, "bad_json")
    assert api.call("POST", "sessions", {"card": 1}).status == 400
    assert api.call("GET", "sessions").status == 405
    _signed_in(api, reader)
    assert api.call("POST", "holds", {"record": "x"}).status == 400
    assert api.call("POST", "holds", {"record": True, "pickup_branch": "main"}).status == 400


# --- signing in, out, lockout -------------------------------------------------------------


def test_sign_in_gives_an_opaque_token_stored_only_as_a_hash(api, reader):
    patron, pin = reader
    answer = api.sign_in(patron.card_number, pin)
    assert answer.status == 201
    token = answer.data["token"]
    assert len(token) >= 40 and patron.card_number not in token
    session = PatronSession.objects.get()
    assert session.patron_id == patron.pk and token not in session.token_hash
    assert api.call("GET", "loans").status == 200
    event = AuditEvent.objects.filter(action="selfservice.signed_in").get()
    assert event.actor == f"patron:{patron.pk}"

    assert api.call("DELETE", "sessions").status == 204
    after = api.call("GET", "loans")
    assert (after.status, after.data["error"]) == (401, "session_invalid")
    assert AuditEvent.objects.filter(action="selfservice.signed_out").count() == 1


def test_wrong_pin_and_unknown_card_answer_the_same(api, reader, people):
    patron, pin = reader
    wrong = api.sign_in(patron.card_number, "0" + pin[1:] if pin[0] != "0" else "1" + pin[1:])
    unknown = api.sign_in("999999999", pin)
    assert (wrong.status, wrong.data) == (unknown.status, unknown.data)
    assert wrong.data == {"error": "invalid_credentials"}
    # The failures are counted by a keyed index of the card, never the card itself.
    keys = set(PinFailure.objects.values_list("card_key", flat=True))
    assert len(keys) == 2 and patron.card_number not in "".join(keys)


def test_a_withdrawn_patron_cannot_sign_in(api, reader):
    from shoka.patrons.models import Patron, PatronStatus

    patron, pin = reader
    Patron.objects.filter(pk=patron.pk).update(status=PatronStatus.WITHDRAWN)
    assert api.sign_in(patron.card_number, pin).status == 401


def test_five_wrong_pins_lock_the_card_for_thirty_minutes(api, world, people):
    start = dt.datetime(2026, 6, 2, 11, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        pin = _pin(people)
        patron = world.patron(people.name(), "テスト ハナコ", pin=pin)
        wrong = "1111" if pin != "1111" else "2222"
        for _ in range(4):
            assert api.sign_in(patron.card_number, wrong).status == 401
        locked = api.sign_in(patron.card_number, wrong)
        assert locked.status == 423 and locked.data["error"] == "locked"
        assert int(locked.headers["Retry-After"]) == 30 * 60
        # Locked: even the right PIN is refused, and the answer does not say it was right.
        assert api.sign_in(patron.card_number, pin).status == 423
        clock.shift(dt.timedelta(minutes=29))
        assert api.sign_in(patron.card_number, pin).status == 423
        clock.shift(dt.timedelta(minutes=2))
        assert api.sign_in(patron.card_number, pin).status == 201
        assert not CardLockout.objects.exists() and not PinFailure.objects.exists()
        assert AuditEvent.objects.filter(action="selfservice.card_locked").count() == 1


def test_wrong_pins_spread_beyond_the_window_do_not_lock(api, world, people):
    start = dt.datetime(2026, 6, 2, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        pin = _pin(people)
        patron = world.patron(people.name(), "テスト ジロウ", pin=pin)
        wrong = "1111" if pin != "1111" else "2222"
        for _ in range(8):
            assert api.sign_in(patron.card_number, wrong).status == 401
            clock.shift(dt.timedelta(minutes=4))  # four in any 15 minutes at most
        assert api.sign_in(patron.card_number, pin).status == 201


def test_an_unknown_card_is_locked_too(api, world, now):
    for _ in range(5):
        last = api.sign_in("12345678", "0000")
    assert last.status == 423


def test_the_database_refuses_a_lockout_that_ends_before_it_starts(db, now):
    with pytest.raises(IntegrityError):
        CardLockout.objects.create(card_key="k", locked_at=now, locked_until=now)


def test_an_idle_session_expires(api, reader, now):
    _signed_in(api, reader)
    with time_machine.travel(now + dt.timedelta(minutes=20), tick=False):
        assert api.call("GET", "loans").status == 200  # use moves the expiry on
    with time_machine.travel(now + dt.timedelta(minutes=45), tick=False):
        assert api.call("GET", "loans").status == 200
    with time_machine.travel(now + dt.timedelta(minutes=80), tick=False):
        assert api.call("GET", "loans").data["error"] == "session_invalid"


def test_sign_in_attempts_per_card_are_rate_limited(api, reader, settings):
    settings.SHOKA_PATRON_API_LIMITS = {"sign_in_per_card": "3/minute"}
    patron, _ = reader
    for _ in range(3):
        assert api.sign_in(patron.card_number, "9999").status in (401, 423)
    limited = api.sign_in(patron.card_number, "9999")
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1


# --- loans and holds ------------------------------------------------------------------------


def test_loans_show_due_dates_and_renew_through_the_rules(api, world, reader, people, now):
    patron, _ = reader
    free, wanted = world.item(world.bib("本の題")), world.item(world.bib("人気の本"))
    for item in (free, wanted):
        checkout(item, patron, branch=world.main, actor=world.staff, at=now - dt.timedelta(days=3))
    other = world.patron(people.name(), "ホカ ノ ヒト", pin=_pin(people))
    place_hold(wanted.bib, other, pickup_branch=world.main, actor=world.staff, at=now)
    _signed_in(api, reader)

    loans = {line["title"]: line for line in api.call("GET", "loans").data["loans"]}
    assert loans["本の題"]["renewable"] is True
    assert loans["人気の本"]["renewable"] is False
    assert [r["code"] for r in loans["人気の本"]["refusals"]] == ["hold_waiting"]

    renewed = api.call("POST", f"loans/{loans['本の題']['id']}/renew")
    assert renewed.status == 200
    assert renewed.data["loan"]["due_on"] > loans["本の題"]["due_on"]
    event = AuditEvent.objects.filter(action="loan.renewed").get()
    assert event.actor == f"patron:{patron.pk}"

    again = api.call("POST", f"loans/{loans['本の題']['id']}/renew")
    assert again.status == 409
    assert [r["code"] for r in again.data["refusals"]] == ["renewals_exhausted"]
    held = api.call("POST", f"loans/{loans['人気の本']['id']}/renew")
    assert held.status == 409 and held.data["refusals"][0]["code"] == "hold_waiting"


def test_place_see_and_cancel_a_hold(api, world, reader, people, now):
    patron, _ = reader
    bib = world.bib("順番待ちの本")
    copy = world.item(bib)
    first = world.patron(people.name(), "サキ ノ ヒト", pin=_pin(people))
    checkout(copy, first, branch=world.main, actor=world.staff, at=now - dt.timedelta(days=1))
    earlier = world.patron(people.name(), "マエ ノ ヒト", pin=_pin(people))
    place_hold(bib, earlier, pickup_branch=world.main, actor=world.staff, at=now)
    _signed_in(api, reader)

    options = api.call("GET", "holds/options").data
    assert [b["code"] for b in options["pickup_branches"]] == ["main", "east"]  # no bookmobile
    assert options["channels"] == ["phone", "postcard"]  # no email address: no email
    assert options["default_pickup"] == "main"

    placed = api.call(
        "POST", "holds", {"record": bib.pk, "pickup_branch": "east", "notify_channel": "phone"}
    )
    assert placed.status == 201
    hold = placed.data["hold"]
    assert (hold["position"], hold["pickup_branch"]["code"]) == (2, "east")
    assert hold["status"] == "waiting" and hold["notify_channel"] == "phone"
    listed = api.call("GET", "holds").data["holds"]
    assert [(h["title"], h["position"]) for h in listed] == [("順番待ちの本", 2)]
    event = AuditEvent.objects.filter(action="hold.placed", object_id=str(hold["id"])).get()
    assert event.actor == f"patron:{patron.pk}"

    twice = api.call(
        "POST", "holds", {"record": bib.pk, "pickup_branch": "east", "notify_channel": "phone"}
    )
    assert twice.status == 409 and twice.data["refusals"][0]["code"] == "already_held"

    assert api.call("POST", f"holds/{hold['id']}/cancel").status == 200
    assert Hold.objects.get(pk=hold["id"]).status == HoldStatus.CANCELLED
    assert Hold.objects.get(pk=hold["id"]).closed_by == "patron"
    assert api.call("GET", "holds").data["holds"] == []


def test_hold_requests_are_checked(api, world, reader, now):
    patron, _ = reader
    bib = world.bib("予約の本")
    world.item(bib)
    _signed_in(api, reader)
    bookmobile = api.call(
        "POST", "holds", {"record": bib.pk, "pickup_branch": "bm", "notify_channel": "postcard"}
    )
    assert bookmobile.status == 409
    assert bookmobile.data["refusals"][0]["code"] == "pickup_branch_invalid"
    email = api.call(
        "POST", "holds", {"record": bib.pk, "pickup_branch": "main", "notify_channel": "email"}
    )
    assert email.status == 400  # the patron has no email address
    missing = api.call(
        "POST", "holds", {"record": 10**9, "pickup_branch": "main", "notify_channel": "postcard"}
    )
    assert missing.status == 404

    block_patron(patron, "カード紛失", actor=world.staff, at=now)
    blocked = api.call(
        "POST", "holds", {"record": bib.pk, "pickup_branch": "main", "notify_channel": "postcard"}
    )
    assert blocked.status == 409 and blocked.data["refusals"][0]["code"] == "patron_blocked"


def test_a_token_never_reaches_another_patrons_loans_or_holds(api, world, reader, people, now):
    patron, _ = reader
    other = world.patron(people.name(), "ベツ ノ ヒト", pin=_pin(people))
    item = world.item(world.bib("他人の本"))
    loan = checkout(item, other, branch=world.main, actor=world.staff, at=now).loan
    wanted = world.item(world.bib("他人の予約")).bib
    hold = place_hold(wanted, other, pickup_branch=world.main, actor=world.staff, at=now)
    _signed_in(api, reader)
    assert api.call("GET", "loans").data["loans"] == []
    assert api.call("GET", "holds").data["holds"] == []
    assert api.call("POST", f"loans/{loan.pk}/renew").status == 404
    assert api.call("POST", f"holds/{hold.pk}/cancel").status == 404
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.WAITING
    assert not AuditEvent.objects.filter(actor=f"patron:{patron.pk}", action="loan.renewed")


def test_an_oversized_body_is_refused_before_it_is_read(api, world, now):
    path = BASE + "sessions"
    body = b'{"card": "' + b"1" * 20_000 + b'", "pin": "1234"}'
    answer = api.send("POST", path, api.headers("POST", path, body), body)
    assert (answer.status, answer.data["error"]) == (413, "too_large")
