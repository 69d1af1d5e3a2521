"""The OPAC's pages plus /slow, which takes SLOW_SECONDS (test_live.py)."""

import time

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

SLOW_SECONDS = 1.5


def slow(request: HttpRequest) -> HttpResponse:
    time.sleep(SLOW_SECONDS)
    return HttpResponse("slow")


urlpatterns = [path("slow", slow), path("", include("shoka.opac.urls"))]
