from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

urlpatterns = [
    # The open interfaces (docs/opac-api.md): API, feeds, sitemaps, robots.txt, bulk data.
    path("", include("shoka.opac.api.urls")),
    # The publishing receiver (docs/publishing.md): signed changesets from the staff side.
    path("publish/", include("shoka.publish.public.urls")),
    path("account/", include("shoka.opac.account.urls")),  # self-service (helper "selfservice")
    # The ja/en switch in the header. Exempt from CSRF: a forged request can only change the
    # language, and a CSRF token would give every anonymous visitor a cookie.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The public pages (docs/opac.md): home, search, records, new arrivals, branches, …
    path("", include("shoka.opac.pages.urls")),
]

handler404 = "shoka.opac.pages.views.not_found"
