"""The receiver on a live OPAC, fed hand-made changesets over HTTP: a tampered, an unsigned,
an out-of-order, a replayed and a field-added changeset are each handled as specified
(issue 6, "Publishing tests"), and a good one is applied."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import urllib.parse
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shoka.publish.allowlist import FORMAT
from shoka.publish.signing import canonical, sign
from shoka.search.service import SearchRequest, SearchService

pytestmark = pytest.mark.django_db  # the session's signing key lives beside the test database


def record(bib_id: int, title: str, *, status: str = "available") -> dict[str, Any]:
    return {
        "id": bib_id,
        "title": title,
        "title_reading": "テスト",
        "title_romanized": "",
        "responsibility": "山田太郎 著",
        "authors": [{"name": "山田 太郎", "reading": "ヤマダ, タロウ"}],
        "publisher": "書架出版",
        "publisher_reading": "ショカ シュッパン",
        "year": 2024,
        "edition": "",
        "extent": "220p",
        "isbns": ["9784000000002"],
        "jpno": "",
        "ndc": "210",
        "subjects": ["日本--歴史"],
        "subject_readings": [],
        "series": "",
        "series_reading": "",
        "volume": "",
        "material_type": "book",
        "language": "jpn",
        "hold_queue": 2,
        "loan_count": 5,
        "items": [
            {
                "id": bib_id * 10,
                "branch": "main",
                "branch_name": "本館",
                "location": "general",
                "location_name": "一般書架",
                "call_number": "210/ヤ",
                "status": status,
                "loanable": True,
                "due_on": "2026-06-16" if status == "on_loan" else None,
                "acquired_on": "2026-05-01",
            }
        ],
    }


def changeset(sequence: int, records: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "target": "opac",
        "sequence": sequence,
        "created_at": dt.datetime(2026, 6, 2, 10, 0, tzinfo=dt.UTC).isoformat(),
        "resync": False,
        "records": records,
        "deleted": [],
        "branches": None,
        **extra,
    }


def signed(key: Ed25519PrivateKey, cs: dict[str, Any]) -> tuple[bytes, str]:
    body = canonical(cs)
    return body, sign(key, body)


def titles(opac, bib_id: int) -> list[str]:
    return [r[0] for r in opac.query("SELECT title FROM public_publicrecord WHERE id = ?", bib_id)]


def test_a_signed_changeset_in_sequence_is_applied(shared_opac, signing_key):
    seq = shared_opac.expected()
    status, answer = shared_opac.post(
        *signed(signing_key, changeset(seq, [record(101, "日本の歴史", status="on_loan")]))
    )
    assert (status, answer) == (200, {"status": "applied", "expected": seq + 1})
    assert titles(shared_opac, 101) == ["日本の歴史"]
    rows = shared_opac.query(
        "SELECT status, due_on, branch, call_number FROM public_publicitem WHERE record_id = ?",
        101,
    )
    assert [(r[0], str(r[1]), r[2], r[3]) for r in rows] == [
        ("on_loan", "2026-06-16", "main", "210/ヤ")
    ]


def test_a_tampered_changeset_is_refused_and_changes_nothing(shared_opac, signing_key):
    seq = shared_opac.expected()
    body, signature = signed(signing_key, changeset(seq, [record(102, "正しい題名")]))
    tampered = body.replace("正しい題名".encode(), "改ざん題名".encode())
    assert tampered != body
    status, answer = shared_opac.post(tampered, signature)
    assert status == 403
    assert answer["error"] == "bad_signature" and answer["expected"] == seq
    assert titles(shared_opac, 102) == []
    assert shared_opac.expected() == seq


def test_a_changeset_signed_with_another_key_is_refused(shared_opac):
    seq = shared_opac.expected()
    stranger = Ed25519PrivateKey.generate()
    status, answer = shared_opac.post(*signed(stranger, changeset(seq, [record(103, "偽物")])))
    assert status == 403 and answer["error"] == "bad_signature"
    assert titles(shared_opac, 103) == []


def test_an_unsigned_changeset_is_refused(shared_opac):
    seq = shared_opac.expected()
    status, answer = shared_opac.post(canonical(changeset(seq, [record(104, "署名なし")])), None)
    assert status == 401
    assert answer["error"] == "unsigned" and "Shoka-Signature" in answer["reason"]
    assert titles(shared_opac, 104) == []
    assert shared_opac.expected() == seq


def test_an_out_of_order_changeset_is_not_applied_and_the_gap_is_named(shared_opac, signing_key):
    seq = shared_opac.expected()
    later = signed(signing_key, changeset(seq + 1, [record(106, "二番目")]))
    status, answer = shared_opac.post(*later)
    assert status == 409
    assert answer["error"] == "gap" and answer["expected"] == seq
    assert titles(shared_opac, 106) == []
    # The publisher re-sends the gap, then the later one applies.
    first = signed(signing_key, changeset(seq, [record(105, "一番目")]))
    assert shared_opac.post(*first)[0] == 200
    assert shared_opac.post(*later) == (200, {"status": "applied", "expected": seq + 2})
    assert titles(shared_opac, 105) == ["一番目"] and titles(shared_opac, 106) == ["二番目"]


def test_a_replayed_changeset_is_acknowledged_and_changes_nothing(shared_opac, signing_key):
    seq = shared_opac.expected()
    old = signed(signing_key, changeset(seq, [record(107, "旧題")]))
    new = signed(signing_key, changeset(seq + 1, [record(107, "新題")]))
    assert shared_opac.post(*old)[0] == 200
    assert shared_opac.post(*new)[0] == 200
    status, answer = shared_opac.post(*old)  # replayed: would roll the title back
    assert (status, answer) == (200, {"status": "already_applied", "expected": seq + 2})
    assert titles(shared_opac, 107) == ["新題"]
    assert shared_opac.expected() == seq + 2


@pytest.mark.parametrize(
    "where",
    ["record", "item", "changeset"],
)
def test_a_changeset_with_an_added_field_is_refused_not_trimmed(shared_opac, signing_key, where):
    seq = shared_opac.expected()
    rec = record(108, "余計な項目")
    extra: dict[str, Any] = {}
    if where == "record":
        rec["borrower"] = "someone"
    elif where == "item":
        rec["items"][0]["borrower_card"] = "0000000000"
    else:
        extra["patrons"] = []
    status, answer = shared_opac.post(*signed(signing_key, changeset(seq, [rec], **extra)))
    assert status == 422
    assert answer["error"] == "unknown_field"
    assert ("borrower" in answer["reason"]) or ("patrons" in answer["reason"])
    assert titles(shared_opac, 108) == []
    assert shared_opac.expected() == seq


def test_a_signed_changeset_that_lacks_a_field_or_is_not_json_is_refused(shared_opac, signing_key):
    seq = shared_opac.expected()
    rec = record(109, "欠落")
    del rec["items"][0]["status"]
    status, answer = shared_opac.post(*signed(signing_key, changeset(seq, [rec])))
    assert status == 422 and answer["error"] == "missing" and "status" in answer["reason"]
    garbage = b'{"format": '
    status, answer = shared_opac.post(garbage, sign(signing_key, garbage))
    assert status == 400 and answer["error"] == "malformed"
    assert shared_opac.expected() == seq


def test_a_deletion_removes_the_record_and_its_copies(shared_opac, signing_key):
    seq = shared_opac.expected()
    assert (
        shared_opac.post(*signed(signing_key, changeset(seq, [record(110, "除籍予定")])))[0] == 200
    )
    gone = changeset(seq + 1, [], deleted=[110])
    assert shared_opac.post(*signed(signing_key, gone))[0] == 200
    assert titles(shared_opac, 110) == []
    assert shared_opac.query("SELECT id FROM public_publicitem WHERE record_id = ?", 110) == []


def opac_search(opac, q: str) -> list[int]:
    service = SearchService(opac.home / "data" / "index" / "opac")
    return [hit.id for hit in service.search(SearchRequest(q=q, facets=False)).hits]


def test_the_opac_indexes_what_it_applies_in_its_own_index(shared_opac, signing_key):
    """Japanese analysis from shoka.search on the public side: old kanji and katakana
    readings find the published record; a deletion removes it from the index too."""
    seq = shared_opac.expected()
    rec = record(111, "國語の時間")
    rec["title_reading"] = "コクゴ ノ ジカン"
    assert shared_opac.post(*signed(signing_key, changeset(seq, [rec])))[0] == 200
    assert opac_search(shared_opac, "国語") == [111]
    assert opac_search(shared_opac, "こくご") == [111]
    gone = changeset(seq + 1, [], deleted=[111])
    assert shared_opac.post(*signed(signing_key, gone))[0] == 200
    assert opac_search(shared_opac, "国語") == []


def test_a_body_over_the_limit_is_refused_before_it_is_read_whole(shared_opac):
    from shoka.publish.public.views import MAX_BODY

    seq = shared_opac.expected()
    url = urllib.parse.urlsplit(shared_opac.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("POST", url.path + "changesets")
    conn.putheader("Content-Length", str(MAX_BODY + 1))  # announced, never sent
    conn.putheader("Shoka-Signature", "x")
    conn.endheaders(b"{}")
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"] == "too_large"
    conn.close()
    assert shared_opac.expected() == seq
