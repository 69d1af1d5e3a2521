"""Turning one row (a mapping of canonical column → stripped cell) into catalogue data.

Two builders, one per layout: :func:`shoka_row` for the shoka layout (and Japanese column
names), :func:`enju_row` for Enju's resource import layout. Both return a :class:`RowData`;
neither raises on bad values (they become warnings).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from shoka.catalogue.records import BibData, ContributorData, HoldingData, TitleData
from shoka.catalogue.tabular._layouts import ITEM_COLUMNS
from shoka.catalogue.tabular._values import (
    MATERIAL_TYPES,
    parse_date,
    parse_isbns,
    parse_price,
    parse_year,
    split_entries,
    split_multi,
    to_katakana,
)

__all__ = ["ITEM_COLUMNS", "RowData", "enju_row", "shoka_row"]

SOURCE_FORMAT = "csv"


_LANGUAGES: dict[str, str] = {
    **dict.fromkeys(("jpn", "ja", "japanese", "日本語", "和"), "jpn"),
    **dict.fromkeys(("eng", "en", "english", "英語", "洋"), "eng"),
    **dict.fromkeys(("chi", "zho", "zh", "chinese", "中国語"), "chi"),
    **dict.fromkeys(("kor", "ko", "korean", "韓国語", "朝鮮語"), "kor"),
    **dict.fromkeys(("fre", "fra", "fr", "french", "フランス語"), "fre"),
    **dict.fromkeys(("ger", "deu", "de", "german", "ドイツ語"), "ger"),
    **dict.fromkeys(("spa", "es", "spanish", "スペイン語"), "spa"),
    **dict.fromkeys(("ita", "it", "italian", "イタリア語"), "ita"),
    **dict.fromkeys(("rus", "ru", "russian", "ロシア語"), "rus"),
    **dict.fromkeys(("por", "pt", "portuguese", "ポルトガル語"), "por"),
}

_MATERIAL_NAMES: dict[str, str] = {
    **dict.fromkeys(("図書", "一般書", "本", "書籍"), "book"),
    "絵本": "picture_book",
    "紙芝居": "kamishibai",
    **dict.fromkeys(("大活字本", "大活字"), "large_print"),
    **dict.fromkeys(("雑誌", "逐次刊行物"), "magazine"),
    **dict.fromkeys(("cd", "cd-da", "録音資料"), "cd"),
    **dict.fromkeys(("dvd", "映像資料"), "dvd"),
    **dict.fromkeys(("daisy", "デイジー"), "daisy"),
    "その他": "other",
}

# Enju carrier_type (資料の形態) → material type.
_ENJU_CARRIERS: dict[str, str] = {
    "volume": "book",
    "print": "book",
    "audio_disc": "cd",
    "videodisc": "dvd",
    "online_resource": "other",
    "computer_disc": "other",
    "file": "other",
}


@dataclass
class RowData:
    """What one row gave: the bib (None without a title), the item (None without a
    barcode), the ids that group rows, and warnings."""

    bib: BibData | None
    holding: HoldingData | None
    record_id: str = ""
    source_id: str = ""
    warnings: list[str] = field(default_factory=list)


Cells = Mapping[str, str]
_T = TypeVar("_T")


def _language(value: str, warnings: list[str]) -> str:
    if not value:
        return "jpn"
    key = unicodedata.normalize("NFKC", value).strip().lower()
    code = _LANGUAGES.get(key)
    if code is not None:
        return code
    if len(key) == 3 and key.isascii() and key.isalpha():
        return key
    warnings.append(f"language {value!r} not recognised; jpn assumed")
    return "jpn"


def _material_type(value: str, warnings: list[str]) -> str:
    if not value:
        return "book"
    key = unicodedata.normalize("NFKC", value).strip().lower()
    if key in MATERIAL_TYPES:
        return key
    mapped = _MATERIAL_NAMES.get(key)
    if mapped is not None:
        return mapped
    warnings.append(f"material type {value!r} not recognised; read as other")
    return "other"


def _checked(result: tuple[_T | None, str | None], warnings: list[str]) -> _T | None:
    value, warning = result
    if warning is not None:
        warnings.append(warning)
    return value


def _holding(
    get: Callable[[str], str], warnings: list[str], *, note_fix: Callable[[str], str] = str
) -> HoldingData | None:
    """The item columns as a HoldingData; None (with a warning if other item columns are
    filled) when there is no barcode."""
    barcode = get("barcode")
    if not barcode:
        filled = [name for name in ITEM_COLUMNS[1:] if get(name)]
        if filled:
            warnings.append(f"item columns without a barcode ({', '.join(filled)}): no item")
        return None
    return HoldingData(
        barcode=barcode,
        branch=get("branch"),
        location=get("location"),
        call_number=get("call_number"),
        loan_category=get("loan_category"),
        price=_checked(parse_price(get("price")), warnings),
        acquired_on=_checked(parse_date(get("acquired_on")), warnings),
        note=note_fix(get("item_note")),
    )


# --- the shoka layout ------------------------------------------------------------------------


def _shoka_contributors(cells: Cells, warnings: list[str]) -> tuple[ContributorData, ...]:
    readings = split_multi(cells.get("authors_reading", ""))
    found = []
    for position, parts in enumerate(split_entries(cells.get("authors", ""))):
        name = parts[0]
        reading = parts[1] if len(parts) > 1 else ""
        if not reading and position < len(readings):
            reading = readings[position]
        if not name:
            if any(parts):
                warnings.append(f"author entry {'|'.join(parts)!r} has no name; left out")
            continue
        found.append(
            ContributorData(name, to_katakana(reading), parts[2] if len(parts) > 2 else "")
        )
    return tuple(found)


def _shoka_ndc(cells: Cells) -> tuple[str, str]:
    ndc = cells.get("ndc", "")
    if ndc:
        return ndc, cells.get("ndc_edition", "")
    for edition in ("10", "9"):
        value = cells.get(f"ndc{edition}", "")
        if value:
            return value, edition
    return "", cells.get("ndc_edition", "")


def shoka_row(cells: Cells) -> RowData:
    """Read a row of the shoka layout (or one with Japanese column names)."""
    warnings: list[str] = []
    get = cells.get
    record_id = get("record_id", "")
    source_id = get("source_id", "")

    def item_get(name: str) -> str:
        return get(name, "")

    holding = _holding(item_get, warnings)
    title = get("title", "")
    if not title:
        return RowData(None, holding, record_id, source_id, warnings)
    year = _checked(parse_year(get("year", "")), warnings)
    isbns, isbn_warnings = parse_isbns(split_multi(get("isbn", "")))
    warnings += isbn_warnings
    ndc, ndc_edition = _shoka_ndc(cells)
    bib = BibData(
        title=title,
        title_reading=to_katakana(get("title_reading", "")),
        title_romanized=get("title_romanized", ""),
        responsibility=get("responsibility", ""),
        contributors=_shoka_contributors(cells, warnings),
        publisher=get("publisher", ""),
        publisher_reading=to_katakana(get("publisher_reading", "")),
        publication_place=get("publication_place", ""),
        year=year,
        isbns=isbns,
        jpno=get("jpno", ""),
        ndc=ndc,
        ndc_edition=ndc_edition,
        ndl_call_number=get("ndl_call_number", ""),
        subjects=tuple(split_multi(get("subjects", ""))),
        subject_readings=tuple(to_katakana(r) for r in split_multi(get("subject_readings", ""))),
        other_titles=tuple(
            TitleData(parts[0], to_katakana(parts[1]) if len(parts) > 1 else "")
            for parts in split_entries(get("other_titles", ""))
            if parts[0]
        ),
        material_type=_material_type(get("material_type", ""), warnings),
        language=_language(get("language", ""), warnings),
        series=get("series", ""),
        series_reading=to_katakana(get("series_reading", "")),
        volume=get("volume", ""),
        edition=get("edition", ""),
        extent=get("extent", ""),
        notes=get("notes", ""),
        source_format=SOURCE_FORMAT,
        source_id=source_id,
    )
    return RowData(bib, holding, record_id, source_id, warnings)


# --- Enju's resource import layout -----------------------------------------------------------

_ENJU_ITEM = {
    "barcode": "item_identifier",
    "branch": "library",
    "location": "shelf",
    "call_number": "call_number",
    "loan_category": "checkout_type",
    "price": "item_price",
    "acquired_on": "acquired_at",
    "item_note": "item_note",
}


def _enju_text(value: str) -> str:
    """Enju writes line breaks in notes as a literal backslash-n."""
    return value.replace("\\n", "\n")


def _enju_split(value: str) -> list[str]:
    return [part.strip() for part in value.split("//")] if value else []


def _enju_agents(names: str, readings: str) -> list[ContributorData]:
    """``name||role//name2||role2`` with readings ``reading//reading2`` by position."""
    found = []
    reading_list = _enju_split(readings)
    for position, entry in enumerate(_enju_split(names)):
        name, _, role = entry.partition("||")
        if not name.strip():
            continue
        reading = reading_list[position] if position < len(reading_list) else ""
        found.append(ContributorData(name.strip(), to_katakana(reading), role.strip()))
    return found


