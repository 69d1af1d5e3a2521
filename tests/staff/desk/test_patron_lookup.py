"""Scanning a patron card: the summary, the access event, a wrong card."""

from __future__ import annotations

import datetime as dt

from shoka.audit.models import AccessEvent
from shoka.patrons.services import block_patron


def test_scanning_a_card_shows_the_patron_and_records_the_view(desk, world):
    patron = world.patron("佐藤 花子", "サトウ ハナコ")
    before = AccessEvent.objects.count()

    page = desk.serve(patron).content.decode()

    assert "佐藤 花子" in page
    assert "Viewing this patron is recorded in the access log." in page
    assert "May borrow" in page
    event = AccessEvent.objects.order_by("seq").last()
    assert AccessEvent.objects.count() == before + 1
    assert event.action == "patron.viewed"
    assert event.object_id == str(patron.pk)
    assert event.actor == f"user:{world.staff_user.pk}"
    assert event.data == {"context": "desk"}


def test_a_wrong_card_says_so_and_serves_nobody(desk, world):
    world.patron()
    response = desk.post("/desk/patron/", {"card": "999999"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "No patron has card number 999999." in page
    assert 'data-cue="refused"' in page
    assert desk.client.session.get("desk.patron") is None


def test_the_summary_lists_loans_with_due_dates_and_overdue_marks(desk, world):
    patron = world.patron()
    on_time, late = world.item(), world.item()
    desk.loan(on_time, patron)
    from shoka.circulation import services

    services.checkout(
        late.barcode,
        patron,
        branch=world.main,
        actor=world.staff,
        at=desk.now - dt.timedelta(days=30),
    )

    page = desk.serve(patron).content.decode()

    assert on_time.barcode in page and late.barcode in page
    assert "overdue" in page
    # The overdue item refuses further loans, and the page says why.
    assert "Why loans are refused" in page
    assert "The patron has 1 overdue item(s): return them first." in page


def test_a_blocked_patron_shows_the_reason(desk, world):
    patron = world.patron()
    block_patron(patron, "カード紛失", actor=world.staff, at=desk.now)
    page = desk.serve(patron).content.decode()
    assert "The card is blocked by staff: カード紛失." in page


def test_a_ready_hold_is_shown_with_its_pickup_number(desk, world):
    patron, item = world.patron(), world.item()
    hold = desk.hold(item.bib, patron, pickup=world.main)
    desk.check_in(item.barcode)
    hold.refresh_from_db()
    assert hold.status == "ready"

    page = desk.serve(patron).content.decode()
    assert "Holds ready on the hold shelf" in page
    assert hold.pickup_number in page


def test_next_patron_forgets_the_patron(desk, world):
    desk.serve(world.patron())
    response = desk.post("/desk/patron/next/")
    assert response.status_code == 303
    assert desk.client.session.get("desk.patron") is None


def test_a_cataloguer_cannot_use_the_desk(client, world):
    from django.contrib.auth.models import Group

    user = type(world.staff_user).objects.create_user("cat1", password="x")
    user.groups.add(Group.objects.get(name="cataloguer"))
    client.force_login(user)
    assert client.get("/desk/").status_code == 403
    assert client.post("/desk/checkout/", {"barcode": "1"}).status_code == 403
