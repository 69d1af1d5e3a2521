"""The public catalogue in chromium (docs/opac.md): a visitor goes home → search → record →
new arrivals → branch page, in Japanese and in English, on a live OPAC process with a small
published catalogue. axe-core checks every page; on a phone-sized screen nothing scrolls
sideways. With SHOKA_SCREENSHOTS=1 the pages are saved to docs/screenshots/opac/."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page
from tests.opac.conftest import live_opac, signing_key  # noqa: F401  (fixtures)
from tests.opac.sample import BRANCHES, RECORDS

from .conftest import ROOT

pytestmark = pytest.mark.browser

SHOTS = ROOT / "docs" / "screenshots" / "opac"
WIDTH = 1000  # screenshots stay small: 1000 CSS pixels wide, 64 colours
PHONE = {"width": 375, "height": 740}


def _shot(page: Page, name: str) -> None:
    if os.environ.get("SHOKA_SCREENSHOTS") != "1":
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def _sideways(page: Page) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def _check(page: Page, lang: str, axe: Callable[[Page], Any], name: str) -> None:
    assert page.evaluate("document.documentElement.lang") == lang
    violations = axe(page)
    assert not violations, f"{name} ({lang}): {violations!r}"
    _shot(page, f"{name}-{lang}")


def _visit(page: Page, lang: str, axe: Callable[[Page], Any]) -> None:
    page.goto("/")
    _check(page, lang, axe, "home")
    page.locator("#home-q").fill("なつめ")  # a reading in hiragana finds 夏目漱石's こころ
    with page.expect_navigation():
        page.locator("#home-q").press("Enter")
    assert page.locator("a.title").all_inner_texts() == ["こころ"]
    _check(page, lang, axe, "search")

    with page.expect_navigation():
        page.locator("a.title", has_text="こころ").click()
    assert page.locator("h1").inner_text() == "こころ"
    assert page.locator("a[href^='/account/holds/new?record=']").count() == 1
    _check(page, lang, axe, "record")

    with page.expect_navigation():
        page.locator(".site-nav a[href='/new/']").click()
    assert page.locator("h2.arrival-date time").count() == 2
    _check(page, lang, axe, "new-arrivals")

    with page.expect_navigation():
        page.locator(".site-nav a[href='/branches/']").click()
    with page.expect_navigation():
        page.locator("h2 a[href='/branches/main/']").click()
    assert page.locator("table.calendar th[scope=col]").count() == 7
    assert page.locator("td[aria-current=date]").count() == 1
    _check(page, lang, axe, "branch")

    page.set_viewport_size(PHONE)
    for path in ("/", "/search?q=こころ", "/records/101", "/branches/main/"):
        page.goto(path)
        assert _sideways(page) <= 0, f"{path} scrolls sideways on a phone ({lang})"


def test_a_visitor_searches_reads_a_record_and_finds_a_branch_in_both_languages(
    browser: Browser,
    live_opac: Any,  # noqa: F811  (the fixture imported above)
    axe: Callable[[Page], Any],
) -> None:
    live_opac.publish(records=RECORDS, branches=BRANCHES)
    for locale, lang in (("ja-JP", "ja"), ("en-US", "en")):
        context = browser.new_context(
            base_url=live_opac.base,
            locale=locale,
            timezone_id="Asia/Tokyo",
            viewport={"width": WIDTH, "height": 800},
        )
        context.set_default_timeout(10_000)
        try:
            _visit(context.new_page(), lang, axe)
        finally:
            context.close()
