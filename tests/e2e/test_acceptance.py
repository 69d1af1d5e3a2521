"""The acceptance scenario of the staff web interface, in a real browser, end to end.

A librarian signs in at the main library, registers a child with a guardian (the address
filled in from the postal code), serves the child at the desk by scanning the card and
scans three 紙芝居: the third is refused by the loan limit (2 of that category), with the
reason on screen. A second librarian, signed in on another computer with the desk at the
east branch, checks in a copy that a hold of the child's traps: the result says to send it
to the main library, its slip is a PDF, and it is on the east branch's outgoing transit
list. Back at the main library the first librarian receives it from the incoming transit
list, prints the hold slip, finds it on the hold shelf, and the child's summary at the desk
shows the hold ready. axe-core finds no serious or critical problem on any page visited.

Only what the scenario assumes (the collection, a loan of the copy, the child's hold) is set
up through the services; every step a librarian does goes through the screens.

With SHOKA_SCREENSHOTS=1 it refreshes docs/screenshots/{ja,en}/accept-*.png (docs/staff.md):
the English run exists only then, so a plain run walks through the scenario once."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from shoka.catalogue.models import ItemStatus
from shoka.circulation import services
from shoka.circulation.models import Hold, HoldStatus, Loan
from shoka.patrons.services import find_patron_by_card

pytestmark = pytest.mark.browser

LANGUAGES = ("ja", "en") if os.environ.get("SHOKA_SCREENSHOTS") == "1" else ("ja",)
CARD = "300101"
# What the screens say, in each language (the rest is checked by barcode, number and cue).
SAYS: dict[str, dict[str, Any]] = {
    "ja": {
        "limit": "「紙芝居」の貸出上限（2点）に達しています。",
        "transit": "本館へ回送",
        "hold_waiting": "回送先で予約が待っています。",
        "hold_shelf": "取置棚へ: 取置番号 {number}",
    },
    "en": {
        "limit": re.compile(r"The limit of 2 items of “[^”]+” is reached\."),
        "transit": "Send it in transit to 本館",
        "hold_waiting": "A hold is waiting for it there.",
        "hold_shelf": "Put it on the hold shelf: pickup number {number}",
    },
}


@pytest.fixture
def other_page(page: Page, live_server: Any) -> Iterator[Page]:
    """A tab in a second browser context, set up as `page` is: another desk PC, which
    shares no cookies with the first."""
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport=page.viewport_size,
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _in_language(page: Page, lang: str) -> None:
    """Open the sign-in page in `lang`, through the language switch as a person would."""
    page.goto("/login/")
    if lang != "ja":
        with page.expect_navigation():
            page.get_by_label("言語").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _passes_axe(page: Page, axe: Any) -> None:
    violations = axe(page)
    assert not violations, violations


def _is_pdf(page: Page, href: str | None) -> None:
    """The slip a link opens: fetched with the tab's session, it is a PDF."""
    assert href, "no slip link"
    response = page.request.get(href)
    assert response.status == 200, href
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_acceptance_scenario(
    world: Any,
    page: Page,
    other_page: Page,
    sign_in: Callable[..., None],
    axe: Any,
    screenshot: Callable[[Page, str], Any],
    django_user_model: Any,
    lang: str,
) -> None:
    says = SAYS[lang]
    now = timezone.now()
    # --- what the scenario assumes, through the services ---------------------------------
    kamishibai = [
        world.item(world.bib(title, reading), loan_category="kamishibai")
        for title, reading in (
            ("おおきなかぶ", "オオキナ カブ"),
            ("ももたろう", "モモタロウ"),
            ("かさじぞう", "カサジゾウ"),
        )
    ]
    wanted = world.item(world.bib("はらぺこあおむし", "ハラペコ アオムシ"), branch=world.east)
    reader = world.patron("高橋 実", "タカハシ ミノル")
    services.checkout(wanted, reader, branch=world.east, actor=world.staff, at=now)
    colleague = django_user_model.objects.create_user("librarian2", password="x")
    colleague.groups.add(Group.objects.get(name="librarian"))

    # --- 1. the first librarian signs in (the desk starts at the main library) ------------
    _in_language(page, lang)
    page.locator("#id_username").fill(world.staff_user.get_username())
    screenshot(page, "accept-01-sign-in")
    _passes_axe(page, axe)
    sign_in(page, world.staff_user.get_username())
    assert urlsplit(page.url).path == "/", f"sign-in failed, still on {page.url}"

    # --- 2. registers a child with a guardian; the postal code fills in the address -------
    page.goto("/patrons/new/")
    page.locator("#id_card_number").fill(CARD)
    page.locator("#id_category").select_option("child")
    page.locator("#id_name").fill("鈴木 さくら")
    page.locator("#id_name_kana").fill("すずき さくら")
    page.locator("#id_birth_date").fill("2019-05-05")
    page.locator("#id_guardian_name").fill("鈴木 誠")
    page.locator("#id_guardian_relation").fill("父")
    page.locator("#id_guardian_contact").fill("0263-12-3456")
    page.locator("#id_postal_code").press_sequentially("390-0811")
    address = page.locator("#id_address")
    expect(address).to_have_value("長野県松本市中央")
    expect(page.locator("#postal-status")).to_contain_text("〒390-0811")
    address.click()
    address.press("End")
    address.press_sequentially("3丁目5-7")
    page.locator("#id_phone").fill("0263-12-3456")
    screenshot(page, "accept-02-register-child")
    _passes_axe(page, axe)
    with page.expect_navigation():
        page.locator("#id_phone").press("Enter")  # Enter saves

    child = find_patron_by_card(world.library.pk, CARD)
    assert child is not None, "the child was not registered"
    assert (child.category.code, child.guardian_name) == ("child", "鈴木 誠")
    assert child.address == "長野県松本市中央3丁目5-7"
    expect(page.get_by_role("heading", level=1)).to_contain_text("鈴木 さくら")
    screenshot(page, "accept-03-patron-page")
    _passes_axe(page, axe)
    # The child asks for a title that is out on loan, collected here at the main library.
    hold = services.place_hold(
        wanted.bib, child, pickup_branch=world.main, actor=world.staff, at=timezone.now()
    )

    # --- 3. serves the child at the desk: the card is scanned -----------------------------
    page.goto("/desk/")
    expect(page.locator("h1")).to_contain_text("本館")
    page.locator("#id_card").fill(CARD)
    with page.expect_navigation():
        page.locator("#id_card").press("Enter")
    expect(page.locator("#patron-h")).to_contain_text("鈴木 さくら")
    screenshot(page, "accept-04-desk-patron")

    # --- 4. three items scanned: the third is refused by the 紙芝居 limit -----------------
    scan, results = page.locator("#id_barcode"), page.locator("#results > li")
    for n, item in enumerate(kamishibai, start=1):
        expect(scan).to_be_focused()  # the scanner types into the scan field, then Enter
        scan.fill(item.barcode)
        scan.press("Enter")
        expect(results).to_have_count(n)
        expect(results.first).to_contain_text(item.barcode)
    expect(page.locator("#results > li[data-cue=ok]")).to_have_count(2)
    refused = results.first
    expect(refused).to_have_attribute("data-cue", "refused")
    expect(refused.get_by_role("alert")).to_be_visible()  # announced to screen readers
    expect(refused.locator(".refusals")).to_have_text(says["limit"])
    expect(page.locator("#patron")).to_contain_text(kamishibai[1].barcode)  # the loans table
    screenshot(page, "accept-05-desk-limit-refused")
    _passes_axe(page, axe)
    on_loan = Loan.objects.filter(patron=child, returned_at__isnull=True)
    assert sorted(on_loan.values_list("item__barcode", flat=True)) == sorted(
        item.barcode for item in kamishibai[:2]
    )

    # --- 5. a second librarian, at the east branch, checks the wanted copy in -------------
    lib2 = other_page
    _in_language(lib2, lang)
    sign_in(lib2, "librarian2")
    lib2.goto("/desk/return/")
    lib2.locator("#desk-branch").select_option(label="東分館")
    with lib2.expect_navigation():
        lib2.locator(".deskbar form.branch [type=submit]").click()
    expect(lib2.locator("h1")).to_contain_text("東分館")
    expect(lib2.locator(".deskbar a[aria-current=page]")).to_have_attribute("href", "/desk/return/")
    lib2.locator("#id_barcode").fill(wanted.barcode)
    lib2.locator("#id_barcode").press("Enter")
    result = lib2.locator("#results > li")
    expect(result).to_have_count(1)
    expect(result).to_have_attribute("data-cue", "action")
    expect(result.locator(".headline")).to_contain_text(says["transit"])
    expect(result.locator(".details")).to_contain_text(says["hold_waiting"])
    screenshot(lib2, "accept-06-return-at-east-transit")
    _passes_axe(lib2, axe)
    # The slip that goes with the item (F9 opens it for printing).
    slip = result.locator(".slip-link")
    expect(slip).to_have_attribute("href", f"/desk/slips/transit/{wanted.pk}/")
    _is_pdf(lib2, slip.get_attribute("href"))
    # and the hold slip (pickup number and date, no title) that goes into the item
    hold_slip_east = result.locator(".hold-slip-link")
    expect(hold_slip_east).to_have_attribute("href", f"/desk/slips/hold/{hold.pk}/")
    _is_pdf(lib2, hold_slip_east.get_attribute("href"))
    hold.refresh_from_db()
    assert hold.status == HoldStatus.IN_TRANSIT and hold.item_id == wanted.pk
    assert hold.pickup_number  # trapped: its pickup number is known from now on

    # --- 6. the item is on the east branch's outgoing transit list ------------------------
    lib2.goto("/holds/transit/")
    outgoing = lib2.locator("section[aria-labelledby=outgoing-h] tbody tr")
    expect(outgoing).to_have_count(1)
    expect(outgoing).to_contain_text(wanted.barcode)
    expect(outgoing).to_contain_text("本館")
    expect(outgoing).to_contain_text(hold.pickup_number)
    screenshot(lib2, "accept-07-east-transit-outgoing")
    _passes_axe(lib2, axe)

    # --- 7. at the main library the item is received: the hold is ready ------------------
    page.goto("/holds/transit/")
    incoming = page.locator("section[aria-labelledby=incoming-h] tbody tr")
    expect(incoming).to_have_count(1)
    expect(incoming).to_contain_text(wanted.barcode)
    with page.expect_navigation():
        incoming.locator(f"form[action='/holds/transit/{wanted.pk}/receive/'] button").click()
    outcome = page.locator(".outcomes li")
    expect(outcome).to_contain_text(says["hold_shelf"].format(number=hold.pickup_number))
    hold_slip = outcome.locator("a")
    expect(hold_slip).to_have_attribute("href", f"/desk/slips/hold/{hold.pk}/")
    _is_pdf(page, hold_slip.get_attribute("href"))  # the hold slip goes into the item
    expect(page.locator("section[aria-labelledby=incoming-h] tbody tr")).to_have_count(0)
    screenshot(page, "accept-08-main-received-hold-slip")
    _passes_axe(page, axe)

    page.goto("/holds/shelf/")
    shelf = page.locator("tbody tr")
    expect(shelf).to_have_count(1)
    expect(shelf.locator("td.number")).to_have_text(hold.pickup_number)
    expect(shelf).to_contain_text(wanted.barcode)
    expect(shelf).to_contain_text(CARD[-4:])
    screenshot(page, "accept-09-main-hold-shelf")
    _passes_axe(page, axe)

    # The child is still being served at the desk: the summary shows the hold ready.
    page.goto("/desk/")
    ready = page.locator("section[aria-labelledby=holds-h] tbody tr")
    expect(ready).to_have_count(1)
    expect(ready).to_contain_text(hold.pickup_number)
    expect(ready).to_contain_text("はらぺこあおむし")
    screenshot(page, "accept-10-desk-hold-ready")

    hold.refresh_from_db()
    wanted.refresh_from_db()
    assert hold.status == HoldStatus.READY and hold.ready_at is not None
    assert wanted.status == ItemStatus.ON_HOLD_SHELF and wanted.current_branch_id == world.main.pk
    assert Hold.objects.filter(patron=child, status=HoldStatus.READY).count() == 1
