"""Rows and columns: CSV/TSV files, database tables, spreadsheet sheets and fixed-width print
files all end here. Columns are classified once, from their header (Japanese, English or
romanised) and a sample of their values; every row then costs a few dictionary look-ups.

Library-aware control: a table with catalogue columns (ISBN, NDC, 請求記号, 著者, 出版者…, or
a column of valid ISBNs) is a catalogue. In a catalogue only columns whose header says they
are about a person count: author names with readings, publishers' addresses and Japanese-era
publication years are not personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Final

from stdnum import isbn

from shoka.audit.scan import values as v
from shoka.audit.scan.records import Record, Tally

CATALOGUE: Final = "catalogue"
SAMPLE: Final = 300

_CATALOGUE_WORDS: Final = (
    "isbn issn ndc ndlc 請求記号 分類 著者 著編者 編者 訳者 出版 発行 責任表示 件名 シリーズ 版次 "
    "ページ 価格 書名ヨミ タイトルヨミ jpno 全国書誌番号 author publisher call_number callno"
).split()
# (attribute, Japanese substrings, ASCII header names) — first match wins.
_HEADER_RULES: Final = (
    ("guardian", "保護者 続柄", "guardian hogosha parent guardian_name hogosha_name relation"),
    ("my_number", "個人番号 マイナンバー", "my_number mynumber kojin_bango"),
    (
        "patron_id",
        "利用者番号 利用者id 利用者コード 利用者cd カード番号 図書館カード 貸出券番号 登録番号",
        "patron_id patron_no card card_no card_number cardno riyosha_no riyosha_id user_id",
    ),
    ("kana", "フリガナ ふりがな カナ かな ヨミ よみ", "kana furigana yomi reading name_kana"),
    (
        "name",
        "氏名 名前 利用者名 姓名 宛名 児童名",
        "name full_name patron_name shimei simei namae",
    ),
    ("postal_code", "〒 郵便番号", "zip zipcode zip_code postal postal_code postcode yubin"),
    ("address", "住所 所在地", "address addr jusho juusho"),
    ("phone", "電話 tel 携帯 連絡先", "tel phone telephone mobile denwa keitai phone_number"),
    ("email", "メール mail", "email e_mail mail mail_address"),
    (
        "birth_date",
        "生年月日 誕生日 生年",
        "birth birthday birth_date birthdate dob seinengappi",
    ),
    ("age", "年齢 年令", "age nenrei"),
    (
        "loan_date",
        "貸出日 貸出年月日 返却期限 返却予定日 延滞",
        "loan_date loaned_on checkout_date due due_date kashidashi kashidashibi",
    ),
    ("loan_title", "書名 資料名 タイトル 題名", "title shomei book_title"),
)


def header_attribute(header: str) -> str | None:
    """The attribute a column header names, :data:`CATALOGUE`, or None."""
    text = v.norm(header).lower()
    ascii_name = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if any(word in text for word in _CATALOGUE_WORDS):
        return CATALOGUE
    for attribute, japanese, names in _HEADER_RULES:
        if ascii_name and ascii_name in names.split():
            return attribute
        if any(word in text for word in japanese.split()):
            return attribute
    return None


def _is_age(text: str) -> bool:
    return text.isdigit() and int(text) <= 120


def _any(text: str) -> bool:
    return bool(text)


_CHECKS: Final[dict[str, Callable[[str], bool]]] = {
    "name": v.is_person_name,
    "guardian": _any,
    "kana": v.is_kana_name,
    "phone": v.valid_phone,
    "postal_code": v.valid_postal_code,
    "email": v.is_email,
    "birth_date": lambda t: v.parse_date(t) is not None,
    "loan_date": lambda t: v.parse_date(t) is not None,
    "age": _is_age,
    "my_number": v.is_my_number,
    "address": lambda t: len(t) >= 4 and not t.isdigit(),
    "patron_id": lambda t: any(c.isdigit() for c in t),
    "loan_title": _any,
}


def _share(cells: list[str], check: Callable[[str], bool]) -> float:
    return sum(1 for c in cells if check(c)) / len(cells) if cells else 0.0


def _by_value(cells: list[str], today: dt.date) -> str | None:
    """A column's attribute from its values alone (no usable header)."""
    if _share(cells, v.is_email) >= 0.6:
        return "email"
    if _share(cells, lambda t: "-" in t and v.valid_phone(t)) >= 0.6:
        return "phone"
    if _share(cells, lambda t: ("-" in t or "〒" in t) and v.valid_postal_code(t)) >= 0.6:
        return "postal_code"
    if _share(cells, lambda t: " " in t and v.is_person_name(t)) >= 0.6:
        return "name"
    if _share(cells, lambda t: " " in t and v.is_kana_name(t)) >= 0.6:
        return "kana"
    if _share(cells, v.is_address) >= 0.6:
        return "address"
    dates = [d for d in map(v.parse_date, cells) if d is not None]
    if cells and len(dates) >= 0.6 * len(cells) and all(d < today for d in dates):
        years = [d.year for d in dates]
        if max(years) - min(years) > 15:
            return "birth_date"
    return None


