"""No personal data in URLs or page titles: the card number is posted, the patron is kept in
the session by id; every URL the desk visited and every <title> it showed is checked."""

from __future__ import annotations


def test_no_url_or_title_carries_the_card_number_or_the_name(desk, world, title_of):
    patron = world.patron("渡辺 さくら", "ワタナベ サクラ")
    items = [world.item(loan_category="av") for _ in range(4)]
    hold_item = world.item()
    desk.hold(hold_item.bib, patron, pickup=world.main)

    desk.serve(patron)
    # The patron is kept by id in the session, never the card number.
    assert desk.client.session["desk.patron"] == patron.pk
    assert str(patron.card_number) not in str(dict(desk.client.session.items()))
    for item in items:
        desk.lend(item.barcode)  # plain posts: whole pages with titles
    desk.lend(items[3].barcode, reason="調べ学習")
    desk.post("/desk/renew/", {"barcode": items[0].barcode})
    desk.post("/desk/renew/all/")
    desk.get("/desk/receipt/")
    desk.get("/desk/")
    desk.get("/desk/return/")
    desk.check_in(items[1].barcode)
    desk.check_in(hold_item.barcode)
    desk.post("/desk/patron/", {"card": "000"})

    secrets = [
        str(patron.card_number),
        "渡辺",
        "さくら",
        "ワタナベ",
        "サクラ",
    ]
    assert len(desk.seen) > 10
    for url, response in desk.seen:
        for secret in secrets:
            assert secret not in url
        assert "?" not in url
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            if "<title>" in html:
                title = title_of(html)
                for secret in secrets:
                    assert secret not in title, (url, title)
    # A wrong card after it: nobody is served any more.
    assert "desk.patron" not in desk.client.session
