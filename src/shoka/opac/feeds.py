"""Atom feeds of new arrivals (新着), per branch and NDC class: /feeds/new-arrivals.atom.

Built on Django's syndication framework. Each entry is one title with the date its copy
arrived (``updated``/``published``) and a link to its record page. A branch or category
that does not exist is a 400, not an empty feed that a reader would poll for ever.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shoka.opac import catalogue
from shoka.opac.caching import public_cached

from .api.views import ApiError, branch_param, category_param, error

FEED_DAYS = 60
FEED_ENTRIES = 50


class NewArrivalsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.request = request
        branch = branch_param(request)
        category = category_param(request)
        return {"branch": branch, "category": category}

    def title(self, obj: dict[str, Any]) -> str:
        parts = [_("New arrivals")]
        if obj["branch"]:
            branch = catalogue.get_branch(obj["branch"])
            parts.append(branch.name if branch else obj["branch"])
        if obj["category"]:
            labels = dict(catalogue.CATEGORIES)
            parts.append(f"{obj['category']} {labels[obj['category']]}")
        return " — ".join(parts)

    def link(self, obj: dict[str, Any]) -> str:
        query = "&".join(f"{k}={v}" for k, v in obj.items() if v)
        return "/new/" + (f"?{query}" if query else "")

    def subtitle(self, obj: dict[str, Any]) -> str:
        return _("Titles that arrived in the last %(days)d days, newest first.") % {
            "days": FEED_DAYS
        }

    def feed_url(self, obj: dict[str, Any]) -> str:
        return self.request.get_full_path()

    def items(self, obj: dict[str, Any]) -> list[Any]:
        return catalogue.new_arrivals(
            branch=obj["branch"], category=obj["category"], days=FEED_DAYS, limit=FEED_ENTRIES
        )

    def item_title(self, item: Any) -> str:
        return str(item.record.title)

    def item_description(self, item: Any) -> str:
        record = item.record
        parts = [record.responsibility, record.publisher, str(record.year or "")]
        return " / ".join(p for p in parts if p)

    def item_link(self, item: Any) -> str:
        return f"/records/{item.record.id}"

    def item_guid(self, item: Any) -> str:
        return f"{self.request.build_absolute_uri(self.item_link(item))}#{item.acquired_on}"

    def item_guid_is_permalink(self, item: Any) -> bool:
        return False

    def _when(self, item: Any) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(item.acquired_on, dt.time.min))

    def item_pubdate(self, item: Any) -> dt.datetime:
        return self._when(item)

    def item_updateddate(self, item: Any) -> dt.datetime:
        return self._when(item)

    def item_author_name(self, item: Any) -> str | None:
        return str(item.record.responsibility) or None

    def item_categories(self, item: Any) -> list[str]:
        return [item.record.ndc] if item.record.ndc else []


_feed = NewArrivalsFeed()


@require_safe
@public_cached(max_age=600)
def new_arrivals_feed(request: HttpRequest) -> HttpResponse:
    try:
        branch_param(request)
        category_param(request)
    except ApiError as exc:
        return error(exc.status, exc.code, exc.detail)
    return _feed(request)
