"""Searching the catalogue from the staff site: the query in the URL, facets that narrow
the result, pages, and what an edit does to the index."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

pytestmark = pytest.mark.django_db


def test_an_empty_search_lists_every_record_with_facets(staff, shelf, index):
    index.catch_up()
    response = staff.get("/catalogue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 records" in html
    assert "こころ" in html and "日本の歴史" in html
    assert "Branch" in html and "本館" in html and "東分館" in html
    assert "9 Literature (文学)" in html


def test_a_branch_facet_narrows_the_search(staff, shelf, index):
    index.catch_up()
    html = staff.get("/catalogue/").content.decode()
    assert "?f=branch%3Aeast" in html  # the facet is a link that adds the filter
    response = staff.get("/catalogue/", {"f": "branch:east"})
    html = response.content.decode()
    assert "1 record" in html
    assert "日本の歴史" in html and "こころ" not in html
    # The chosen value is marked by a sign and a word, not by colour alone, and its link
    # removes the filter again.
    assert 'aria-current="true">✓ 東分館' in html
    assert "chosen: follow the link to remove it" in html


def test_words_and_facets_combine(staff, shelf, index):
    index.catch_up()
    html = staff.get("/catalogue/", {"q": "こころ", "f": "ndc1:9"}).content.decode()
    assert "1 record" in html and f"/catalogue/bib/{shelf.kokoro.pk}/" in html
    html = staff.get("/catalogue/", {"q": "こころ", "f": "ndc1:2"}).content.decode()
    assert "0 records" in html and "Nothing found" in html


def test_results_are_paged(staff, world, index):
    for n in range(23):
        world.bib(f"図書館の本 第{n}巻", "トショカン ノ ホン")
    index.catch_up()
    first = staff.get("/catalogue/", {"q": "図書館"}).content.decode()
    assert "23 records" in first and "Page 1 of 2" in first
    assert 'href="?q=%E5%9B%B3%E6%9B%B8%E9%A4%A8&amp;page=2"' in first
    second = staff.get("/catalogue/", {"q": "図書館", "page": 2}).content.decode()
    assert "Page 2 of 2" in second and 'start="21"' in second


def test_the_query_is_in_the_url_but_not_in_the_title(staff, shelf, index, title_of):
    index.catch_up()
    response = staff.get("/catalogue/", {"q": "こころ"})
    assert "こころ" not in unquote(title_of(response.content.decode()))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"f": "colour:red"}, "Unknown filter: colour:red"),
        ({"f": "branch"}, "Unknown filter: branch"),
        ({"sort": "random"}, "Select a valid choice"),
        ({"page": "0"}, "greater than or equal to 1"),
        ({"page": "two"}, "Enter a whole number"),
        ({"q": "year:soon"}, "write year:2019"),
        ({"q": "x" * 501}, "at most 500 characters"),
    ],
)
def test_broken_search_input_is_explained(staff, shelf, index, params, message):
    index.catch_up()
    response = staff.get("/catalogue/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and message in html


def test_without_an_index_the_page_says_so(staff, shelf, settings, tmp_path):
    from shoka.search.service import forget_services

    settings.SHOKA_SEARCH_INDEX_DIR = str(tmp_path / "no-index")
    forget_services()
    response = staff.get("/catalogue/", {"q": "こころ"})
    assert response.status_code == 503
    assert "shoka index rebuild" in response.content.decode()
    forget_services()


def test_an_edited_record_is_found_by_its_new_title(staff, shelf, index):
    index.catch_up()
    form = {
        "title": "こゝろ 新版",
        "title_reading": "ココロ シンパン",
        "contributors": "夏目, 漱石 | ナツメ, ソウセキ | 著",
        "isbns": "978-4-10-101013-7",
        "year": "2020",
        "ndc": "913.6",
        "material_type": "book",
        "language": "jpn",
    }
    response = staff.post(f"/catalogue/bib/{shelf.kokoro.pk}/edit/", form)
    assert response.status_code == 303
    index.catch_up()
    html = staff.get("/catalogue/", {"q": "シンパン"}).content.decode()
    assert "1 record" in html and "こゝろ 新版" in html
    html = staff.get("/catalogue/", {"q": "year:2020"}).content.decode()
    assert "こゝろ 新版" in html


def test_a_librarian_may_search(librarian, shelf, index):
    index.catch_up()
    response = librarian.get("/catalogue/", {"q": "歴史"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "日本の歴史" in html
    assert "New record" not in html  # may look, not change
