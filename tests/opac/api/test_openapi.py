"""The OpenAPI document is valid and describes every route of the API."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from shoka.opac.api import openapi
from shoka.opac.api.availability import Availability


def test_the_document_is_valid_openapi_3_1():
    document = openapi.document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_is_plain_json():
    json.loads(json.dumps(openapi.document(), ensure_ascii=False))


def test_every_api_route_is_described():
    from django.urls import URLPattern

    from shoka.opac.api import urls

    routes = set()
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if route.startswith("api/v1/") and route != "api/v1/openapi.json":
            routes.add(
                "/"
                + route.replace("<str:record_id>", "{record_id}").replace("<str:code>", "{code}")
            )
    assert routes == set(openapi.PATHS)


@pytest.mark.parametrize("path", sorted(openapi.PATHS))
def test_every_operation_documents_errors_and_the_rate_limit(path):
    responses = openapi.PATHS[path]["get"]["responses"]
    assert {"200", "304", "429", "503"} <= set(responses)
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"]
    if openapi.PATHS[path]["get"]["parameters"]:
        assert {"400", "404"} & set(responses)


def test_the_availability_words_are_the_schema_enum():
    words = openapi.SCHEMAS["AvailabilityBranch"]["properties"]["status"]["enum"]
    assert words == [a.value for a in Availability]
