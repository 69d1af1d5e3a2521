"""The open interfaces of the OPAC (docs/opac-api.md): JSON API, feeds, OpenSearch,
sitemaps, robots.txt and the bulk data. One include() in shoka/opac/urls.py."""

from django.urls import path, re_path

from shoka.opac import discovery, feeds, opendata

from . import views

urlpatterns = [
    path("api/v1/openapi.json", views.openapi_json, name="api-openapi"),
    path("api/v1/search", views.search, name="api-search"),
    path("api/v1/records/<str:record_id>", views.record, name="api-record"),
    path("api/v1/records/<str:record_id>/holdings", views.holdings, name="api-holdings"),
    path("api/v1/availability", views.availability, name="api-availability"),
    path("api/v1/new-arrivals", views.new_arrivals, name="api-new-arrivals"),
    path("api/v1/branches", views.branches, name="api-branches"),
    path("api/v1/branches/<str:code>/calendar", views.calendar, name="api-calendar"),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^api/", views.not_found, name="api-not-found"),
    path("feeds/new-arrivals.atom", feeds.new_arrivals_feed, name="feed-new-arrivals"),
    path("opensearch.xml", discovery.opensearch_xml, name="opensearch"),
    path("robots.txt", discovery.robots_txt, name="robots-txt"),
    path("sitemap.xml", discovery.sitemap_index, name="sitemap"),
    path("sitemap-pages.xml", discovery.sitemap_static, name="sitemap-pages"),
    path("sitemap-records-<int:page>.xml", discovery.sitemap_records, name="sitemap-records"),
    path("data/", opendata.data_index, name="data-index"),
    path("data/index.json", opendata.data_index_json, name="data-index-json"),
    re_path(
        r"^data/(?P<name>(?:catalogue|holdings)\.(?:jsonl|csv)\.gz)$",
        opendata.data_file,
        name="data-file",
    ),
]
