"""The public site. Publishing, search and the open APIs are issue "Public OPAC zone"; until a
catalogue has been published this site says so. robots.txt: shoka.opac.discovery."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(public=True, max_age=60)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "opac/home.html")
