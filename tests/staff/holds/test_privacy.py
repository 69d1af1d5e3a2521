"""No personal data in URLs or page titles on the holds screens; the patron appears only by
the last digits of the card, never by name or full card number, on any holds page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def test_no_url_title_or_holds_page_carries_the_card_number_or_the_name(staff, world, title_of):
    patron = world.patron("渡辺 さくら", "ワタナベ サクラ")
    waiting_for = staff.copy(branch=world.east)
    staff.hold(waiting_for.bib, patron)
    staff.scan_in(waiting_for, branch=world.east)  # in transit to main for her
    ready = staff.ready(at=dt.datetime(2026, 5, 19, 10, tzinfo=TOKYO))  # expired on the shelf
    other = staff.copy()
    staff.serve(patron)

    staff.get("/holds/")
    staff.post("/holds/", {"q": "日本"})
    staff.post("/holds/", {"q": str(patron.card_number)})  # typed in the wrong box
    staff.get(f"/holds/title/{other.bib.pk}/")
    staff.get(f"/holds/title/{other.bib.pk}/place/")
    staff.post(f"/holds/title/{other.bib.pk}/place/", {"pickup_branch": world.main.pk}, follow=True)
    staff.post(f"/holds/title/{other.bib.pk}/place/", {"pickup_branch": world.main.pk})  # refused
    staff.post(f"/holds/title/{other.bib.pk}/place/", {"pickup_branch": "x"})  # broken
    staff.get(f"/holds/title/{waiting_for.bib.pk}/")
    staff.get("/holds/shelf/")
    staff.get("/holds/pick/")
    staff.get("/holds/pick/all/")
    staff.get("/holds/transit/")
    staff.post(f"/holds/transit/{waiting_for.pk}/receive/", follow=True)
    staff.post("/holds/shelf/clear/", follow=True)
    staff.post(f"/holds/{ready.pk}/cancel/", {"next": "shelf"}, follow=True)

    card = str(patron.card_number)
    names = ["渡辺", "さくら", "ワタナベ", "サクラ"]
    holds_pages = [(url, r) for url, r in staff.seen if url.startswith("/holds/")]
    assert len(holds_pages) > 15
    for url, response in staff.seen:
        for secret in [card, *names]:
            assert secret not in url
        assert "?" not in url
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            title = title_of(html)
            for secret in [card, *names]:
                assert secret not in title, (url, title)
    for url, response in holds_pages:
        html = response.content.decode()
        if url == "/holds/" and response.status_code == 200 and card in html:
            # Only what was typed into the search box comes back, in the box.
            assert html.count(card) == 1 and f'value="{card}"' in html
            continue
        for secret in [card, *names]:
            assert secret not in html, (url, secret)
    assert "desk.patron" in staff.client.session  # still served at the desk
