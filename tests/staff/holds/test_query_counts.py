"""The lists cost the same number of queries whatever their length (no query per line)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries(staff, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert staff.get(url).status_code == 200
    return len(captured)


def _fill(staff, world, bib, n: int) -> None:
    """n more of each: ready holds, items in transit, copies to pull, holds in the queue."""
    for _ in range(n):
        staff.ready()
        travelling = staff.copy(branch=world.east)
        staff.hold(travelling.bib, world.patron())
        staff.scan_in(travelling, branch=world.east)
        staff.copy(bib)
        staff.hold(bib, world.patron())


def test_a_longer_list_costs_no_more_queries(staff, world):
    bib = world.bib()
    _fill(staff, world, bib, 1)
    urls = ["/holds/shelf/", "/holds/pick/", "/holds/pick/all/", "/holds/transit/"]
    urls.append(f"/holds/title/{bib.pk}/")
    queries(staff, urls[0])  # the first request of a session also loads the configuration
    few = {url: queries(staff, url) for url in urls}

    _fill(staff, world, bib, 3)

    assert {url: queries(staff, url) for url in urls} == few
