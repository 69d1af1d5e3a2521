"""Finding a patron from one box: card number, phone, e-mail, name or reading (kana in any
width). Every patron listed is an access event; the search itself is POSTed."""

from __future__ import annotations

import pytest

from shoka.audit.models import AccessEvent


@pytest.fixture
def misaki(world):
    return world.patron(
        "佐藤 美咲", "サトウ ミサキ", email="misaki@example.jp", phone="090-2345-6789"
    )


def test_the_search_page_has_one_box(clerk):
    html = clerk.get("/patrons/").content.decode()
    assert 'name="query"' in html
    assert 'method="post"' in html


def test_a_card_number_opens_the_patron_page(clerk, misaki):
    response = clerk.search(f"A{misaki.card_number}A", follow=True)  # as a scanner sends it
    assert response.redirect_chain == [(f"/patrons/{misaki.pk}/", 303)]
    assert AccessEvent.objects.filter(action="patron.searched", data={"key": "card"}).count() == 1


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("090-2345-6789", "phone"),
        ("０９０２３４５６７８９", "phone"),
        ("misaki@example.jp", "email"),
        ("佐藤", "name"),
        ("美咲", "name"),
        ("さとう", "name"),
        ("ｻﾄｳ ﾐｻｷ", "name"),
        ("ミサキ", "name"),
    ],
)
def test_each_key_finds_the_patron(clerk, world, misaki, query, key):
    world.patron("鈴木 一郎", "スズキ イチロウ")

    response = clerk.search(query)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/patrons/{misaki.pk}/"' in html
    assert "鈴木" not in html
    assert "Each patron listed was recorded in the access log" in html
    event = AccessEvent.objects.get(action="patron.searched")
    assert event.object_id == str(misaki.pk)
    assert event.data == {"key": key}
    assert query not in str(event.data)


def test_nobody_found_says_so(clerk, misaki):
    html = clerk.search("存在しない名前").content.decode()
    assert "Nobody was found" in html
    assert not AccessEvent.objects.exists()


def test_an_empty_search_asks_for_something(clerk):
    html = clerk.search("").content.decode()
    assert "Type something to search for." in html
