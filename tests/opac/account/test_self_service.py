"""Self-service end to end (docs/opac-self-service.md): the staff site as a live server, a
live OPAC process calling its patron API, and a cookie-keeping client doing what a patron
does: sign in → loans → renew → place a hold → its place in the queue → cancel → sign out.
Afterwards nothing of the patron (name, card number, PIN) is anywhere the OPAC wrote."""

from __future__ import annotations

import datetime as dt
import html
import http.cookiejar
import re

import pytest
from django.utils import timezone
from faker import Faker
from tests.opac.account.live import start_opac
from tests.publish.test_opac_audit import _scan

from shoka.audit.models import AuditEvent
from shoka.circulation.services import checkout, place_hold
from shoka.publish.builder import build_full
from shoka.publish.delivery import push
from shoka.publish.models import PublishTarget

pytestmark = pytest.mark.slow


def _person(fake: Faker) -> tuple[str, str, str]:
    """(name, card number, PIN) from the seed."""
    return (
        fake.name(),
        str(fake.random_number(digits=10, fix_len=True)),
        str(fake.random_number(digits=8, fix_len=True)),
    )


def _publish(opac, signing_key) -> None:
    build_full(key=signing_key)
    report = push(PublishTarget.objects.get(name="opac"), opac.publish_url(), sleep=lambda _: None)
    assert report.expected > 1


def _text(page) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.text))


def test_sign_in_renew_hold_cancel_sign_out_and_the_opac_keeps_nothing(
    transactional_db, world, self_service_opac, signing_key, tmp_path
):
    opac = self_service_opac
    fake = Faker("ja_JP")
    fake.seed_instance(6105)
    name, card, pin = _person(fake)
    now = timezone.now()
    patron = world.patron(name, "テスト ハナコ", card_number=card, pin=pin, at=now)
    lent = world.item(world.bib("走れメロス", "ハシレ メロス"))
    checkout(lent, patron, branch=world.main, actor=world.staff, at=now - dt.timedelta(days=3))
    wanted = world.item(world.bib("銀河鉄道の夜", "ギンガ テツドウ ノ ヨル"))
    others = [world.patron(*_person(fake)[:1], "ホカ ノ ヒト", at=now) for _ in range(2)]
    checkout(wanted, others[0], branch=world.main, actor=world.staff, at=now)
    place_hold(wanted.bib, others[1], pickup_branch=world.main, actor=world.staff, at=now)
    _publish(opac, signing_key)

    browser = opac.browser("en")
    # A forged token cookie (not signed by this OPAC) is no session.
    browser.jar.set_cookie(
        http.cookiejar.Cookie(
            0,
            "shoka_account",
            "forged:token",
            None,
            False,
            "127.0.0.1",
            False,
            False,
            "/account/",
            True,
            False,
            None,
            False,
            None,
            None,
            {},
        )
    )
    first = browser.get("/account/")
    assert first.status == 303 and first.headers["Location"].startswith("/account/sign-in")
    form = browser.get("/account/sign-in")
    assert form.status == 200 and form.headers["Cache-Control"] == "private, no-store"

    # A wrong PIN: a clear message that does not say which of the two was wrong.
    wrong = browser.post("/account/sign-in", {"card": card, "pin": "0000"}, csrf_from=form)
    assert wrong.status == 401
    assert "The card number or PIN is not correct." in _text(wrong)
    assert card not in wrong.text  # the card number is not echoed back

    # Without the CSRF token the form is refused.
    assert browser.post("/account/sign-in", {"card": card, "pin": pin}).status == 403

    signed_in = browser.post("/account/sign-in", {"card": card, "pin": pin}, csrf_from=form)
    assert signed_in.status == 303 and signed_in.headers["Location"] == "/account/"
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/account/" in cookie
    assert card not in cookie and pin not in cookie

    account = browser.get("/account/")
    assert account.status == 200
    assert account.headers["Cache-Control"] == "private, no-store"
    loan_id = re.search(r'action="/account/loans/(\d+)/renew"', account.text).group(1)
    due_before = re.search(r"走れメロス.*?(\d{4}-\d{2}-\d{2})", account.text, re.S).group(1)

    renewed = browser.post(f"/account/loans/{loan_id}/renew", {}, csrf_from=account)
    assert renewed.status == 303 and renewed.headers["Location"] == "/account/?done=renewed"
    account = browser.get("/account/?done=renewed")
    assert "The loan was renewed." in _text(account)
    due_after = re.search(r"走れメロス.*?(\d{4}-\d{2}-\d{2})", account.text, re.S).group(1)
    assert due_after > due_before
    # Renewed once (the rules allow one): now it says why not instead of a button.
    assert f"/account/loans/{loan_id}/renew" not in account.text
    assert "renewed 1 time(s) already" in _text(account)

    hold_form = browser.get(f"/account/holds/new?record={wanted.bib_id}")
    assert hold_form.status == 200 and "銀河鉄道の夜" in hold_form.text
    assert 'value="east"' in hold_form.text and 'value="bm"' not in hold_form.text
    placed = browser.post(
        f"/account/holds/new?record={wanted.bib_id}",
        {"pickup_branch": "east", "notify_channel": "postcard"},
        csrf_from=hold_form,
    )
    assert placed.status == 303, placed.text
    account = browser.get("/account/?done=hold_placed")
    text = _text(account)
    assert "The hold was placed." in text and "銀河鉄道の夜" in text
    assert "Number 2 in the queue" in text  # the other patron asked first
    hold_id = re.search(r'action="/account/holds/(\d+)/cancel"', account.text).group(1)
    placed_event = AuditEvent.objects.get(action="hold.placed", object_id=hold_id)
    assert placed_event.actor == f"patron:{patron.pk}"

    # The same page in Japanese.
    ja = opac.browser("ja")
    ja.jar = browser.jar
    assert "予約順位 2 番目" in _text(ja.get("/account/"))

    cancelled = browser.post(f"/account/holds/{hold_id}/cancel", {}, csrf_from=account)
    assert cancelled.status == 303
    account = browser.get("/account/?done=cancelled")
    assert "The hold was cancelled." in _text(account) and "You have no holds." in _text(account)

    out = browser.post("/account/sign-out", {}, csrf_from=account)
    assert out.status == 303
    assert browser.get("/account/").status == 303  # signed out: back to the sign-in page

    # Nothing of the patron anywhere the OPAC wrote: database, index, logs, keys.
    stored = opac.stored_text()
    assert any(p.endswith("access.log") for p, _ in stored)
    for secret in (name, card, pin, name.replace(" ", "")):
        leaks = [p for p, data in stored if secret.encode() in data]
        assert leaks == [], f"the OPAC stored patron data in {leaks}"
    # And the investigators' tool agrees: `shoka audit scan --fail-on-findings` over all of
    # it (on PostgreSQL, the OPAC database's tables copied into its folder first).
    if opac.database_url:
        _copy_tables(opac.database_url, opac.home / "dump")
    code, report = _scan(opac.home, tmp_path)
    assert code == 0, report


