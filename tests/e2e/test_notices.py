"""The phone-call list in a real browser: a librarian goes from the notices page to the
list, records the result of a call with the keyboard, and the call leaves the list. axe-core
finds no serious or critical problem on either page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from tests.conftest import AT

from shoka.circulation import services
from shoka.notices.daily import run_notices
from shoka.notices.models import Notice, NoticeTemplate

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


def test_an_administrator_edits_a_letters_text_with_a_preview(world, librarian, axe, screenshot):
    """From *Notices* to *Notice texts*: a broken text is refused with an alert and kept in
    the field; the mended text is previewed on the made-up patron and saved."""
    world.staff_user.groups.add(Group.objects.get(name="administrator"))
    page = librarian
    page.get_by_role("link", name="督促・通知").click()
    page.get_by_role("link", name=re.compile("通知の文面")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("通知の文面")
    assert not (violations := axe(page)), violations
    page.get_by_role("row").filter(has_text="延滞：封書").filter(has_text="日本語").get_by_role(
        "link"
    ).first.click()
    expect(page.locator(".preview")).to_contain_text("見本 花子 様")
    assert not (violations := axe(page)), violations
    body = page.get_by_label("本文")
    body.fill("{% for i in items %}{{ i.title }}")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("保存していません")
    expect(body).to_have_value("{% for i in items %}{{ i.title }}")
    assert not (violations := axe(page)), violations
    body.fill("{{ name }} 様\n{% for i in items %}・{{ i.title }}\n{% endfor %}お返しください。")
    with page.expect_navigation():
        page.get_by_role("button", name="プレビュー", exact=True).click()
    expect(page.locator(".preview")).to_contain_text("・見本の本")
    screenshot(page, "notices-text")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("保存しました")
    assert NoticeTemplate.objects.get(library=world.library, key="overdue_letter", language="ja")


def test_a_librarian_prints_the_postcards_and_prints_the_batch_again(world, librarian, axe):
    loaned = AT - dt.timedelta(days=60)
    patron = world.patron("佐藤 太郎", "サトウ タロウ", at=loaned - dt.timedelta(days=1))
    item = world.item(world.bib("吾輩は猫である"))
    loan = services.checkout(
        item.barcode, patron, branch=world.main, actor=world.staff, at=loaned
    ).loan
    run_notices(
        world.library,
        at=dt.datetime.combine(loan.due_on + dt.timedelta(days=14), dt.time(7), AT.tzinfo),
    )
    page = librarian
    page.goto("/notices/")
    page.get_by_label("はがき").check()
    with page.expect_download() as first:
        page.get_by_role("button", name="印刷", exact=True).click()
    assert first.value.suggested_filename == "postcards.pdf"
    page.reload()
    row = (
        page.get_by_role("row")
        .filter(has_text="はがき")
        .filter(has=page.get_by_role("button", name=re.compile("もう一度印刷")))
    )
    expect(row).to_have_count(1)
    assert not (violations := axe(page)), violations
    with page.expect_download() as again:
        row.get_by_role("button").click()
    assert again.value.suggested_filename.startswith("reprint-")
    notice = Notice.objects.get(patron=patron)
    assert notice.status == "sent" and notice.batch_id is not None
