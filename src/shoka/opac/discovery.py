"""How crawlers and browsers find the catalogue: robots.txt, sitemaps, OpenSearch.

robots.txt welcomes every crawler at one request a second and points at the sitemap and
the bulk data, so that nobody needs to walk search results to copy the catalogue. Search
result pages (endless combinations of words and facets, each a query) are the only pages
crawlers are asked to skip, besides the patron's own /account/ pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page, require_safe
from django.views.decorators.vary import vary_on_headers

from shoka.opac import catalogue
from shoka.opac.caching import catalogue_version, public_cached
from shoka.opac.templatetags.opac import library_name

SITEMAP_URLS = 50_000  # the sitemaps.org limit per file
CRAWL_DELAY = 1
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: The public pages besides the records (URL scheme in the contract of the OPAC helpers).
INSTALLED_AT = int(Path(__file__).stat().st_mtime)
PAGES = ["/", "/new/", "/popular/", "/branches/", "/developers/", "/data/"]


def robots_lines(sitemap_url: str) -> list[str]:
    return [
        "# shoka public catalogue (OPAC). Crawlers are welcome: please keep to one request",
        "# a second. The whole catalogue is published as nightly bulk data at /data/, and",
        "# as a JSON API described at /api/v1/openapi.json (docs: /developers/).",
        "User-agent: *",
        f"Crawl-delay: {CRAWL_DELAY}",
        "Allow: /",
        "Allow: /api/v1/openapi.json",
        "# Search results are endless combinations of queries: use the sitemap instead.",
        "Disallow: /search",
        "Disallow: /api/",
        "# A patron's own pages and the publishing receiver are not for crawlers.",
        "Disallow: /account/",
        "Disallow: /publish/",
        "",
        f"Sitemap: {sitemap_url}",
    ]


def _fixed(response: HttpResponse) -> HttpResponse:
    """A text that changes only with the software: Last-Modified is this module's date;
    ``conditional_page`` adds the ETag of the content and answers 304."""
    response["Last-Modified"] = http_date(INSTALLED_AT)
    return response


@require_safe
@conditional_page
@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = robots_lines(request.build_absolute_uri("/sitemap.xml"))
    return _fixed(HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"))


def _lastmod() -> str | None:
    _, applied_at = catalogue_version()
    return applied_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if applied_at else None


def sitemap_pages(record_count: int, per_file: int = SITEMAP_URLS) -> int:
    """How many record sitemaps ``record_count`` records need (at least one)."""
    return max(1, -(-record_count // per_file))


def _record_count() -> int:
    from shoka.publish.public.models import PublicRecord

    return PublicRecord.objects.count()


@require_safe
@public_cached(max_age=3600)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    lastmod = _lastmod()
    entries = [request.build_absolute_uri("/sitemap-pages.xml")]
    for page in range(1, sitemap_pages(_record_count()) + 1):
        entries.append(request.build_absolute_uri(f"/sitemap-records-{page}.xml"))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for url in entries:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<sitemap><loc>{escape(url)}</loc>{mod}</sitemap>")
    lines.append("</sitemapindex>")
    return HttpResponse("\n".join(lines) + "\n", content_type="application/xml")


@require_safe
@public_cached(max_age=3600)
def sitemap_static(request: HttpRequest) -> HttpResponse:
    urls = [*PAGES, *(f"/branches/{b.code}/" for b in catalogue.branches())]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    lines += [f"<url><loc>{escape(request.build_absolute_uri(u))}</loc></url>" for u in urls]
    lines.append("</urlset>")
    return HttpResponse("\n".join(lines) + "\n", content_type="application/xml")


@require_safe
@public_cached(max_age=3600)  # type: ignore[arg-type]  # a streamed answer is fine for it
def sitemap_records(request: HttpRequest, page: int) -> HttpResponseBase:
    """One file of record pages, ``SITEMAP_URLS`` at most, streamed in id order. The public
    side does not know when each record last changed, only when the catalogue did: that
    date is the ``lastmod`` of each file in the index, and no URL claims one of its own."""
    from shoka.publish.public.models import PublicRecord

    if not 1 <= page <= sitemap_pages(_record_count()):
        raise Http404("no such sitemap")
    base = request.build_absolute_uri("/records/")
    start = (page - 1) * SITEMAP_URLS
    ids = (
        PublicRecord.objects.order_by("id")
        .values_list("id", flat=True)[start : start + SITEMAP_URLS]
        .iterator(chunk_size=5000)
    )

    def body() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
        for record_id in ids:
            yield f"<url><loc>{escape(base)}{record_id}</loc></url>\n"
        yield "</urlset>\n"

    return StreamingHttpResponse(body(), content_type="application/xml")


@require_safe
@vary_on_headers("Accept-Language", "Cookie")  # the description is in the visitor's language
@conditional_page
@cache_control(public=True, max_age=86400)
def opensearch_xml(request: HttpRequest) -> HttpResponse:
    """OpenSearch 1.1 description: the search page, and the JSON API for programs."""
    html = request.build_absolute_uri("/search") + "?q={searchTerms}&page={startPage?}"
    json_url = request.build_absolute_uri("/api/v1/search") + "?q={searchTerms}&page={startPage?}"
    me = request.build_absolute_uri("/opensearch.xml")
    name = library_name()[:16]  # OpenSearch allows 16 characters
    body = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">',
            f"  <ShortName>{escape(name)}</ShortName>",
            f"  <Description>{escape(_('Search the library catalogue'))}</Description>",
            "  <InputEncoding>UTF-8</InputEncoding>",
            "  <OutputEncoding>UTF-8</OutputEncoding>",
            "  <Language>ja</Language>",
            "  <Language>en</Language>",
            f'  <Url type="text/html" template={quoteattr(html)}/>',
            f'  <Url type="application/json" template={quoteattr(json_url)}/>',
            f'  <Url type="application/opensearchdescription+xml" rel="self"'
            f" template={quoteattr(me)}/>",
            "  <SyndicationRight>open</SyndicationRight>",
            "</OpenSearchDescription>",
            "",
        ]
    )
    return _fixed(
        HttpResponse(body, content_type="application/opensearchdescription+xml; charset=utf-8")
    )
