"""The lists cost the same number of queries whatever their length (no query per line)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries(staff, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert staff.get(url).status_code == 200
    return len(captured)


def _fill(staff, world, n: int):
    bib = world.bib()
    for _ in range(n):
        staff.ready()
        travelling = staff.copy(branch=world.east)
        staff.hold(travelling.bib, world.patron())
        staff.scan_in(travelling, branch=world.east)
        staff.copy(bib)
        staff.hold(bib, world.patron())
    return bib


@pytest.mark.parametrize("page", ["shelf/", "pick/", "pick/all/", "transit/", "title/"])
def test_a_longer_list_costs_no_more_queries(staff, world, page):
    bib = _fill(staff, world, 1)
    url = f"/holds/{page}{bib.pk}/" if page == "title/" else f"/holds/{page}"
    queries(staff, url)  # the first request of a session also loads the configuration
    few = queries(staff, url)
    _fill(staff, world, 3)
    for _ in range(3):
        staff.hold(bib, world.patron())  # a longer queue
    assert queries(staff, url) == few
