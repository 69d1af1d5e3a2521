"""The phone-call list in a real browser: a librarian goes from the notices page to the
list, records the result of a call with the keyboard, and the call leaves the list. axe-core
finds no serious or critical problem on either page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.conftest import AT

from shoka.circulation import services
from shoka.notices.daily import run_notices
from shoka.notices.models import Notice

pytestmark = pytest.mark.browser


def test_a_librarian_records_a_call_from_the_phone_list(world, librarian, axe, screenshot):
    loaned = AT - dt.timedelta(days=60)
    patron = world.patron("佐藤 太郎", "サトウ タロウ", at=loaned - dt.timedelta(days=1))
    item = world.item(world.bib("吾輩は猫である"))
    loan = services.checkout(
        item.barcode, patron, branch=world.main, actor=world.staff, at=loaned
    ).loan
    run_notices(
        world.library,
        at=dt.datetime.combine(loan.due_on + dt.timedelta(days=30), dt.time(7), AT.tzinfo),
    )
    page = librarian
    page.get_by_role("link", name="督促・通知").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("督促・通知")
    assert not (violations := axe(page)), violations
    page.get_by_role("link", name="電話リスト").click()
    expect(page).to_have_title("督促電話 — 書架")
    row = page.get_by_role("row").filter(has_text="佐藤 太郎")
    expect(row).to_contain_text("吾輩は猫である")
    expect(row).to_contain_text("0263-12-3456")
    screenshot(page, "notices-phone")
    assert not (violations := axe(page)), violations
    result = row.get_by_label("結果")
    result.select_option("reached")
    result.focus()
    with page.expect_navigation():
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    expect(page.get_by_text("かける電話はありません。")).to_be_visible()
    assert Notice.objects.get(patron=patron).call_result == "reached"
