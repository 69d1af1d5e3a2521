"""A patron collects a ready hold at the desk: lending the trapped item fulfils the hold."""

from __future__ import annotations

from shoka.circulation.models import HoldStatus


def test_lending_the_trapped_item_collects_the_hold(desk, world):
    patron, item = world.patron(), world.item()
    hold = desk.hold(item.bib, patron, pickup=world.main)
    desk.check_in(item.barcode)
    desk.serve(patron)

    html = desk.lend(item.barcode, htmx=True).content.decode()

    assert 'data-cue="ok"' in html
    assert "The patron&#x27;s hold on this title is collected." in html
    hold.refresh_from_db()
    assert hold.status == HoldStatus.FULFILLED


def test_a_trapped_item_is_refused_to_another_patron(desk, world):
    waiting, other, item = world.patron(), world.patron(), world.item()
    desk.hold(item.bib, waiting, pickup=world.main)
    desk.check_in(item.barcode)
    desk.serve(other)

    html = desk.lend(item.barcode, htmx=True).content.decode()

    assert 'data-cue="refused"' in html
    assert "The item is held for another patron." in html
    # Not overridable: no reason field.
    assert 'name="override_reason"' not in html
