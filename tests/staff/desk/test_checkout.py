"""Lending at the desk: a result per scan, the refusal reason from the service, overrides."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from shoka.audit.models import AuditEvent
from shoka.circulation.models import Loan


def test_scanning_an_item_lends_it_and_shows_the_due_date(desk, world):
    patron, item = world.patron(), world.item(world.bib("こころ", "ココロ"))
    desk.serve(patron)

    response = desk.lend(item.barcode, htmx=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-cue="ok"' in html
    assert "Lent" in html and "こころ" in html
    loan = Loan.objects.get(item=item, returned_at__isnull=True)
    assert loan.patron_id == patron.pk
    assert loan.due_on.isoformat() in html
    # The loans table is refreshed out of band with the new loan.
    assert 'id="loans"' in html and 'hx-swap-oob="true"' in html


def test_without_htmx_the_whole_page_shows_the_result(desk, world):
    patron, item = world.patron(), world.item()
    desk.serve(patron)
    page = desk.lend(item.barcode).content.decode()
    assert "<html" in page and 'data-cue="ok"' in page
    assert Loan.objects.filter(item=item, returned_at__isnull=True).exists()


def test_an_unknown_barcode_is_refused_with_the_reason(desk, world):
    desk.serve(world.patron())
    html = desk.lend("NOPE-1", htmx=True).content.decode()
    assert 'data-cue="refused"' in html
    assert "No item has barcode NOPE-1." in html


def test_lending_needs_a_patron_first(desk, world):
    item = world.item()
    html = desk.lend(item.barcode, htmx=True).content.decode()
    assert "Scan the patron&#x27;s card first." in html
    assert not Loan.objects.filter(item=item).exists()


def _av_items(world, n):
    return [world.item(loan_category="av") for _ in range(n)]


def test_the_limit_rule_refuses_the_fourth_av_item_with_its_reason(desk, world):
    patron = world.patron()
    items = _av_items(world, 4)
    desk.serve(patron)
    for item in items[:3]:
        assert 'data-cue="ok"' in desk.lend(item.barcode, htmx=True).content.decode()

    html = desk.lend(items[3].barcode, htmx=True).content.decode()

    assert 'data-cue="refused"' in html
    assert "Not lent" in html
    assert "The limit of 3 items of “視聴覚” is reached." in html
    assert not Loan.objects.filter(item=items[3]).exists()
    # A librarian may override: the form asks for a reason.
    assert 'name="override_reason"' in html and "Lend anyway" in html


def test_the_refusal_is_in_japanese_for_a_japanese_desk(desk, world):
    patron = world.patron()
    items = _av_items(world, 4)
    desk.serve(patron)
    for item in items[:3]:
        desk.lend(item.barcode, htmx=True)
    html = desk.post(
        "/desk/checkout/", {"barcode": items[3].barcode}, htmx=True, HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    assert "貸出できません" in html
    assert "視聴覚" in html and "The limit" not in html


def test_a_librarian_overrides_the_limit_with_a_reason_and_it_is_audited(desk, world):
    patron = world.patron()
    items = _av_items(world, 4)
    desk.serve(patron)
    for item in items:
        desk.lend(item.barcode, htmx=True)

    html = desk.lend(items[3].barcode, htmx=True, reason="学校の調べ学習").content.decode()

    assert 'data-cue="ok"' in html
    assert "Overridden: The limit of 3 items of “視聴覚” is reached." in html
    loan = Loan.objects.get(item=items[3], returned_at__isnull=True)
    assert loan.overridden
    event = AuditEvent.objects.get(action="loan.refusal_overridden", object_id=str(loan.pk))
    assert event.data == {"codes": ["limit_category"], "reason": "学校の調べ学習"}


def test_a_role_without_the_override_permission_cannot_override(desk, world):
    # A library that gives its desk staff no override: the librarian role without it.
    perm = Permission.objects.get(codename="override_refusal")
    Group.objects.get(name="librarian").permissions.remove(perm)
    patron = world.patron()
    items = _av_items(world, 4)
    desk.serve(patron)
    for item in items[:3]:
        desk.lend(item.barcode, htmx=True)

    refused = desk.lend(items[3].barcode, htmx=True).content.decode()
    assert 'name="override_reason"' not in refused
    assert "A staff member with the override permission" in refused

    forced = desk.lend(items[3].barcode, htmx=True, reason="どうしても").content.decode()
    assert 'data-cue="refused"' in forced
    assert "The limit of 3 items of “視聴覚” is reached." in forced
    assert not Loan.objects.filter(item=items[3]).exists()
    assert not AuditEvent.objects.filter(action="loan.refusal_overridden").exists()


def test_renewal_from_the_summary_extends_the_loan(desk, world):
    patron, item = world.patron(), world.item()
    loan = desk.loan(item, patron).loan
    desk.serve(patron)

    html = desk.post("/desk/renew/", {"barcode": item.barcode}, htmx=True).content.decode()

    assert 'data-cue="ok"' in html and "Renewed" in html
    loan.refresh_from_db()
    assert loan.renewals == 1


def test_a_second_renewal_is_refused_with_the_reason(desk, world):
    patron, item = world.patron(), world.item()
    desk.loan(item, patron)
    desk.serve(patron)
    desk.post("/desk/renew/", {"barcode": item.barcode}, htmx=True)
    html = desk.post("/desk/renew/", {"barcode": item.barcode}, htmx=True).content.decode()
    assert 'data-cue="refused"' in html
    assert "The item has been renewed 1 time(s) already." in html


def test_renewing_someone_elses_loan_is_refused(desk, world):
    other, item = world.patron(), world.item()
    desk.loan(item, other)
    desk.serve(world.patron("鈴木 一郎", "スズキ イチロウ"))
    html = desk.post("/desk/renew/", {"barcode": item.barcode}, htmx=True).content.decode()
    assert "The item is not on loan." in html


def test_renew_all_renews_every_loan(desk, world):
    patron = world.patron()
    items = [world.item(), world.item()]
    for item in items:
        desk.loan(item, patron)
    desk.serve(patron)
    html = desk.post("/desk/renew/all/", htmx=True).content.decode()
    assert html.count('data-cue="ok"') == 2
    assert set(Loan.objects.filter(item__in=items).values_list("renewals", flat=True)) == {1}


def test_the_receipt_lists_due_dates_without_the_name(desk, world, title_of):
    patron, item = world.patron("高橋 美咲", "タカハシ ミサキ"), world.item()
    loan = desk.loan(item, patron).loan
    desk.serve(patron)

    page = desk.get("/desk/receipt/").content.decode()

    assert loan.due_on.isoformat() in page
    assert item.barcode in page
    assert "高橋" not in page
    assert str(patron.card_number) not in page
    assert str(patron.card_number)[-4:] in page
    assert "Receipt" in title_of(page)
