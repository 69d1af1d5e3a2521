"""The JSON API against a live OPAC process, fed through the real receiver
(tests/opac/conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

import pytest
from django.utils import timezone
from tests.opac.conftest import public_branch, public_item, public_record

from shoka.catalogue.isbn import hyphenate, to_isbn10
from shoka.opac.api import openapi

pytestmark = pytest.mark.slow

TODAY = timezone.localdate()
KOKORO = "9784101010137"
NEKO = "9784003101018"
NOWHERE = "9784000000017"  # a valid ISBN no record carries


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture(scope="module")
def opac(live_opac):
    branches = [
        public_branch("main", "中央図書館", name_en="Central Library", kind="main", position=1),
        public_branch("east", "東分館", position=2, closed={TODAY: ("closed", "臨時休館")}),
        public_branch("north", "北分館", position=3, days=0),  # no calendar published
    ]
    records = [
        public_record(
            101,
            "こころ",
            title_reading="ココロ",
            isbns=[KOKORO],
            hold_queue=0,
            loan_count=12,
            items=[
                public_item(1011, branch="main", acquired_on=days_ago(2)),
                public_item(
                    1012,
                    branch="east",
                    branch_name="東分館",
                    status="on_loan",
                    due_on=TODAY + dt.timedelta(days=10),
                    acquired_on=days_ago(400),
                ),
            ],
        ),
        public_record(
            102,
            "吾輩は猫である",
            title_reading="ワガハイハネコデアル",
            isbns=[NEKO],
            hold_queue=2,
            items=[
                public_item(1021, branch="main", loanable=False, acquired_on=days_ago(500)),
                public_item(
                    1022,
                    branch="north",
                    branch_name="北分館",
                    status="on_loan",
                    due_on=TODAY + dt.timedelta(days=3),
                    acquired_on=days_ago(500),
                ),
            ],
        ),
        public_record(  # another edition with the same ISBN, at north
            104,
            "吾輩は猫である（文庫）",
            isbns=[NEKO],
            hold_queue=1,
            items=[
                public_item(1041, branch="north", branch_name="北分館", acquired_on=days_ago(900))
            ],
        ),
        public_record(
            103,
            "宇宙の図鑑",
            title_reading="ウチュウノズカン",
            ndc="440",
            authors=[("星野 光", "ホシノ, ヒカル")],
            items=[public_item(1031, branch="east", branch_name="東分館", acquired_on=days_ago(1))],
        ),
    ]
    live_opac.publish(records=records, branches=branches)
    return live_opac


def url(path: str) -> str:
    """The path with its non-ASCII characters percent-encoded (as a browser sends it)."""
    return quote(path, safe="/?=&,:%+-")


def get_json(opac, path, status=200, **headers):
    answer = opac.get(url(path), headers or None)
    assert answer.status == status, (path, answer.status, answer.body[:300])
    assert answer.header("content-type").startswith("application/json")
    return json.loads(answer.body)


def test_the_openapi_document_is_served(opac):
    assert get_json(opac, "/api/v1/openapi.json") == json.loads(
        json.dumps(openapi.document(), ensure_ascii=False)
    )


def test_search_answers_hits_and_facets(opac):
    data = get_json(opac, "/api/v1/search?q=こころ")
    assert data["total"] == 1
    hit = data["hits"][0]
    assert hit["id"] == 101 and hit["title"] == "こころ"
    assert hit["url"] == f"{opac.base}/records/101"
    assert set(data["facets"]) >= {"branch", "ndc1", "availability", "material_type"}


def test_search_filters_sort_and_pages(opac):
    data = get_json(opac, "/api/v1/search?branch=east&sort=title&per_page=1")
    assert data["total"] == 2 and data["per_page"] == 1 and len(data["hits"]) == 1
    ids = {h["id"] for h in get_json(opac, "/api/v1/search?branch=east")["hits"]}
    assert ids == {101, 103}
    page2 = get_json(opac, "/api/v1/search?branch=east&sort=title&per_page=1&page=2")
    assert page2["hits"][0]["id"] != data["hits"][0]["id"]
    assert [h["id"] for h in get_json(opac, "/api/v1/search?ndc1=4")["hits"]] == [103]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("sort=sideways", "bad_parameter"),
        ("page=abc", "bad_parameter"),
        ("page=--5", "bad_parameter"),
        ("page=0", "bad_parameter"),
        ("per_page=1000", "bad_parameter"),
        ("year_from=19x", "bad_parameter"),
        ("q=year:abc", "bad_query"),
    ],
)
def test_a_bad_search_is_a_400_with_a_reason(opac, query, code):
    data = get_json(opac, f"/api/v1/search?{query}", status=400)
    assert data["error"] == code and data["detail"]


def test_a_record(opac):
    data = get_json(opac, "/api/v1/records/101")
    assert data["title"] == "こころ" and data["isbns"] == [KOKORO]
    assert data["loan_count"] == 12 and data["hold_queue"] == 0
    assert data["authors"] == [{"name": "夏目 漱石", "reading": "ナツメ, ソウセキ"}]
    assert data["holdings_url"] == f"{opac.base}/api/v1/records/101/holdings"


@pytest.mark.parametrize("path", ["999999", "0", "-3", "abc", "99999999999999999999999"])
def test_an_unknown_record_is_a_json_404(opac, path):
    for suffix in ("", "/holdings"):
        data = get_json(opac, f"/api/v1/records/{path}{suffix}", status=404)
        assert data["error"] == "not_found"


def test_an_unknown_api_path_is_a_json_404(opac):
    assert get_json(opac, "/api/v1/nothing-here", status=404)["error"] == "not_found"


def test_holdings_per_branch_with_status_due_date_and_availability(opac):
    data = get_json(opac, "/api/v1/records/101/holdings")
    assert (data["record_id"], data["available"], data["total"]) == (101, 1, 2)
    by_code = {b["code"]: b for b in data["branches"]}
    assert by_code["main"]["availability"] == "貸出可"
    assert by_code["east"]["availability"] == "休館中"  # closed today
    east_item = by_code["east"]["items"][0]
    assert east_item["status"] == "on_loan"
    assert east_item["due_on"] == (TODAY + dt.timedelta(days=10)).isoformat()
    assert east_item["call_number"] == "913.6/ナ" and east_item["location_name"] == "一般書架"
    flat = json.dumps(data, ensure_ascii=False)
    assert "patron" not in flat and "borrower" not in flat


def test_availability_answers_each_isbn_per_branch_in_calils_words(opac):
    asked = [hyphenate(KOKORO), to_isbn10(NEKO), NOWHERE]
    data = get_json(opac, "/api/v1/availability?isbn=" + ",".join(asked))
    assert data["date"] == TODAY.isoformat()
    kokoro, neko, nowhere = data["results"]
    assert [r["isbn"] for r in data["results"]] == asked
    assert kokoro["isbn13"] == KOKORO and kokoro["record_ids"] == [101]
    assert kokoro["reserve_url"] == f"{opac.base}/records/101"
    assert kokoro["libkey"] == {"main": "貸出可", "east": "休館中"}
    assert {b["code"]: b["status"] for b in kokoro["branches"]} == {
        "main": "貸出可",
        "east": "休館中",
        "north": "蔵書なし",
    }
    # two records carry it: a reference copy at main; at north one on loan, one on the shelf
    assert neko["record_ids"] == [102, 104]
    assert neko["reserve_url"] == f"{opac.base}/records/102"
    assert neko["libkey"] == {"main": "館内のみ", "north": "貸出可"}
    assert nowhere["record_ids"] == [] and nowhere["reserve_url"] is None
    assert nowhere["libkey"] == {}
    assert {b["status"] for b in nowhere["branches"]} == {"蔵書なし"}


def test_availability_takes_a_hundred_isbns_and_refuses_more(opac):
    hundred = ",".join([KOKORO] * 100)
    assert len(get_json(opac, f"/api/v1/availability?isbn={hundred}")["results"]) == 100
    data = get_json(opac, f"/api/v1/availability?isbn={hundred},{NEKO}", status=400)
    assert data["error"] == "too_many_isbns"


@pytest.mark.parametrize(("query", "code"), [("", "bad_parameter"), ("isbn=12345", "bad_isbn")])
def test_availability_refuses_what_is_not_an_isbn(opac, query, code):
    assert get_json(opac, f"/api/v1/availability?{query}", status=400)["error"] == code


def test_new_arrivals_newest_first_with_their_dates(opac):
    data = get_json(opac, "/api/v1/new-arrivals")
    assert [(a["record"]["id"], a["acquired_on"]) for a in data["arrivals"]] == [
        (103, days_ago(1).isoformat()),
        (101, days_ago(2).isoformat()),
    ]
    assert data["total"] == 2 and data["arrivals"][0]["branches"] == ["east"]
    assert [
        a["record"]["id"] for a in get_json(opac, "/api/v1/new-arrivals?category=4")["arrivals"]
    ] == [103]
    assert get_json(opac, "/api/v1/new-arrivals?branch=main")["total"] == 1


@pytest.mark.parametrize(
    "query",
    ["branch=nowhere", "branch=%00", "category=x", "category=42", "days=0", "per_page=101"],
)
def test_new_arrivals_refuse_bad_filters(opac, query):
    assert get_json(opac, f"/api/v1/new-arrivals?{query}", status=400)["error"]


def test_branches_with_hours_and_today(opac):
    data = get_json(opac, "/api/v1/branches")
    assert [b["code"] for b in data["branches"]] == ["main", "east", "north"]
    main = data["branches"][0]
    assert main["name_en"] == "Central Library" and main["kind"] == "main"
    assert len(main["hours"]) == 7 and main["hours"][0] is None
    assert main["hours"][1] == {"opens": "09:00", "closes": "19:00"}
    today = {b["code"]: b["open_today"] for b in data["branches"]}
    assert today == {"main": TODAY.weekday() != 0, "east": False, "north": None}


def test_a_branch_calendar(opac):
    start, end = days_ago(3), TODAY + dt.timedelta(days=3)
    data = get_json(opac, f"/api/v1/branches/east/calendar?from={start}&to={end}")
    assert [d["date"] for d in data["days"]] == [
        (start + dt.timedelta(days=n)).isoformat() for n in range(7)
    ]
    today = next(d for d in data["days"] if d["date"] == TODAY.isoformat())
    assert today == {
        "date": TODAY.isoformat(),
        "is_open": False,
        "opens": None,
        "closes": None,
        "closure": "closed",
        "reason": "臨時休館",
    }
    default = get_json(opac, "/api/v1/branches/main/calendar")
    assert default["from"] == TODAY.isoformat()
    assert default["to"] == (TODAY + dt.timedelta(days=30)).isoformat()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/branches/nowhere/calendar", 404),
        ("/api/v1/branches/ma%00in/calendar", 404),
        ("/api/v1/branches/main/calendar?from=--5", 400),
        ("/api/v1/branches/main/calendar?from=2026-13-01", 400),
        ("/api/v1/branches/main/calendar?from=2026-12-10&to=2026-12-01", 400),
        ("/api/v1/branches/main/calendar?from=2026-01-01&to=2027-06-01", 400),
        ("/api/v1/branches/main/calendar?from=9999-12-31", 400),
    ],
)
def test_a_bad_calendar_request(opac, path, status):
    assert get_json(opac, path, status=status)["error"]


CACHED = [
    "/api/v1/openapi.json",
    "/api/v1/search?q=こころ",
    "/api/v1/records/101",
    "/api/v1/records/101/holdings",
    f"/api/v1/availability?isbn={KOKORO}",
    "/api/v1/new-arrivals",
    "/api/v1/branches",
    "/api/v1/branches/main/calendar",
]


@pytest.mark.parametrize("path", CACHED)
def test_every_answer_is_cacheable_and_conditional(opac, path):
    path = url(path)
    first = opac.get(path)
    assert first.status == 200
    etag, modified = first.header("etag"), first.header("last-modified")
    assert etag and modified
    assert "public" in first.header("cache-control") and "max-age=" in first.header("cache-control")
    again = opac.get(path, {"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert opac.get(path, {"If-Modified-Since": modified}).status == 304
    assert opac.get(path, {"If-None-Match": '"something-else"'}).status == 200
    head = opac.request("HEAD", path)
    assert head.status == 200 and head.body == b"" and head.header("etag") == etag


def test_a_new_changeset_changes_the_etag(opac):
    first = opac.get("/api/v1/records/103")
    record = public_record(
        103,
        "宇宙の図鑑 改訂版",
        ndc="440",
        items=[public_item(1031, branch="east", branch_name="東分館", acquired_on=days_ago(1))],
    )
    opac.publish(records=[record])
    answer = opac.get("/api/v1/records/103", {"If-None-Match": first.header("etag")})
    assert answer.status == 200
    assert json.loads(answer.body)["title"] == "宇宙の図鑑 改訂版"
