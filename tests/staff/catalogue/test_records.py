"""The record page and the record form: what staff see, who may change it, broken input."""

from __future__ import annotations

import pytest

from shoka.audit.models import AuditEvent
from shoka.catalogue.models import Bib

pytestmark = pytest.mark.django_db


def _form(**changes: str) -> dict[str, str]:
    form = {
        "title": "こころ",
        "title_reading": "ココロ",
        "contributors": "夏目, 漱石 | ナツメ, ソウセキ | 著",
        "isbns": "978-4-10-101013-7",
        "jpno": "12345678",
        "year": "1914",
        "ndc": "913.6",
        "material_type": "book",
        "language": "jpn",
    }
    form.update(changes)
    return form


def test_the_record_page_shows_fields_identifiers_and_items(librarian, shelf):
    patron = shelf.lend(shelf.kokoro_copy)
    response = librarian.get(f"/catalogue/bib/{shelf.kokoro.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("こころ", "ココロ", "夏目, 漱石", "ナツメ, ソウセキ", "978-4-10-101013-7"):
        assert text in html
    assert "12345678" in html and "913.6" in html
    assert "300001" in html and "本館" in html and "一般書架" in html and "210/ヤ" in html
    assert "on loan" in html and "2026-06-16" in html  # the due date, 14 days on
    # No borrower: neither name nor card number.
    assert patron.card_number not in html and "山田" not in html


def test_a_librarian_sees_no_edit_actions_and_may_not_edit(librarian, shelf):
    html = librarian.get(f"/catalogue/bib/{shelf.kokoro.pk}/").content.decode()
    assert "Edit record" not in html and "Withdraw" not in html and "Print labels" not in html
    assert librarian.get(f"/catalogue/bib/{shelf.kokoro.pk}/edit/").status_code == 403
    response = librarian.post(f"/catalogue/bib/{shelf.kokoro.pk}/edit/", _form(title="改"))
    assert response.status_code == 403
    assert Bib.objects.get(pk=shelf.kokoro.pk).title == "こころ"


def test_a_cataloguer_edits_a_record(staff, shelf):
    html = staff.get(f"/catalogue/bib/{shelf.kokoro.pk}/").content.decode()
    assert "Edit record" in html and "Add item" in html
    form = staff.get(f"/catalogue/bib/{shelf.kokoro.pk}/edit/").content.decode()
    assert 'value="こころ"' in form and "夏目, 漱石 | ナツメ, ソウセキ | 著" in form
    response = staff.post(
        f"/catalogue/bib/{shelf.kokoro.pk}/edit/",
        _form(title="こころ（改版）", volume="上", notes="新字新仮名"),
        follow=True,
    )
    assert response.redirect_chain == [(f"/catalogue/bib/{shelf.kokoro.pk}/", 303)]
    assert "The record was saved." in response.content.decode()
    bib = Bib.objects.get(pk=shelf.kokoro.pk)
    assert (bib.title, bib.volume, bib.notes) == ("こころ（改版）", "上", "新字新仮名")
    assert [c.reading for c in bib.contributors.all()] == ["ナツメ, ソウセキ"]
    event = AuditEvent.objects.filter(action="bib.updated").latest("seq")
    assert {"title", "volume", "notes"} <= set(event.data["fields"])


def test_editing_keeps_what_the_form_does_not_show(staff, world):
    bib = world.bib("本", "ホン", subjects=["図書館"], title_romanized="Hon")
    staff.post(f"/catalogue/bib/{bib.pk}/edit/", _form(title="本 第2版", isbns="", jpno=""))
    bib.refresh_from_db()
    assert (bib.title, bib.subjects, bib.title_romanized) == ("本 第2版", ["図書館"], "Hon")


def test_a_cataloguer_creates_a_record(staff, world):
    response = staff.post("/catalogue/bib/new/", _form(title="新しい本", isbns=""))
    assert response.status_code == 303
    bib = Bib.objects.get(title="新しい本")
    assert response["Location"] == f"/catalogue/bib/{bib.pk}/"
    assert bib.library == world.library


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "This field is required"),
        ({"year": "MCMXIV"}, "year", "Enter a whole number"),
        ({"year": "0"}, "year", "greater than or equal to 1"),
        ({"isbns": "978-4-10-101013-8"}, "isbns", "is not a valid ISBN"),
        ({"ndc": "nine"}, "ndc", "An NDC class is digits"),
        ({"language": "Japanese"}, "language", "Three lower-case letters"),
        ({"material_type": "scroll"}, "material_type", "Select a valid choice"),
        ({"contributors": "| ナツメ"}, "contributors", "write name | reading | role"),
        ({"jpno": "12-34"}, "jpno", "Letters and digits only"),
    ],
)
def test_broken_record_input_is_explained_and_kept(staff, shelf, changes, field, message):
    response = staff.post(f"/catalogue/bib/{shelf.kokoro.pk}/edit/", _form(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-errors" role="alert"' in html and message in html
    assert 'aria-invalid="true"' in html
    assert "夏目, 漱石 | ナツメ, ソウセキ | 著" in html or field == "contributors"  # kept
    assert Bib.objects.get(pk=shelf.kokoro.pk).title == "こころ"


def test_a_missing_record_is_404(staff, world):
    assert staff.get("/catalogue/bib/999999/").status_code == 404
    assert staff.get("/catalogue/bib/999999/edit/").status_code == 404


def test_the_record_title_is_the_page_title(staff, shelf, title_of):
    html = staff.get(f"/catalogue/bib/{shelf.kokoro.pk}/").content.decode()
    assert title_of(html).startswith("こころ")