def _copy_tables(database_url: str, folder) -> None:
    import psycopg

    folder.mkdir(exist_ok=True)
    with psycopg.connect(database_url) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in tables.fetchall():
            with (
                (folder / f"{table}.csv").open("wb") as out,
                conn.cursor().copy(f'COPY "{table}" TO STDOUT WITH CSV HEADER') as copy,
            ):
                for block in copy:
                    out.write(block)


def test_the_account_pages_say_so_when_the_staff_side_is_unreachable(tmp_path, signing_key):
    from tests.opac.account.live import free_port

    from shoka.publish.signing import public_key_text

    dead = f"http://127.0.0.1:{free_port()}/patron-api/v1/"
    for opac in start_opac(tmp_path, public_key_text(signing_key), dead):
        browser = opac.browser("en")
        form = browser.get("/account/sign-in")
        assert form.status == 200
        answer = browser.post("/account/sign-in", {"card": "1234", "pin": "1234"}, csrf_from=form)
        assert answer.status == 503 and answer.headers["Retry-After"] == "60"
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert "Accounts are unavailable right now" in _text(answer)


def test_answers_not_signed_by_the_trusted_staff_key_are_refused(
    transactional_db, world, tmp_path, live_server, settings
):
    """An OPAC that trusts another staff key (an impostor answering, or a mix-up) treats the
    real staff side's answers as unusable: 503, and no token in a cookie."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shoka.publish.signing import public_key_text

    other = public_key_text(Ed25519PrivateKey.generate())
    for opac in start_opac(tmp_path, other, live_server.url + "/patron-api/v1/"):
        settings.SHOKA_PATRON_API_OPAC_KEY = opac.service_public_key
        fake = Faker("ja_JP")
        fake.seed_instance(6106)
        name, card, pin = _person(fake)
        world.patron(name, "テスト ジロウ", card_number=card, pin=pin, at=timezone.now())
        browser = opac.browser("en")
        form = browser.get("/account/sign-in")
        answer = browser.post("/account/sign-in", {"card": card, "pin": pin}, csrf_from=form)
        assert answer.status == 503
        assert "shoka_account" not in (answer.headers.get("Set-Cookie") or "")
        # The staff side did answer (and signed in): only the OPAC's check failed.
        assert AuditEvent.objects.filter(action="selfservice.signed_in").count() == 1
