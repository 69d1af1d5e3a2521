"""Column layouts the tabular importer understands, and header recognition.

* ``shoka``: the layout :func:`shoka.catalogue.tabular.write_csv` writes (one row per item,
  bib columns repeated), also reached through Japanese column names (タイトル, 著者, 請求記号…)
  as many older systems export them.
* ``enju``: Next-L Enju's resource import layout (``original_title``, ``creator``,
  ``item_identifier``…), whose second line may repeat the columns as Japanese labels.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = [
    "ENJU_COLUMNS",
    "ITEM_COLUMNS",
    "SHOKA_COLUMNS",
    "Layout",
    "is_label_row",
    "resolve_header",
]

#: The item (所蔵) columns of the shoka layout.
ITEM_COLUMNS: tuple[str, ...] = (
    "barcode",
    "branch",
    "location",
    "call_number",
    "loan_category",
    "price",
    "acquired_on",
    "item_note",
)

#: The shoka layout, in the order the CSV export writes it.
SHOKA_COLUMNS: tuple[str, ...] = (
    "record_id",
    "source_id",
    "title",
    "title_reading",
    "title_romanized",
    "other_titles",
    "responsibility",
    "authors",
    "publisher",
    "publisher_reading",
    "publication_place",
    "year",
    "isbn",
    "jpno",
    "ndc",
    "ndc_edition",
    "ndl_call_number",
    "subjects",
    "subject_readings",
    "series",
    "series_reading",
    "volume",
    "edition",
    "extent",
    "material_type",
    "language",
    "notes",
    *ITEM_COLUMNS,
    "status",
)

#: Extra columns read in the shoka layout but never written: ``authors_reading`` (readings
#: of the ``authors`` entries by position, as old systems give them in a separate column)
#: and NDC columns that carry their edition in the name.
_SHOKA_EXTRA = ("authors_reading", "ndc9", "ndc10")

#: Column names older systems use, after NFKC and lower-casing, for shoka columns.
_JAPANESE_ALIASES: dict[str, str] = {
    **dict.fromkeys(("タイトル", "書名", "本タイトル", "資料名", "標題", "title"), "title"),
    **dict.fromkeys(
        ("タイトルヨミ", "タイトルのヨミ", "タイトルカナ", "書名ヨミ", "書名カナ", "ヨミ"),
        "title_reading",
    ),
    "責任表示": "responsibility",
    **dict.fromkeys(("著者", "著者名", "著者等", "author", "authors"), "authors"),
    **dict.fromkeys(("著者ヨミ", "著者名ヨミ", "著者カナ", "著者名カナ"), "authors_reading"),
    **dict.fromkeys(("出版者", "出版社", "発行者"), "publisher"),
    **dict.fromkeys(("出版者ヨミ", "出版社ヨミ", "出版者カナ"), "publisher_reading"),
    **dict.fromkeys(("出版地", "出版地・頒布地"), "publication_place"),
    **dict.fromkeys(("出版年", "発行年", "刊行年", "出版年月", "出版日", "発行年月"), "year"),
    **dict.fromkeys(("isbn", "isbnコード"), "isbn"),
    **dict.fromkeys(("全国書誌番号", "jp番号", "jpno"), "jpno"),
    **dict.fromkeys(("ndc", "分類", "分類記号", "ndc分類"), "ndc"),
    "ndc9": "ndc9",
    "ndc10": "ndc10",
    "ndl請求記号": "ndl_call_number",
    **dict.fromkeys(("件名", "件名標目"), "subjects"),
    **dict.fromkeys(("シリーズ", "シリーズ名", "叢書名"), "series"),
    **dict.fromkeys(("シリーズヨミ", "シリーズ名ヨミ"), "series_reading"),
    **dict.fromkeys(("巻次", "巻号", "巻"), "volume"),
    **dict.fromkeys(("版", "版表示"), "edition"),
    **dict.fromkeys(("形態", "ページ数", "数量"), "extent"),
    "資料種別": "material_type",
    "言語": "language",
    **dict.fromkeys(("注記", "備考"), "notes"),
    **dict.fromkeys(("書誌id", "書誌番号"), "source_id"),
    **dict.fromkeys(("資料id", "登録番号", "バーコード", "資料番号", "資料コード"), "barcode"),
    **dict.fromkeys(("所蔵館", "所蔵館名", "図書館", "館"), "branch"),
    **dict.fromkeys(("配架場所", "排架場所", "所在", "配置場所"), "location"),
    "請求記号": "call_number",
    **dict.fromkeys(("貸出区分", "貸出種別"), "loan_category"),
    **dict.fromkeys(("価格", "本体価格", "受入価格"), "price"),
    **dict.fromkeys(("受入日", "受入年月日", "登録日"), "acquired_on"),
    **dict.fromkeys(("資料注記", "個別注記"), "item_note"),
    "状態": "status",
}

#: Enju resource import columns that have a counterpart in shoka (see docs).
ENJU_COLUMNS: frozenset[str] = frozenset(
    {
        "manifestation_identifier",
        "original_title",
        "title_transcription",
        "title_alternative",
        "title_alternative_transcription",
        "statement_of_responsibility",
        "creator",
        "creator_transcription",
        "contributor",
        "contributor_transcription",
        "publisher",
        "publisher_transcription",
        "publication_place",
        "pub_date",
        "date_of_publication",
        "year_of_publication",
        "isbn",
        "jpno",
        "subject:ndlsh",
        "series_original_title",
        "series_title_transcription",
        "series_title_subseries",
        "series_title_subseries_transcription",
        "series_volume_number_string",
        "volume_number_string",
        "volume_number",
        "edition_string",
        "edition",
        "extent",
        "dimensions",
        "carrier_type",
        "content_type",
        "serial",
        "language",
        "note",
        "item_identifier",
        "library",
        "shelf",
        "call_number",
        "checkout_type",
        "item_price",
        "acquired_at",
        "item_note",
        "dummy",
    }
)
# Columns whose presence marks a header as Enju's (shoka never uses these names).
_ENJU_MARKERS = frozenset(
    {"original_title", "title_transcription", "item_identifier", "manifestation_identifier"}
)
# Prefixes of Enju's open-ended column families.
_ENJU_FAMILIES = ("classification:", "subject:")

# Labels of Enju's optional second header line (Japanese names of the columns).
_ENJU_LABELS = frozenset(
    {
        "資料ID",
        "タイトル",
        "タイトルのヨミ",
        "著者",
        "著者のヨミ",
        "出版者",
        "出版年",
        "ISBN",
        "請求記号",
        "個別資料ID",
        "本棚の名称",
        "言語",
        "注記",
        "JPNO",
    }
)
_TITLE_LABELS = frozenset({"タイトル", "書名", "title", "original_title"})


@dataclass(frozen=True)
class Layout:
    """A recognised header: ``name`` is ``"shoka"`` or ``"enju"``; ``columns`` maps each
    canonical column name to its cell index; ``ignored`` lists header names not used."""

    name: str
    columns: dict[str, int]
    ignored: tuple[str, ...]
    width: int


def _normalise(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().strip("\ufeff").lower()


def _first_wins(columns: dict[str, int], key: str, index: int, ignored: list[str]) -> None:
    if key in columns:
        ignored.append(f"{key} (repeated)")
    else:
        columns[key] = index


def _enju(names: list[str], raw: list[str]) -> Layout:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(names):
        if name in ENJU_COLUMNS or name.startswith(_ENJU_FAMILIES):
            _first_wins(columns, name, index, ignored)
        elif name:
            ignored.append(raw[index].strip())
    return Layout("enju", columns, tuple(ignored), len(names))


def _shoka(names: list[str], raw: list[str]) -> Layout:
    known = set(SHOKA_COLUMNS) | set(_SHOKA_EXTRA)
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(names):
        key = name if name in known else _JAPANESE_ALIASES.get(name.replace(" ", ""))
        if key is not None:
            _first_wins(columns, key, index, ignored)
        elif name:
            ignored.append(raw[index].strip())
    return Layout("shoka", columns, tuple(ignored), len(names))


def resolve_header(raw: list[str]) -> Layout | None:
    """Recognise a header row; None when it is neither layout (no title column)."""
    names = [_normalise(cell) for cell in raw]
    if _ENJU_MARKERS.intersection(names):
        return _enju(names, raw)
    layout = _shoka(names, raw)
    return layout if "title" in layout.columns else None


def is_label_row(layout: Layout, cells: list[str]) -> bool:
    """True for a second header line of Japanese labels (Enju writes one; some systems
    write an English and a Japanese header line)."""
    title_key = "original_title" if layout.name == "enju" else "title"
    index = layout.columns.get(title_key)
    if index is not None and index < len(cells) and cells[index].strip() in _TITLE_LABELS:
        return True
    if layout.name != "enju":
        return False
    return sum(1 for cell in cells if cell.strip() in _ENJU_LABELS) >= 3


def expected_columns() -> str:
    """The column names an unknown header is told about."""
    shoka = ", ".join(SHOKA_COLUMNS)
    return (
        f"the shoka layout ({shoka}), Japanese column names (タイトル, 書名, 著者, 出版者, "
        "出版年, ISBN, NDC, 請求記号, 登録番号, 所蔵館, 配架場所, 価格, 受入日…) or Enju's "
        "resource import layout (original_title, creator, isbn, item_identifier…); "
        "a title column is required"
    )
