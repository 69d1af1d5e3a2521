"""Fixtures for search tests: a fresh index directory per test."""

from __future__ import annotations

import pytest

from shoka.search.indexer import IndexWriter
from shoka.search.service import SearchRequest, SearchResponse, SearchService, forget_services


class Index:
    """A test's index: ``catch_up()`` applies queued changes, ``search()`` asks the service."""

    def __init__(self, path) -> None:
        self.path = path

    def catch_up(self) -> None:
        with IndexWriter(self.path, heap=15_000_000, threads=1) as writer:
            writer.catch_up()

    def search(self, q: str = "", **kwargs) -> SearchResponse:
        return SearchService(self.path).search(SearchRequest(q=q, **kwargs))

    def ids(self, q: str = "", **kwargs) -> list[int]:
        return [hit.id for hit in self.search(q, per_page=100, **kwargs).hits]


@pytest.fixture
def index(settings, tmp_path) -> Index:
    settings.SHOKA_SEARCH_INDEX_DIR = str(tmp_path / "index")
    forget_services()
    yield Index(tmp_path / "index")
    forget_services()
