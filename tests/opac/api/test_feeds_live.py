"""Atom feeds, OpenSearch, sitemaps and robots.txt of a live OPAC."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

import feedparser
import pytest
from django.utils import timezone
from tests.opac.conftest import public_branch, public_item, public_record

from shoka.opac import discovery

pytestmark = pytest.mark.slow

TODAY = timezone.localdate()
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 — our own server's answer, in a test


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture(scope="module")
def opac(live_opac):
    branches = [
        public_branch("main", "中央図書館", kind="main", position=1),
        public_branch("east", "東分館", position=2),
    ]

    def arrival(record_id, title, ndc, branch, days):
        return public_record(
            record_id,
            title,
            ndc=ndc,
            items=[public_item(record_id * 10, branch=branch, acquired_on=days_ago(days))],
        )

    live_opac.publish(
        records=[
            arrival(201, "星の本", "440", "main", 1),
            arrival(202, "海の本", "452", "east", 3),
            arrival(203, "小説 夜明け", "913.6", "main", 5),
            arrival(204, "古い本", "913.6", "main", 200),  # not new any more
        ],
        branches=branches,
    )
    return live_opac


def feed(opac, query=""):
    answer = opac.get("/feeds/new-arrivals.atom" + query)
    assert answer.status == 200, answer.body[:300]
    assert answer.header("content-type").startswith("application/atom+xml")
    parsed = feedparser.parse(answer.body)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def test_the_feed_lists_new_arrivals_newest_first_with_their_dates(opac):
    parsed = feed(opac)
    assert parsed.version == "atom10"
    assert [e.title for e in parsed.entries] == ["星の本", "海の本", "小説 夜明け"]
    first = parsed.entries[0]
    assert first.link == f"{opac.base}/records/201"
    # the day it arrived, at midnight in the library's time zone
    assert first.updated.startswith(f"{days_ago(1).isoformat()}T00:00:00")
    assert first.published == first.updated and first.updated_parsed
    assert first.id != parsed.entries[1].id
    assert parsed.feed.title


def test_a_feed_per_category_and_branch(opac):
    assert [e.title for e in feed(opac, "?category=4").entries] == ["星の本", "海の本"]
    assert [e.title for e in feed(opac, "?branch=main").entries] == ["星の本", "小説 夜明け"]
    both = feed(opac, "?branch=east&category=4")
    assert [e.title for e in both.entries] == ["海の本"]
    assert "東分館" in both.feed.title
    assert [e.title for e in feed(opac, "?category=0").entries] == []


@pytest.mark.parametrize("query", ["?branch=nowhere", "?category=x", "?category=10"])
def test_a_bad_filter_is_a_400(opac, query):
    answer = opac.get("/feeds/new-arrivals.atom" + query)
    assert answer.status == 400 and b'"error"' in answer.body


def test_the_feed_answers_conditional_requests(opac):
    first = opac.get("/feeds/new-arrivals.atom?branch=main")
    assert first.header("etag") and first.header("last-modified")
    again = opac.get(
        "/feeds/new-arrivals.atom?branch=main", {"If-None-Match": first.header("etag")}
    )
    assert again.status == 304


def test_opensearch_description(opac):
    answer = opac.get("/opensearch.xml")
    assert answer.status == 200
    assert answer.header("content-type").startswith("application/opensearchdescription+xml")
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    root = xml(answer.body)
    assert len(root.find("os:ShortName", ns).text) <= 16
    templates = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert templates["text/html"] == f"{opac.base}/search?q={{searchTerms}}&page={{startPage?}}"
    assert templates["application/json"].startswith(f"{opac.base}/api/v1/search?q={{searchTerms}}")
    # the JSON template really answers
    json_url = (
        templates["application/json"]
        .replace("{searchTerms}", quote("星"))
        .replace("{startPage?}", "1")
    )
    assert opac.get(urlsplit(json_url)._replace(scheme="", netloc="").geturl()).status == 200


def test_robots_txt_welcomes_crawlers_and_names_the_sitemap(opac):
    answer = opac.get("/robots.txt")
    assert answer.status == 200 and answer.header("content-type").startswith("text/plain")
    lines = answer.text.splitlines()
    assert "User-agent: *" in lines and "Crawl-delay: 1" in lines and "Allow: /" in lines
    assert f"Sitemap: {opac.base}/sitemap.xml" in lines
    assert "Disallow: /account/" in lines and "Disallow: /search" in lines
    assert "Disallow: /" not in lines  # never the whole site


def test_the_sitemap_index_leads_to_every_record_page(opac):
    answer = opac.get("/sitemap.xml")
    assert answer.status == 200 and answer.header("etag")
    index = xml(answer.body)
    locs = [s.findtext(f"{SITEMAP}loc") for s in index.findall(f"{SITEMAP}sitemap")]
    assert locs == [f"{opac.base}/sitemap-pages.xml", f"{opac.base}/sitemap-records-1.xml"]
    assert all(s.findtext(f"{SITEMAP}lastmod") for s in index.findall(f"{SITEMAP}sitemap"))
    records = xml(opac.get("/sitemap-records-1.xml").body)
    urls = [u.findtext(f"{SITEMAP}loc") for u in records.findall(f"{SITEMAP}url")]
    assert urls == [f"{opac.base}/records/{n}" for n in (201, 202, 203, 204)]
    assert opac.get("/sitemap-records-2.xml").status == 404
    pages = xml(opac.get("/sitemap-pages.xml").body)
    page_urls = {u.findtext(f"{SITEMAP}loc") for u in pages.findall(f"{SITEMAP}url")}
    assert f"{opac.base}/branches/east/" in page_urls and f"{opac.base}/new/" in page_urls


@pytest.mark.parametrize(
    ("records", "files"), [(0, 1), (1, 1), (50_000, 1), (50_001, 2), (1_000_000, 20)]
)
def test_record_sitemaps_hold_at_most_fifty_thousand_urls(records, files):
    assert discovery.sitemap_pages(records) == files


@pytest.mark.parametrize("path", ["/robots.txt", "/opensearch.xml", "/sitemap.xml"])
def test_the_discovery_documents_answer_conditional_requests(opac, path):
    first = opac.get(path)
    etag, modified = first.header("etag"), first.header("last-modified")
    assert first.status == 200 and etag and modified and "public" in first.header("cache-control")
    assert opac.get(path, {"If-None-Match": etag}).status == 304
    assert opac.get(path, {"If-Modified-Since": modified}).status == 304


def test_the_feed_title_follows_the_language(opac):
    titles = {}
    for language in ("ja", "en"):
        answer = opac.get("/feeds/new-arrivals.atom?category=4", {"Accept-Language": language})
        titles[language] = feedparser.parse(answer.body).feed.title
    assert titles["ja"].startswith("新着資料") and titles["en"].startswith("New arrivals")