def _enju_material(get: Callable[[str], str], warnings: list[str]) -> str:
    if get("serial").lower() in ("t", "true"):
        return "magazine"
    carrier = get("carrier_type")
    if not carrier:
        return "book"
    material = _ENJU_CARRIERS.get(carrier.lower())
    if material is None:
        warnings.append(f"carrier_type {carrier!r} not known; read as other")
        return "other"
    return material


def _enju_series(get: Callable[[str], str]) -> tuple[str, str]:
    series = get("series_original_title")
    reading = to_katakana(get("series_title_transcription"))
    if not series:
        return "", ""
    subseries = get("series_title_subseries")
    if subseries:
        series = f"{series}. {subseries}"
        sub_reading = to_katakana(get("series_title_subseries_transcription"))
        reading = f"{reading} {sub_reading}".strip()
    number = get("series_volume_number_string")
    if number:
        series = f"{series} ; {number}"
    return series, reading


def _enju_ndc(cells: Cells) -> tuple[str, str]:
    for column, edition in (
        ("classification:ndc10", "10"),
        ("classification:ndc9", "9"),
        ("classification:ndc8", "8"),
        ("classification:ndc", ""),
    ):
        values = _enju_split(cells.get(column, ""))
        if values and values[0]:
            return values[0], edition
    return "", ""