def _is_catalogue(headers: list[str | None], columns: list[list[str]]) -> bool:
    if CATALOGUE in headers:
        return True
    return any(
        _share(cells, isbn.is_valid) >= 0.6 or _share(cells, _is_call_number) >= 0.6
        for cells in columns
        if cells
    )


# An NDC class (913.6) or a call number (913.6/ナ, E/ア) in a column makes a catalogue.
_CALL_NUMBER: Final = re.compile(r"[0-9]{3}(?:\.[0-9]+)?(?:/\S+)*|[A-Z]{1,2}/\S+")


def _is_call_number(text: str) -> bool:
    return _CALL_NUMBER.fullmatch(text) is not None


def classify(header: list[str] | None, sample: list[list[str]]) -> list[str | None]:
    """The attribute of each column (None when it holds nothing personal)."""
    width = max([len(header or [])] + [len(row) for row in sample])
    named = [header_attribute(h) for h in header or []] + [None] * width
    columns = [[row[i] for row in sample if i < len(row) and row[i]] for i in range(width)]
    catalogue = _is_catalogue(named[:width], columns)
    today = dt.datetime.now(dt.UTC).date()
    result: list[str | None] = []
    for i, cells in enumerate(columns):
        attribute = named[i]
        if attribute and attribute != CATALOGUE:
            result.append(attribute if _share(cells, _CHECKS[attribute]) >= 0.5 else None)
        elif attribute is None and not catalogue:
            result.append(_by_value(cells, today))
        else:
            result.append(None)
    return result


def looks_like_header(row: list[str]) -> bool:
    return sum(1 for cell in row if cell and header_attribute(cell)) >= 1


def scan_rows(rows: Iterable[list[str]], tally: Tally, *, header: list[str] | None = None) -> int:
    """Classify the columns on a sample and count the personal rows; returns the row count.
    Without ``header`` the first row is taken as one when it looks like one."""
    iterator: Iterator[list[str]] = iter(rows)
    sample = [[v.norm(c) for c in row] for row in islice(iterator, SAMPLE + 1)]
    if header is None and sample and looks_like_header(sample[0]):
        header = sample.pop(0)
    elif header is not None:
        header = [v.norm(h) for h in header]
    attributes = classify(header, sample)
    if not any(attributes):
        return len(sample) + sum(1 for _ in iterator)
    columns = [(i, a, _ROW_CHECKS.get(a), a in _FIELDS) for i, a in enumerate(attributes) if a]
    count = 0
    for row in sample:
        count += 1
        tally.add(_record(row, columns, normalise=False))
    for raw in iterator:
        count += 1
        tally.add(_record(raw, columns, normalise=True))
    return count


_ROW_CHECKS: Final[dict[str, Callable[[str], bool]]] = {
    "name": v.is_person_name,
    "kana": v.is_kana_name,
    "patron_id": _CHECKS["patron_id"],
}
_Column = tuple[int, str, Callable[[str], bool] | None, bool]


def _record(row: list[str], columns: list[_Column], *, normalise: bool) -> Record:
    record = Record()
    attributes = record.attributes
    width = len(row)
    for index, attribute, check, keep in columns:
        if index >= width:
            continue
        cell = row[index]
        if normalise and cell:
            cell = v.norm(cell)
        if not cell or (check is not None and not check(cell)):
            continue
        attributes.add(attribute)
        if keep and not getattr(record, attribute):
            setattr(record, attribute, cell)
    if record.phone and not (record.postal_code or record.address):
        record.area = v.phone_area(record.phone)
    if record.postal_code:
        record.postal_code = record.postal_code.replace("〒", "").replace("-", "").strip()
    return record


_FIELDS: Final = frozenset(
    {"name", "kana", "patron_id", "my_number", "birth_date", "phone", "email", "postal_code"}
    | {"address"}
)
