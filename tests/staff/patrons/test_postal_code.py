"""Postal code → address: with htmx the address field is filled as soon as the code is
typed; without JavaScript the form's button does the same and keeps everything typed."""

from __future__ import annotations

import json

from shoka.patrons.models import Patron


def test_htmx_lookup_fills_an_empty_address(clerk):
    response = clerk.post(
        "/patrons/postal-code/", {"postal_code": "〒390-0811", "address": ""}, htmx=True
    )
    assert "〒390-0811: 長野県松本市中央" in response.content.decode()
    # patrons.js puts the town into the address field while that is still empty.
    event = json.loads(response["HX-Trigger"])
    assert event == {"shoka:address": {"value": "長野県松本市中央"}}


def test_htmx_lookup_keeps_an_address_already_typed(clerk):
    response = clerk.post(
        "/patrons/postal-code/", {"postal_code": "3900811", "address": "中央2丁目3-4"}, htmx=True
    )
    assert "The address you typed is kept." in response.content.decode()
    assert "HX-Trigger" not in response


def test_htmx_lookup_of_a_bad_code_says_why(clerk):
    response = clerk.post(
        "/patrons/postal-code/", {"postal_code": "39-0811", "address": ""}, htmx=True
    )
    assert "has 6 digits; it must have 7" in response.content.decode()
    assert "HX-Trigger" not in response
    html = clerk.post("/patrons/postal-code/", {"postal_code": "000-0000"}).content.decode()
    assert "000-0000 is not a Japanese postal code" in html


def test_the_button_without_javascript_fills_the_address_and_saves_nothing(clerk, adult):
    adult |= {"address": "", "lookup_address": "1", "name": ""}

    response = clerk.register(adult)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Patron.objects.exists()
    assert 'value="長野県松本市中央"' in html
    assert 'value="300001"' in html  # everything typed is still there
    assert "error-summary" not in html  # the empty name is not an error yet
