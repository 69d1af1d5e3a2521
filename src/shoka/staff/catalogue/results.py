"""The search page's facet links and page links, as plain data for the template. Each link
is the current search with one filter added or removed (or another page)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.http import QueryDict

from shoka.organisation.models import Branch
from shoka.search.service import MAX_OFFSET, FacetCount

from .facets import FACET_ORDER, FACET_TITLES, facet_label


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    selected: bool
    query: str  # the query string that toggles this value


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    links: list[FacetLink]


@dataclass(frozen=True)
class PageLinks:
    page: int
    last: int
    previous: str | None
    next: str | None


def _query(params: QueryDict, *, filters: list[str] | None = None, page: int | None = None) -> str:
    q = params.copy()
    if filters is not None:
        q.setlist("f", filters)
        q.pop("page", None)
    if page is not None:
        q["page"] = str(page)
    return q.urlencode()


def facet_groups(
    params: QueryDict,
    facets: dict[str, list[FacetCount]],
    selected: dict[str, tuple[str, ...]],
) -> list[FacetGroup]:
    branches = dict(Branch.objects.values_list("code", "name"))
    current = [f"{name}:{value}" for name, values in selected.items() for value in values]
    groups = []
    for name in FACET_ORDER:
        links = []
        counts = {fc.value: fc.count for fc in facets.get(name, [])}
        # A chosen value stays listed (to remove it) even when the facet no longer counts it.
        for value in [
            *selected.get(name, ()),
            *(v for v in counts if v not in selected.get(name, ())),
        ]:
            token = f"{name}:{value}"
            chosen = token in current
            toggled = [f for f in current if f != token] if chosen else [*current, token]
            links.append(
                FacetLink(
                    label=facet_label(name, value, branches),
                    count=counts.get(value, 0),
                    selected=chosen,
                    query=_query(params, filters=toggled),
                )
            )
        if links:
            groups.append(FacetGroup(name, str(FACET_TITLES[name]), links))
    return groups


def pages(params: QueryDict, total: int, page: int, per_page: int) -> PageLinks:
    last = max(1, min(math.ceil(total / per_page), MAX_OFFSET // per_page + 1))
    return PageLinks(
        page=page,
        last=last,
        previous=_query(params, page=page - 1) if page > 1 else None,
        next=_query(params, page=page + 1) if page < last else None,
    )