def _joined(*parts: str, separator: str) -> str:
    return separator.join(part for part in parts if part)


def _first(get: Callable[[str], str], columns: Iterable[str]) -> str:
    return next((value for value in map(get, columns) if value), "")


def enju_row(cells: Cells) -> RowData:
    """Read a row of Enju's resource import layout."""
    warnings: list[str] = []

    def get(name: str) -> str:
        return cells.get(name, "")

    def item_get(name: str) -> str:
        return cells.get(_ENJU_ITEM[name], "")

    source_id = get("manifestation_identifier")
    holding = _holding(item_get, warnings, note_fix=_enju_text)
    title = get("original_title")
    if not title:
        return RowData(None, holding, "", source_id, warnings)
    year_cell = _first(get, ("year_of_publication", "date_of_publication", "pub_date"))
    isbns, isbn_warnings = parse_isbns(_enju_split(get("isbn")))
    warnings += isbn_warnings
    ndc, ndc_edition = _enju_ndc(cells)
    series, series_reading = _enju_series(get)
    alternatives = _enju_split(get("title_alternative"))
    alternative_readings = _enju_split(get("title_alternative_transcription"))
    bib = BibData(
        title=title,
        title_reading=to_katakana(get("title_transcription")),
        responsibility=get("statement_of_responsibility"),
        contributors=tuple(
            _enju_agents(get("creator"), get("creator_transcription"))
            + _enju_agents(get("contributor"), get("contributor_transcription"))
        ),
        publisher="; ".join(_enju_split(get("publisher"))),
        publisher_reading=to_katakana("; ".join(_enju_split(get("publisher_transcription")))),
        publication_place=get("publication_place"),
        year=_checked(parse_year(year_cell), warnings),
        isbns=isbns,
        jpno=get("jpno"),
        ndc=ndc,
        ndc_edition=ndc_edition,
        subjects=tuple(
            subject
            for column in cells
            if column.startswith("subject:")
            for subject in _enju_split(cells[column])
            if subject
        ),
        other_titles=tuple(
            TitleData(
                alt, to_katakana(alternative_readings[i]) if i < len(alternative_readings) else ""
            )
            for i, alt in enumerate(alternatives)
            if alt
        ),
        material_type=_enju_material(get, warnings),
        language=_language(get("language"), warnings),
        series=series,
        series_reading=series_reading,
        volume=_first(get, ("volume_number_string", "volume_number")),
        edition=_first(get, ("edition_string", "edition")),
        extent=_joined(get("extent"), get("dimensions"), separator=" ; "),
        notes=_enju_text(get("note")),
        source_format=SOURCE_FORMAT,
        source_id=source_id,
    )
    return RowData(bib, holding, "", source_id, warnings)
