"""The patron screens in a real browser: a librarian registers a child. Typing the postal
code fills in the address (htmx), the missing guardian is refused field by field, and the
patron's page says the viewing was recorded. axe-core finds no serious or critical problem
on the form, the form with errors, or the patron's page.

With SHOKA_SCREENSHOTS=1 this also refreshes docs/screenshots/ja/patron-*.png."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from shoka.audit.models import AccessEvent
from shoka.patrons.models import Patron

pytestmark = pytest.mark.browser


def test_registering_a_child_with_the_address_from_the_postal_code(
    world, librarian, axe, screenshot
):
    page = librarian
    page.goto("/patrons/new/")
    page.locator("#id_card_number").fill("300002")
    page.locator("#id_category").select_option("child")
    page.locator("#id_name").fill("佐藤 陽太")
    page.locator("#id_name_kana").fill("さとう ようた")
    page.locator("#id_birth_date").fill("2018-08-08")
    page.locator("#id_postal_code").press_sequentially("390-0811")

    # The address is filled in as soon as the 7 digits are typed; the librarian adds the rest.
    address = page.locator("#id_address")
    expect(address).to_have_value("長野県松本市中央")
    expect(page.locator("#postal-status")).to_contain_text("〒390-0811")
    address.click()
    address.press("End")
    address.press_sequentially("2丁目3-4")
    page.locator("#id_phone").fill("0263-12-3456")
    screenshot(page, "patron-register")
    violations = axe(page)
    assert not violations, violations

    # No guardian yet: refused, with an error on each guardian field, nothing lost.
    with page.expect_navigation():
        page.locator("button.primary").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator("#id_guardian_name_error")).to_be_visible()
    expect(page.locator("#id_guardian_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_guardian_name")).to_be_focused()
    expect(page.locator("#id_address")).to_have_value("長野県松本市中央2丁目3-4")
    screenshot(page, "patron-register-refused")
    violations = axe(page)
    assert not violations, violations

    page.locator("#id_guardian_name").fill("佐藤 健")
    page.locator("#id_guardian_relation").fill("父")
    page.locator("#id_guardian_contact").fill("0263-12-3456")
    with page.expect_navigation():
        page.locator("#id_guardian_contact").press("Enter")  # Enter saves, not the look-up

    patron = Patron.objects.get()
    assert urlsplit(page.url).path == f"/patrons/{patron.pk}/"
    assert patron.address == "長野県松本市中央2丁目3-4"
    assert patron.guardian_name == "佐藤 健"
    expect(page.get_by_role("heading", level=1)).to_contain_text("佐藤 陽太")
    expect(page.locator(".access-note")).to_contain_text(re.compile(r"\d\d:\d\d"))
    assert AccessEvent.objects.filter(action="patron.viewed", object_id=str(patron.pk)).exists()
    assert "佐藤" not in page.title()
    screenshot(page, "patron-page")
    violations = axe(page)
    assert not violations, violations
