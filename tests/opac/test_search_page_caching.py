"""What the search page keeps between requests (docs/opac.md, "Caching") never shows an
old answer: per-branch availability follows each changeset, the site's header follows the
language, and the facet links keep the visitor's parameters as they were written."""

from __future__ import annotations

import copy
import json
from html import unescape
from typing import Any
from urllib.parse import quote_plus

import pytest

from .conftest import public_item, public_record
from .html import get
from .sample import BRANCHES, DUE, KOKORO, RECORDS, TODAY


@pytest.fixture(scope="module")
def opac(live_opac: Any) -> Any:
    live_opac.publish(records=RECORDS, branches=BRANCHES)
    return live_opac


def test_availability_per_branch_follows_the_next_changeset(opac):
    status, _h, page = get(opac, "/search?q=ナツメ")
    assert status == 200
    assert "中央図書館: 貸出可" in page.text and "東分館: 貸出中" in page.text
    # The copy at the central library goes out and the one at the east branch comes back.
    kokoro = copy.deepcopy(next(r for r in RECORDS if r["id"] == KOKORO))
    for item in kokoro["items"]:
        item["status"], item["due_on"] = (
            ("on_loan", DUE.isoformat()) if item["branch"] == "main" else ("available", None)
        )
    sequence = opac.publish(records=[kokoro])
    status, headers, page = get(opac, "/search?q=ナツメ")
    assert status == 200 and headers["etag"].startswith(f'"c{sequence}-')
    assert "中央図書館: 貸出中" in page.text and "東分館: 貸出可" in page.text
    assert "中央図書館: 貸出可" not in page.text


def test_the_count_of_new_arrivals_follows_the_next_changeset(opac):
    def total(path: str) -> int:
        answer = opac.get(path)
        assert answer.status == 200
        return int(json.loads(answer.body)["total"])

    before = total("/api/v1/new-arrivals")
    assert total("/api/v1/new-arrivals") == before  # asked again: the kept count
    literature = total("/api/v1/new-arrivals?category=9")
    opac.publish(
        records=[
            public_record(
                9001, "新しい小説", ndc="913.6", items=[public_item(90011, acquired_on=TODAY)]
            )
        ]
    )
    assert total("/api/v1/new-arrivals") == before + 1
    assert total("/api/v1/new-arrivals?category=9") == literature + 1
    assert total("/api/v1/new-arrivals?category=0") == total("/api/v1/new-arrivals?category=0")


def test_the_site_header_is_in_the_visitors_language(opac):
    _s, _h, english = get(opac, "/search?q=ナツメ", **{"Accept-Language": "en"})
    _s, _h, japanese = get(opac, "/search?q=ナツメ", **{"Accept-Language": "ja"})
    assert english.find_all("html", lang="en") and japanese.find_all("html", lang="ja")
    assert english.link("Skip to main content") == japanese.link("本文へ移動") == "#content"
    assert "Skip to main content" not in japanese.text and "本文へ移動" not in english.text
    # the per-request parts around the kept header are this request's own
    assert english.find_all("input", name="next", value="/search?q=%E3%83%8A%E3%83%84%E3%83%A1")
    assert japanese.find_all("input", id="site-q", value="ナツメ")


def test_facet_links_keep_the_other_parameters_in_order_and_drop_the_page(opac):
    status, _h, page = get(opac, "/search?q=歴史&sort=newest&language=jpn&page=1")
    assert status == 200
    east = unescape(page.link("東分館"))
    assert east == f"?q={quote_plus('歴史')}&sort=newest&language=jpn&branch=east"
    # the active filter's own link removes just that value
    remove = [a.attrs["href"] for a in page.find_all("a") if "×" in a.text]
    assert [unescape(h) for h in remove] == [f"?q={quote_plus('歴史')}&sort=newest"]
