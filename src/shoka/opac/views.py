"""The public site. Publishing, search and the open APIs are issue "Public OPAC zone"; until a
catalogue has been published this site says so, and serves robots.txt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "User-agent: *\nCrawl-delay: 1\nAllow: /\n", content_type="text/plain; charset=utf-8"
    )
