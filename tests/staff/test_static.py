"""The desk's scripts and styles are served by the application itself (WhiteNoise), with
DEBUG off as `shoka serve` runs it: no separate web server, no collectstatic step."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("staff/desk.js", "javascript"),
        ("staff/desk.css", "text/css"),
        ("staff/holds.css", "text/css"),
        ("staff/vendor/htmx.min.js", "javascript"),
    ],
)
def test_static_files_are_served_without_debug(client, path, kind):
    assert settings.DEBUG is False
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
    assert kind in response["Content-Type"]
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_a_missing_static_file_is_404(client, db):
    assert client.get("/static/staff/nope.js").status_code == 404
