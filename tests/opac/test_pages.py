"""The public pages over HTTP on a live OPAC (docs/opac.md): a few records and branches are
published through the real receiver, then each page is fetched as a visitor would."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from shoka.admission.config import DEFAULT_PER_CLIENT

from .conftest import RELAXED_ADMISSION
from .html import Page, get
from .sample import BRANCHES, DUE, KOKORO, RECORDS, STOCKTAKING, TAOCP, TODAY


@pytest.fixture(scope="module")
def opac(live_opac: Any) -> Any:
    live_opac.publish(records=RECORDS, branches=BRANCHES)
    return live_opac


def test_home_shows_search_new_arrivals_popular_and_branches_today(opac):
    status, _headers, page = get(opac, "/")
    assert status == 200
    assert page.find_all("input", type="search", name="q")
    assert "ぐりとぐら" in page.text and "こころ" in page.text
    assert f'datetime="{(TODAY - timedelta(days=2)).isoformat()}"' in page.html
    assert "中央図書館" in page.text and "東分館" in page.text
    assert "本日休館" in page.text  # the east branch is closed today (a holiday)
    assert "本日開館" in page.text
    assert page.find_all("a", href="#content", class_="skip-link")
    assert page.find_all("link", rel="search", type="application/opensearchdescription+xml")
    assert page.find_all("a", href="/developers/")


def test_search_finds_a_kanji_title_by_its_reading(opac):
    status, _h, page = get(opac, "/search?q=ナツメ")
    assert status == 200
    assert page.result_titles() == ["こころ"]
    # the result shows author, publisher, year and availability per branch
    assert "夏目漱石 著" in page.text and "新潮社" in page.text and "1952" in page.text
    assert "中央図書館: 貸出可" in page.text
    assert "東分館: 貸出中" in page.text


def test_a_facet_link_adds_a_filter_and_the_filter_link_removes_it(opac):
    status, _h, everything = get(opac, "/search?q=")
    assert status == 200
    assert sorted(everything.result_titles()) == sorted(r["title"] for r in RECORDS)
    east = everything.link("東分館")
    assert parse_qs(urlsplit(east).query)["branch"] == ["east"]
    status, _h, filtered = get(opac, "/search" + unescape(east))
    assert status == 200
    assert sorted(filtered.result_titles()) == ["こころ", "日本の歴史"]
    picture = filtered.find_all("a", aria_current="true")
    assert len(picture) == 1  # the active facet is marked
    removed = filtered.find_all("ul", class_="active-filters")
    assert removed
    back = [a.attrs["href"] for a in filtered.find_all("a") if "東分館" in a.text and "×" in a.text]
    assert len(back) == 1
    status, _h, again = get(opac, "/search" + unescape(back[0]))
    assert len(again.result_titles()) == len(RECORDS)


def test_material_type_language_and_decade_filters(opac):
    _s, _h, page = get(opac, "/search?material_type=picture_book")
    assert page.result_titles() == ["ぐりとぐら"]
    _s, _h, page = get(opac, "/search?language=eng")
    assert page.result_titles() == ["The art of computer programming"]
    _s, _h, page = get(opac, "/search?q=&year_from=1990&year_to=1999")
    assert sorted(page.result_titles()) == ["The art of computer programming", "日本の歴史"]
    _s, _h, page = get(opac, "/search?ndc1=9")
    assert page.result_titles() == ["こころ"]


def test_the_sort_order_can_be_chosen(opac):
    _s, _h, newest = get(opac, "/search?q=&sort=newest")
    assert newest.result_titles() == [
        "The art of computer programming",  # 1997
        "日本の歴史",  # 1990
        "ぐりとぐら",  # 1967
        "こころ",  # 1952
    ]
    [selected] = [o for o in newest.find_all("option") if "selected" in o.attrs]
    assert selected.attrs["value"] == "newest"


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("/search?q=year:abc", "year:abc"),
        ("/search?q=x&page=abc", "page"),
        ("/search?q=x&sort=loudest", "loudest"),
        ("/search?q=x&year_from=20000", "year_from"),
    ],
)
def test_a_bad_query_is_a_400_that_says_why(opac, query, shown):
    status, _h, page = get(opac, query)
    assert status == 400
    alert = page.find_all("div", role="alert")
    assert alert and shown in alert[0].text


def test_deep_pages_point_to_the_bulk_data(opac):
    status, _h, page = get(opac, "/search?q=&page=600")
    assert status == 400
    assert page.find_all("a", href="/data/")


def test_no_match_says_so(opac):
    status, _h, page = get(opac, "/search?q=存在しない言葉")
    assert status == 200
    assert page.result_titles() == []
    assert "見つかりませんでした" in page.text


def test_the_record_page_shows_holdings_due_date_and_queue_but_no_borrower(opac):
    status, _headers, page = get(opac, f"/records/{KOKORO}")
    assert status == 200
    assert page.find_all("h1")[0].text.strip() == "こころ"
    rows = [" ".join(tr.text.split()) for tr in page.find_all("tr")]
    assert any("913.6/ナ" in r and "貸出可" in r for r in rows)
    on_loan = [r for r in rows if "貸出中" in r]
    assert len(on_loan) == 1
    assert f"{DUE.year}年{DUE.month}月{DUE.day}日" in on_loan[0]
    assert "予約件数" in page.text and re.search(r"予約件数\)?[:：]\s*2", page.text)
    assert page.find_all("a", href=f"/account/holds/new?record={KOKORO}")
    # Nothing but the published fields: the page names no one.
    for word in ("利用者", "patron", "borrower", "カード番号"):
        assert word not in page.text


def test_a_library_use_only_copy_says_so(opac):
    _s, _h, page = get(opac, f"/records/{TAOCP}")
    assert "館内のみ" in page.text


def test_an_unknown_record_is_a_404_page(opac):
    status, _h, page = get(opac, "/records/999999")
    assert status == 404
    assert "見つかりません" in page.text
    assert page.find_all("a", href="/")
    status, _h, _p = get(opac, "/records/not-a-number")
    assert status == 404


def test_new_arrivals_are_grouped_by_the_date_they_arrived(opac):
    status, _h, page = get(opac, "/new/")
    assert status == 200
    dates = [t.attrs["datetime"] for t in page.find_all("time") if t.attrs.get("datetime")]
    assert (TODAY - timedelta(days=2)).isoformat() in dates
    assert (TODAY - timedelta(days=5)).isoformat() in dates
    headings = [" ".join(h.text.split()) for h in page.find_all("h2", class_="arrival-date")]
    assert len(headings) == 2  # two arrival dates; the 200-day-old copy is not new
    assert "The art of computer programming" not in page.result_titles()
    titles = page.result_titles()
    assert set(titles[:2]) == {"ぐりとぐら", "こころ"} and titles[2:] == ["日本の歴史"]
    feeds = page.find_all("link", rel="alternate", type="application/atom+xml")
    assert [f.attrs["href"] for f in feeds] == ["/feeds/new-arrivals.atom"]


def test_new_arrivals_pages_past_the_end_are_not_found(opac):
    assert get(opac, "/new/?page=1")[0] == 200
    assert get(opac, "/new/?page=2")[0] == 404
    assert get(opac, "/new/?page=two")[0] == 400


def test_new_arrivals_filter_by_branch_and_category_with_a_matching_feed(opac):
    _s, _h, page = get(opac, "/new/?branch=east")
    assert sorted(page.result_titles()) == ["こころ", "日本の歴史"]
    feeds = page.find_all("link", rel="alternate", type="application/atom+xml")
    assert feeds[0].attrs["href"] == "/feeds/new-arrivals.atom?branch=east"
    _s, _h, page = get(opac, "/new/?category=7")
    assert page.result_titles() == ["ぐりとぐら"]
    _s, _h, page = get(opac, "/new/?branch=east&category=2")
    assert page.result_titles() == ["日本の歴史"]
    feeds = page.find_all("link", rel="alternate", type="application/atom+xml")
    assert parse_qs(urlsplit(unescape(feeds[0].attrs["href"])).query) == {
        "branch": ["east"],
        "category": ["2"],
    }
    assert get(opac, "/new/?branch=nowhere")[0] == 400
    assert get(opac, "/new/?category=x")[0] == 400


def test_popular_items_are_ordered_by_loans(opac):
    status, _h, page = get(opac, "/popular/")
    assert status == 200
    assert page.result_titles()[:2] == ["ぐりとぐら", "こころ"]
    _s, _h, page = get(opac, "/popular/?branch=east")
    assert page.result_titles() == ["こころ", "日本の歴史"]


def _closed_days(page: Page) -> set[str]:
    return set(re.findall(r'<td class="closed[^"]*"[^>]*>\s*<time datetime="([\d-]+)"', page.html))


def test_the_branch_page_shows_address_phone_and_weekly_hours(opac):
    status, _h, page = get(opac, "/branches/east/")
    assert status == 200
    assert "東京都書架市東町2-2" in page.text and "03-0000-0002" in page.text
    hours = [" ".join(tr.text.split()) for tr in page.find_all("tr")]
    assert "月曜日 09:00–19:00" in hours and "日曜日 休館" in hours


def test_the_branch_calendar_marks_closed_days_and_today(opac):
    status, _h, page = get(opac, "/branches/main/")
    assert status == 200
    assert len(page.find_all("th", scope="col")) == 7
    assert len(page.find_all("td", aria_current="date")) == 1
    assert f'<time datetime="{TODAY.isoformat()}">' in page.html
    closed = _closed_days(page)
    assert TODAY.isoformat() not in closed  # the central library is open today
    for offset in (1, STOCKTAKING):
        day = TODAY + timedelta(days=offset)
        assert (day.isoformat() in closed) == (day.month == TODAY.month)
    assert page.find_all("a", rel="next")
    _s, _h, east = get(opac, "/branches/east/")
    assert TODAY.isoformat() in _closed_days(east)  # a holiday
    assert "祝日休館" in east.text


def test_the_calendar_moves_by_month_and_explains_closures(opac):
    day = TODAY + timedelta(days=STOCKTAKING)
    status, _h, page = get(opac, f"/branches/main/?month={day:%Y-%m}")
    assert status == 200
    assert day.isoformat() in _closed_days(page)
    [reason] = [li for li in page.find_all("li") if "蔵書点検のため" in li.text]
    assert "蔵書点検" in reason.text.replace("蔵書点検のため", "")  # the kind, then the reason
    assert not page.find_all("td", aria_current="date") or day.month == TODAY.month
    assert get(opac, "/branches/main/?month=2026-13")[0] == 400
    assert get(opac, "/branches/main/?month=soon")[0] == 400
    assert get(opac, "/branches/nowhere/")[0] == 404


def test_the_branches_page_lists_every_branch_with_hours(opac):
    status, _h, page = get(opac, "/branches/")
    assert status == 200
    assert page.find_all("a", href="/branches/main/") and page.find_all("a", href="/branches/east/")
    assert "03-0000-0002" in page.text


def test_the_developers_page_prints_the_real_limits(opac):
    status, _h, page = get(opac, "/developers/")
    assert status == 200
    # the limits this server runs with (the fixture's relaxed ones), not the defaults
    assert RELAXED_ADMISSION["SHOKA_OPAC_PER_CLIENT"] in page.text
    assert RELAXED_ADMISSION["SHOKA_OPAC_PER_API_KEY"] in page.text
    assert DEFAULT_PER_CLIENT not in page.text
    assert "/24" in page.text  # IPv4 clients counted per /24 network
    for path in (
        "/api/v1/openapi.json",
        "/opensearch.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/data/",
    ):
        assert page.find_all("a", href=path), path
    for term in (
        "貸出可",
        "蔵書あり",
        "館内のみ",
        "貸出中",
        "予約中",
        "準備中",
        "休館中",
        "蔵書なし",
    ):
        assert term in page.text
    assert "X-API-Key" in page.text
    assert "利用者の情報" in page.text  # the no-patron-data statement


PAGES = [
    "/",
    "/search?q=こころ",
    f"/records/{KOKORO}",
    "/new/",
    "/popular/",
    "/branches/",
    "/branches/main/",
    "/developers/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_conditional_and_sets_no_cookie(opac, path):
    status, headers, _page = get(opac, path)
    assert status == 200
    assert "set-cookie" not in headers
    assert headers["etag"] and headers["last-modified"]
    assert "public" in headers["cache-control"]
    status, again, _page = get(opac, path, **{"If-None-Match": headers["etag"]})
    assert status == 304
    assert "set-cookie" not in again
    status, _h, _page = get(opac, path, **{"If-Modified-Since": headers["last-modified"]})
    assert status == 304
    assert opac.request("HEAD", quote(path, safe="/?&=")).status == 200


def test_pages_are_in_english_for_an_english_browser(opac):
    status, _headers, page = get(opac, f"/records/{KOKORO}", **{"Accept-Language": "en"})
    assert status == 200
    assert page.find_all("html", lang="en")
    assert "on loan" in page.text and "Place a hold" in page.text
    assert "予約する" not in page.text
    _s, _h, page = get(opac, "/branches/", **{"Accept-Language": "en"})
    assert "Central Library" in page.text
    _s, _h, ja = get(opac, "/", **{"Accept-Language": "ja"})
    assert ja.find_all("html", lang="ja")


def test_the_language_switch_sets_only_the_language_cookie(opac):
    answer = opac.request(
        "POST",
        "/i18n/setlang/",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"language=en&next=/new/",
    )
    assert answer.status == 302
    assert answer.header("location") == "/new/"
    assert answer.header("set-cookie").startswith("django_language=en;")
    assert "sessionid" not in answer.header("set-cookie")
    english = opac.get("/new/", {"Cookie": "django_language=en"})
    assert "New arrivals" in english.text


@pytest.mark.parametrize(
    ("path", "status"),
    [("/branches/%00/", 404), ("/new/?branch=%00", 400), ("/popular/?branch=a%00b", 400)],
)
def test_a_nul_in_a_branch_code_is_refused_not_an_error(opac, path, status):
    assert opac.get(path).status == status  # PostgreSQL refuses NUL in a parameter: no 500
