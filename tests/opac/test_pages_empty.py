"""The public pages before anything has been published: they say so, and nothing fails."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .html import Page


@pytest.mark.parametrize(
    "path", ["/", "/search?q=こころ", "/new/", "/popular/", "/branches/", "/developers/"]
)
def test_an_empty_catalogue_says_so_on_every_page(live_opac, path):
    answer = live_opac.get(quote(path, safe="/?=&"))
    assert answer.status == 200, answer.text[:500]
    assert "set-cookie" not in answer.headers
    page = Page(answer.body)
    if path in ("/", "/search?q=こころ"):
        assert "まだ蔵書目録が公開されていません" in page.text
    if path == "/branches/":
        assert "館の情報はまだ公開されていません" in page.text


def test_an_unknown_branch_or_record_is_a_404_before_publishing(live_opac):
    assert live_opac.get("/records/1").status == 404
    assert live_opac.get("/branches/main/").status == 404
