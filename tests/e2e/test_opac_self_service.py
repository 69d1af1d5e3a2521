"""Self-service in chromium (docs/opac-self-service.md): a record page's "place a hold" link →
sign in → choose the pickup branch and how to be told → the hold in "my account" with its
place in the queue. The staff site is the live server, the OPAC a process of its own.
Screenshots (SHOKA_SCREENSHOTS=1) go to docs/screenshots/opac/<lang>-<name>.png; axe-core
finds no serious or critical violation on the account pages."""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

import pytest
from django.utils import timezone
from faker import Faker
from playwright.sync_api import Page
from tests.opac.account.live import start_opac

from shoka.circulation.services import checkout, place_hold
from shoka.publish.builder import build_full
from shoka.publish.delivery import push
from shoka.publish.models import PublishTarget

from .conftest import ROOT, _axe

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots" / "opac"
VIEWPORT = {"width": 960, "height": 720}


def _shot(page: Page, lang: str, name: str) -> Path | None:
    if os.environ.get("SHOKA_SCREENSHOTS") != "1":
        return None
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{lang}-{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


def test_a_patron_signs_in_places_a_hold_and_sees_it(
    transactional_db, world, browser, live_server, settings, tmp_path
):
    from shoka.publish.signing import generate_key_file, load_private_key, public_key_text

    key_file = Path(settings.SHOKA_PUBLISH_KEY_FILE)
    if not key_file.exists():
        generate_key_file(key_file)
    signing_key = load_private_key(key_file)
    from shoka.staff.patronapi.views import reset_limits

    fake = Faker("ja_JP")
    fake.seed_instance(6205)
    card = str(fake.random_number(digits=10, fix_len=True))
    pin = str(fake.random_number(digits=6, fix_len=True))
    now = timezone.now()
    patron = world.patron(fake.name(), "テスト ハナコ", card_number=card, pin=pin, at=now)
    wanted = {
        "ja": world.bib("吾輩は猫である", "ワガハイ ハ ネコ デ アル"),
        "en": world.bib("坊っちゃん", "ボッチャン"),
    }
    for bib in wanted.values():  # on loan, and someone else asked first: we are number 2
        checkout(
            world.item(bib),
            world.patron(fake.name(), "ホカ ノ ヒト", at=now),
            branch=world.main,
            actor=world.staff,
            at=now,
        )
        place_hold(
            bib,
            world.patron(fake.name(), "マエ ノ ヒト", at=now),
            pickup_branch=world.main,
            actor=world.staff,
            at=now,
        )
    checkout(
        world.item(world.bib("こころ", "ココロ")),
        patron,
        branch=world.main,
        actor=world.staff,
        at=now,
    )

    staff_api = live_server.url + "/patron-api/v1/"
    for opac in start_opac(tmp_path, public_key_text(signing_key), staff_api):
        settings.SHOKA_PATRON_API_OPAC_KEY = opac.service_public_key
        reset_limits()
        build_full(key=signing_key)
        push(PublishTarget.objects.get(name="opac"), opac.publish_url(), sleep=lambda _: None)
        for lang, bib in wanted.items():
            _hold_in_browser(browser, opac.base, lang, bib, card, pin)


def _hold_in_browser(browser, base: str, lang: str, bib, card: str, pin: str) -> None:
    context = browser.new_context(
        base_url=base,
        locale="ja-JP" if lang == "ja" else "en-GB",
        timezone_id="Asia/Tokyo",
        viewport=VIEWPORT,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        # Search, open the record from the results, then its "place a hold" link: not
        # signed in, so to the sign-in form.
        page.goto("/search?q=" + urllib.parse.quote(bib.title_reading))
        with page.expect_navigation():
            page.locator(f'a[href="/records/{bib.pk}"]').first.click()
        assert page.url.endswith(f"/records/{bib.pk}"), page.url
        with page.expect_navigation():
            page.locator(f'a[href="/account/holds/new?record={bib.pk}"]').click()
        assert page.url.startswith(base + "/account/sign-in")
        assert page.evaluate("() => document.documentElement.lang") == lang
        assert not _axe(page), _axe(page)
        _shot(page, lang, "sign-in")
        page.locator("#id_card").fill(card)
        page.locator("#id_pin").fill(pin)
        with page.expect_navigation():
            page.locator("form.account-form [type=submit]").click()

        # Back on the hold form: pickup branch and notification.
        assert re.search(r"/account/holds/new\?record=\d+$", page.url), page.url
        assert bib.title in page.content()
        page.locator("#id_pickup_branch").select_option("east")
        page.locator("input[name=notify_channel][value=postcard]").check()
        assert not _axe(page), _axe(page)
        _shot(page, lang, "place-hold")
        with page.expect_navigation():
            page.locator("form.account-form [type=submit]").click()

        assert page.url.endswith("/account/?done=hold_placed"), page.url
        holds = page.locator("#holds-heading + table").inner_text()
        assert bib.title in holds
        assert ("予約順位 2 番目" if lang == "ja" else "Number 2 in the queue") in holds
        assert "こころ" in page.locator("#loans-heading + table").inner_text()
        assert not _axe(page), _axe(page)
        _shot(page, lang, "my-account")
    finally:
        context.close()
