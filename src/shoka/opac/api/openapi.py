"""The OpenAPI 3.1 document of the public API, kept as data beside the views that answer it.

Served at /api/v1/openapi.json. ``tests/opac/api/test_openapi.py`` validates it with
openapi-spec-validator, and ``tests/opac/api/test_schemathesis.py`` runs schemathesis against a
live OPAC with it: every answer must match the schemas written here.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from .availability import MEANINGS, Availability

VERSION = "1.0.0"
ITEM_STATUSES = [
    "available",
    "on_loan",
    "in_transit",
    "on_hold_shelf",
    "missing",
    "withdrawn",
    "in_repair",
]
SEARCH_FILTERS = ("branch", "material_type", "language", "ndc1", "availability")
MAX_ID = 2**63 - 1


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [p for p in properties if p not in optional],
        "additionalProperties": False,
    }


STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
NULL_DATE: dict[str, Any] = {"type": ["string", "null"], "format": "date"}
STRS: dict[str, Any] = {"type": "array", "items": STR}
with translation.override("en"):  # the document is in English, whatever the request's language
    WORD: dict[str, Any] = {
        "type": "string",
        "enum": [a.value for a in Availability],
        "description": "; ".join(f"{a.value}: {MEANINGS[a]}" for a in Availability),
    }
TIME: dict[str, Any] = {"type": ["string", "null"], "pattern": "^[0-2][0-9]:[0-5][0-9]$"}

SCHEMAS: dict[str, Any] = {
    "Error": {
        **_obj({"error": STR, "detail": STR}),
        "description": "Every 400 and 404: a short code and a sentence saying what was wrong.",
    },
    "Refusal": {
        "type": "object",
        "description": "429 (rate limit) or 503 (busy), see docs/opac-admission.md.",
        "properties": {
            "error": {"type": "string", "enum": ["too_many_requests", "busy"]},
            "retry_after": INT,
            "message": {"type": "object", "additionalProperties": STR},
        },
        "required": ["error", "retry_after", "message"],
    },
    "Author": _obj({"name": STR, "reading": STR}),
    "Record": _obj(
        {
            "id": INT,
            "title": STR,
            "title_reading": STR,
            "title_romanized": STR,
            "responsibility": STR,
            "authors": {"type": "array", "items": _ref("Author")},
            "publisher": STR,
            "publisher_reading": STR,
            "year": {"type": ["integer", "null"]},
            "edition": STR,
            "extent": STR,
            "isbns": {**STRS, "description": "ISBN-13, 13 digits"},
            "jpno": STR,
            "ndc": STR,
            "subjects": STRS,
            "series": STR,
            "series_reading": STR,
            "volume": STR,
            "material_type": STR,
            "language": STR,
            "hold_queue": {**INT, "description": "予約件数: holds waiting for the title"},
            "loan_count": {**INT, "description": "loans of its copies in the last 365 days"},
            "url": {**STR, "description": "the record page (HTML)"},
            "holdings_url": STR,
        }
    ),
    "RecordSummary": _obj(
        {
            "id": INT,
            "title": STR,
            "responsibility": STR,
            "publisher": STR,
            "year": {"type": ["integer", "null"]},
            "isbns": STRS,
            "ndc": STR,
            "material_type": STR,
            "url": STR,
        }
    ),
    "Item": _obj(
        {
            "location": STR,
            "location_name": STR,
            "call_number": STR,
            "status": {"type": "string", "enum": ITEM_STATUSES},
            "status_label": STR,
            "loanable": BOOL,
            "due_on": NULL_DATE,
            "acquired_on": NULL_DATE,
        }
    ),
    "BranchHoldings": _obj(
        {
            "code": STR,
            "name": STR,
            "availability": WORD,
            "items": {"type": "array", "items": _ref("Item")},
        }
    ),
    "Holdings": _obj(
        {
            "record_id": INT,
            "hold_queue": INT,
            "available": {**INT, "description": "copies on the shelf that may be borrowed"},
            "total": INT,
            "branches": {"type": "array", "items": _ref("BranchHoldings")},
        }
    ),
    "Hit": _obj(
        {
            "id": INT,
            "title": STR,
            "title_reading": STR,
            "responsibility": STR,
            "authors": STRS,
            "publisher": STR,
            "year": {"type": ["integer", "null"]},
            "isbn": STR,
            "ndc": STR,
            "material_type": STR,
            "language": STR,
            "availability": {
                "type": "string",
                "enum": ["available", "library_use_only", "on_loan", "unavailable", "none"],
            },
            "items": INT,
            "url": STR,
        }
    ),
    "FacetCount": _obj({"value": STR, "count": INT}),
    "SearchResult": _obj(
        {
            "total": INT,
            "page": INT,
            "per_page": INT,
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": _ref("FacetCount")},
            },
        }
    ),
    "AvailabilityBranch": _obj({"code": STR, "name": STR, "status": WORD}),
    "AvailabilityResult": _obj(
        {
            "isbn": {**STR, "description": "as asked"},
            "isbn13": STR,
            "record_ids": {"type": "array", "items": INT},
            "reserve_url": {
                "type": ["string", "null"],
                "description": "the record page, where a hold can be placed",
            },
            "libkey": {
                "type": "object",
                "additionalProperties": WORD,
                "description": "branch code → word, as Calil's libkey",
            },
            "branches": {"type": "array", "items": _ref("AvailabilityBranch")},
        }
    ),
    "Availability": _obj(
        {"date": DATE, "results": {"type": "array", "items": _ref("AvailabilityResult")}}
    ),
    "Arrival": _obj({"acquired_on": DATE, "branches": STRS, "record": _ref("RecordSummary")}),
    "NewArrivals": _obj(
        {
            "total": INT,
            "page": INT,
            "per_page": INT,
            "days": INT,
            "branch": {"type": ["string", "null"]},
            "category": {"type": ["string", "null"]},
            "arrivals": {"type": "array", "items": _ref("Arrival")},
        }
    ),
    "Hours": {
        "type": ["object", "null"],
        "properties": {"opens": TIME, "closes": TIME},
        "required": ["opens", "closes"],
        "additionalProperties": False,
    },
    "Branch": _obj(
        {
            "code": STR,
            "name": STR,
            "name_en": STR,
            "kind": {"type": "string", "enum": ["main", "branch", "bookmobile"]},
            "address": STR,
            "phone": STR,
            "hours": {
                "type": "array",
                "items": _ref("Hours"),
                "minItems": 7,
                "maxItems": 7,
                "description": "Monday first; null: closed that weekday",
            },
            "note": STR,
            "open_today": {"type": ["boolean", "null"]},
            "calendar_url": STR,
        }
    ),
    "Branches": _obj({"branches": {"type": "array", "items": _ref("Branch")}}),
    "CalendarDay": _obj(
        {
            "date": DATE,
            "is_open": BOOL,
            "opens": TIME,
            "closes": TIME,
            "closure": {
                "type": "string",
                "enum": ["", "weekly", "holiday", "monthly", "annual", "closed", "stocktaking"],
            },
            "reason": STR,
        }
    ),
    "Calendar": _obj(
        {
            "branch": STR,
            "from": DATE,
            "to": DATE,
            "days": {"type": "array", "items": _ref("CalendarDay")},
        }
    ),
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Last-Modified": {"$ref": "#/components/headers/LastModified"},
            "Cache-Control": {"$ref": "#/components/headers/CacheControl"},
        },
        "content": {"application/json": {"schema": _ref(schema)}},
    }


COMMON_RESPONSES = {
    "304": {"$ref": "#/components/responses/NotModified"},
    "429": {"$ref": "#/components/responses/TooManyRequests"},
    "503": {"$ref": "#/components/responses/Busy"},
}
BAD = {"400": {"$ref": "#/components/responses/BadRequest"}}
MISSING = {"404": {"$ref": "#/components/responses/NotFound"}}


def _q(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


# The HTTP server refuses a request line over 4 KB (gunicorn's limit_request_line) before
# the API sees it: the lengths below keep every valid request well within it.
CODE = {"type": "string", "maxLength": 20, "pattern": "^[A-Za-z0-9_.-]*$"}


def _list(description: str) -> dict[str, Any]:
    return _q(
        "",
        {"type": "array", "items": CODE, "maxItems": 3},
        description,
        style="form",
        explode=True,
    )


SEARCH_PARAMETERS = [
    _q("q", {"type": "string", "maxLength": 200}, "Words; title:, author:, isbn:, ndc: …"),
    *[{**_list(f"Only {name} (repeat for several)"), "name": name} for name in SEARCH_FILTERS],
    _q("year_from", {"type": "integer", "minimum": 0, "maximum": 9999}, "Published from"),
    _q("year_to", {"type": "integer", "minimum": 0, "maximum": 9999}, "Published until"),
    _q("sort", {"type": "string", "enum": ["relevance", "newest", "title"]}, "Order"),
    _q("page", {"type": "integer", "minimum": 1, "maximum": 500}, "Page, from 1"),
    _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Hits per page"),
]
PATH_ID = {
    "name": "record_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "example": 1,
}
CATEGORY = {"type": "string", "enum": [str(d) for d in range(10)]}


def _get(
    summary: str,
    schema: str,
    parameters: list[dict[str, Any]] | None = None,
    errors: dict[str, Any] | None = None,
    tag: str = "catalogue",
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": [tag],
            "operationId": schema[0].lower() + schema[1:],
            "parameters": parameters or [],
            "responses": {"200": _json(schema, summary), **(errors or {}), **COMMON_RESPONSES},
        }
    }


PATHS: dict[str, Any] = {
    "/api/v1/search": _get(
        "Search the catalogue, with facets", "SearchResult", SEARCH_PARAMETERS, BAD
    ),
    "/api/v1/records/{record_id}": _get("One record", "Record", [PATH_ID], MISSING),
    "/api/v1/records/{record_id}/holdings": _get(
        "Copies per branch: location, call number, status, due date",
        "Holdings",
        [PATH_ID],
        MISSING,
    ),
    "/api/v1/availability": _get(
        "Availability of up to 100 ISBNs, per branch, in Calil's words",
        "Availability",
        [
            _q(
                "isbn",
                {"type": "string", "maxLength": 1800, "pattern": "^[0-9Xx, -]*$"},
                "ISBN-10 or ISBN-13, hyphens allowed, separated by commas (at most 100)",
                required=True,
                example="978-4-10-101001-6,4101010013",
            )
        ],
        BAD,
    ),
    "/api/v1/new-arrivals": _get(
        "New arrivals (新着), newest first, with the date each arrived",
        "NewArrivals",
        [
            _q("branch", CODE, "Only this branch (code)"),
            _q("category", CATEGORY, "Only this NDC class (first digit)"),
            _q("days", {"type": "integer", "minimum": 1, "maximum": 365}, "Arrived within"),
            _q("page", {"type": "integer", "minimum": 1, "maximum": 500}, "Page, from 1"),
            _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Per page"),
        ],
        BAD,
    ),
    "/api/v1/branches": _get("Branches: address, phone, opening hours", "Branches"),
    "/api/v1/branches/{code}/calendar": _get(
        "The branch's open and closed days (at most 366 days at once)",
        "Calendar",
        [
            {
                "name": "code",
                "in": "path",
                "required": True,
                "schema": CODE,
                "example": "main",
            },
            _q("from", {"type": "string", "format": "date"}, "First day (default today)"),
            _q("to", {"type": "string", "format": "date"}, "Last day (default from + 30)"),
        ],
        {**BAD, **MISSING},
    ),
}


def document() -> dict[str, Any]:
    """The OpenAPI document (paths are absolute: the API lives at /api/v1/ of the OPAC)."""
    refusal = {"application/json": {"schema": _ref("Refusal")}}
    retry = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
    error = {"application/json": {"schema": _ref("Error")}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "shoka OPAC API",
            "version": VERSION,
            "summary": "The public catalogue's open API: no key needed, no personal data.",
            "description": (
                "Read-only. Every GET answer carries ETag, Last-Modified and Cache-Control "
                "and answers 304 to If-None-Match / If-Modified-Since. Clients are rate "
                "limited per network or per API key (header X-API-Key): see "
                "docs/opac-admission.md. Bulk data for whole-catalogue needs: /data/."
            ),
            "license": {"name": "CC0-1.0", "identifier": "CC0-1.0"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "catalogue"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "headers": {
                "ETag": {"schema": STR},
                "LastModified": {"schema": STR},
                "CacheControl": {"schema": STR},
            },
            "responses": {
                "BadRequest": {"description": "The request cannot be answered", "content": error},
                "NotFound": {"description": "No such record or branch", "content": error},
                "NotModified": {"description": "Unchanged since the ETag or date given"},
                "TooManyRequests": {
                    "description": "Rate limit reached",
                    "headers": retry,
                    "content": refusal,
                },
                "Busy": {"description": "Too busy right now", "headers": retry, "content": refusal},
            },
            "securitySchemes": {
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-API-Key",
                    "description": "Optional: a key the library gave you, with limits of its own",
                }
            },
        },
        "security": [{}, {"apiKey": []}],
    }
