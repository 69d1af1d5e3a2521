"""The holds screens in a real browser at 1366×768: the hold shelf with an expired hold,
clearing it, then the pick list and the transit lists. axe-core finds no serious or
critical problem on any of them (docs/staff-holds.md).

With SHOKA_SCREENSHOTS=1 this test also refreshes docs/screenshots/ja/holds-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shoka.catalogue.services import ItemData, add_item
from shoka.circulation import services

pytestmark = pytest.mark.browser


def _copy(world, barcode: str, *, branch=None):
    data = ItemData(
        barcode=barcode,
        branch=(branch or world.main).code,
        location="general",
        loan_category="book",
        call_number="913/ミ",
    )
    return add_item(world.bib(), data, actor=world.staff, at=timezone.now())


def test_the_hold_shelf_is_cleared_and_the_holds_pages_pass_axe(world, librarian, axe, screenshot):
    page = librarian
    now = timezone.now()
    long_ago = now - dt.timedelta(days=20)
    for barcode, at in (("300001", long_ago), ("300002", now)):
        item = _copy(world, barcode)
        services.place_hold(
            item.bib, world.patron(), pickup_branch=world.main, actor=world.staff, at=at
        )
        services.checkin(item.barcode, branch=world.main, actor=world.staff, at=at)
    wanted = _copy(world, "300003")  # on the shelf, wanted: the pick list
    services.place_hold(
        wanted.bib, world.patron(), pickup_branch=world.east, actor=world.staff, at=now
    )
    travelling = _copy(world, "300004", branch=world.east)  # on its way here for a hold
    services.place_hold(
        travelling.bib, world.patron(), pickup_branch=world.main, actor=world.staff, at=now
    )
    services.checkin(travelling.barcode, branch=world.east, actor=world.staff, at=now)

    page.goto("/holds/shelf/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("tr.expired")).to_contain_text("300001")
    screenshot(page, "holds-shelf")
    violations = axe(page)
    assert not violations, violations

    with page.expect_navigation():
        page.locator("form[action='/holds/shelf/clear/'] button").click()
    expect(page.locator(".outcomes")).to_contain_text("300001")
    expect(rows).to_have_count(1)
    expect(page.locator("tr.expired")).to_have_count(0)
    violations = axe(page)
    assert not violations, violations

    for path, expected in (("/holds/pick/", "300003"), ("/holds/transit/", "300004")):
        page.goto(path)
        expect(page.locator("main")).to_contain_text(expected)
        screenshot(page, "holds-" + path.strip("/").split("/")[-1])
        violations = axe(page)
        assert not violations, violations

    page.goto("/holds/")
    page.locator("#id_q").fill("日本")
    with page.expect_navigation():
        page.locator("#id_q").press("Enter")
    page.locator("a[href^='/holds/title/']").first.click()
    expect(page.locator("h1")).to_be_visible()
    violations = axe(page)
    assert not violations, violations
