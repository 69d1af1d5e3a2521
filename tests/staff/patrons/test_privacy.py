"""No personal data in URLs or page titles: searches and forms are POSTed, patrons are
addressed by id. Every URL the screens visited and every <title> they showed is checked."""

from __future__ import annotations


def test_no_url_or_title_carries_a_name_card_phone_or_email(clerk, world, adult, title_of):
    other = world.patron("渡辺 さくら", "ワタナベ サクラ")
    clerk.get("/patrons/")
    clerk.search(other.card_number, follow=True)
    clerk.search("090-2345-6789")
    clerk.search("misaki@example.jp")
    clerk.search("わたなべ")
    clerk.get("/patrons/new/")
    clerk.register(adult | {"phone": "1"})  # refused
    clerk.register(adult | {"lookup_address": "1"})
    clerk.post("/patrons/postal-code/", {"postal_code": "3900811"}, htmx=True)
    registered = clerk.register(adult, follow=True)
    patron_id = registered.context["patron"].pk
    clerk.get(f"/patrons/{patron_id}/edit/")
    clerk.post(f"/patrons/{patron_id}/renew/", follow=True)
    clerk.post(f"/patrons/{patron_id}/block/", {"reason": "紛失"}, follow=True)
    clerk.get(f"/patrons/{patron_id}/card/")
    clerk.register(adult | {"card_number": "300005"})  # the duplicate warning
    clerk.post(f"/patrons/{patron_id}/desk/", follow=True)

    secrets = [
        other.card_number,
        "渡辺",
        "さくら",
        "ワタナベ",
        "わたなべ",
        adult["card_number"],
        "佐藤",
        "美咲",
        "サトウ",
        "misaki",
        "0263",
        "090",
        "390",
    ]
    assert len(clerk.seen) > 15
    for url, response in clerk.seen:
        assert "?" not in url
        for secret in secrets:
            assert secret not in url, url
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            if "<title>" in html:
                title = title_of(html)
                for secret in secrets:
                    assert secret not in title, (url, title)
