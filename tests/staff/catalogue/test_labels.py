"""Label sheets: spine labels (NDC / author mark / volume) and barcode labels as A4 PDFs on
a chosen stock, from a start position; chosen on the record page or from typed barcodes."""

from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A4

from shoka.staff.catalogue.labels import STOCKS, author_mark, spine_lines

A4_POINTS = (round(A4[0]), round(A4[1]))


def _lines(page) -> list[str]:
    return [line.strip() for line in page.extract_text().split("\n") if line.strip()]


def _size(page) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


@pytest.mark.parametrize(
    ("call_number", "ndc", "author", "title", "volume", "lines"),
    [
        ("913.6/ナ/1", "", "", "", "", ("913.6", "ナ", "1")),
        ("913.6 ナ 上", "", "", "", "", ("913.6", "ナ", "上")),
        ("210/ヤ", "210", "", "", "2", ("210", "ヤ", "2")),
        ("", "913.6", "なつめ, そうせき", "ココロ", "", ("913.6", "ナ", "")),
        ("", "210", "", "ﾆﾎﾝ ﾉ ﾚｷｼ", "第1巻", ("210", "ニ", "第1巻")),
        ("E", "726.6", "", "", "", ("E", "", "")),
    ],
)
def test_spine_lines_come_from_the_call_number_or_the_record(
    call_number, ndc, author, title, volume, lines
):
    assert (
        spine_lines(call_number, ndc=ndc, author_reading=author, title_reading=title, volume=volume)
        == lines
    )


def test_the_author_mark_is_the_first_kana_in_katakana():
    assert author_mark("あくたがわ") == "ア"
    assert author_mark(" (Smith)") == "S"
    assert author_mark("") == ""


def test_every_stock_fits_on_a4():
    for stock in STOCKS.values():
        right = stock.left + (stock.columns - 1) * stock.pitch_x + stock.width
        bottom = stock.top + (stock.rows - 1) * stock.pitch_y + stock.height
        assert right <= 210.01 and bottom <= 297.01, stock.describe()


@pytest.mark.django_db
def test_spine_labels_for_the_ticked_items_of_a_record(staff, shelf, world, pdf):
    extra = world.item(shelf.kokoro, barcode="300003")
    page = staff.get(f"/catalogue/bib/{shelf.kokoro.pk}/").content.decode()
    assert 'name="barcodes" value="300001"' in page and "Print labels (PDF)" in page
    response = staff.post(
        "/catalogue/labels/",
        {"barcodes": ["300001", extra.barcode], "kind": "spine", "stock": "a4-24", "start": "1"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pdf(response.content)
    assert len(reader.pages) == 1 and _size(reader.pages[0]) == A4_POINTS
    # the world's call number 210/ヤ, twice
    assert _lines(reader.pages[0]) == ["210", "ヤ", "210", "ヤ"]


@pytest.mark.django_db
def test_spine_labels_fall_back_to_the_record(staff, shelf, world, pdf):
    from shoka.catalogue.services import ContributorData, ItemData, add_item

    volume_one = world.bib(
        "坊っちゃん",
        "ボッチャン",
        ndc="913.6",
        volume="上",
        contributors=[ContributorData("夏目, 漱石", "ナツメ, ソウセキ", "著")],
    )
    add_item(
        volume_one,
        ItemData(barcode="300009", branch="main", location="general", loan_category="book"),
        actor=world.staff,
        at=world_at(),
    )
    response = staff.post(
        "/catalogue/labels/",
        {"barcodes": "300009", "kind": "spine", "stock": "a4-65", "start": "1"},
    )
    assert _lines(pdf(response.content).pages[0]) == ["913.6", "ナ", "上"]


def world_at():
    import datetime as dt

    return dt.datetime(2026, 6, 2, 10, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_partly_used_sheet_continues_on_a_second_page(staff, shelf, pdf):
    # 24 labels a sheet, starting at the 23rd: two labels on the first page, one on the next.
    response = staff.post(
        "/catalogue/labels/",
        {"barcodes": "300001 300001 300002", "kind": "spine", "stock": "a4-24", "start": "23"},
    )
    reader = pdf(response.content)
    assert [p.extract_text().count("ヤ") for p in reader.pages] == [2, 1]
    assert all(_size(p) == A4_POINTS for p in reader.pages)


@pytest.mark.django_db
@pytest.mark.parametrize("symbology", ["codabar", "code128"])
def test_barcode_labels_carry_the_library_and_the_number(staff, shelf, pdf, symbology):
    response = staff.post(
        "/catalogue/labels/",
        {
            "barcodes": "300001\n300002\n",
            "kind": "barcode",
            "stock": "a4-44",
            "start": "5",
            "symbology": symbology,
        },
    )
    assert response.status_code == 200
    reader = pdf(response.content)
    assert len(reader.pages) == 1 and _size(reader.pages[0]) == A4_POINTS
    text = reader.pages[0].extract_text()
    assert text.count("書架市立図書館") == 2
    assert "300001" in text and "300002" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"barcodes": ""}, "barcodes", "This field is required"),
        ({"barcodes": "300001 999999 888888"}, "barcodes", "No item has barcode 999999, 888888"),
        ({"barcodes": "300001 " * 501}, "barcodes", "At most 500 labels"),
        ({"start": "25"}, "start", "This sheet has 24 labels: start at 1 to 24"),
        ({"start": "0"}, "start", "greater than or equal to 1"),
        ({"stock": "a3"}, "stock", "Select a valid choice"),
        ({"kind": "poster"}, "kind", "Select a valid choice"),
    ],
)
def test_broken_label_input_is_explained_and_kept(staff, shelf, changes, field, message):
    form = {"barcodes": "300001", "kind": "spine", "stock": "a4-24", "start": "1"} | changes
    response = staff.post("/catalogue/labels/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-errors" role="alert"' in html and message in html
    if field != "barcodes":
        assert "300001</textarea>" in html


@pytest.mark.django_db
def test_the_label_page_offers_every_stock(staff, world):
    html = staff.get("/catalogue/labels/").content.decode()
    for stock in STOCKS.values():
        assert stock.describe() in html
    assert "A4: 24 labels of 70 × 33.9 mm (3 × 8)" in html


@pytest.mark.django_db
def test_a_librarian_may_not_print_labels(librarian, shelf):
    response = librarian.post("/catalogue/labels/", {"barcodes": "300001", "kind": "spine"})
    assert response.status_code == 403
