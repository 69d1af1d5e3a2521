"""Text that is not a delimited table: fixed-width print files, letters, free text and the
text runs found inside binaries.

* **Fixed-width print files** (督促リスト): a line with three or more column headings separated by
  runs of spaces is the column header; the lines under it on the same page (pages end at a
  form feed) are cut at the header's display columns (full-width characters are two columns,
  half-width kana one) and handed to :mod:`tables` like CSV rows. Page titles above the
  header and footers are not rows.
* **Letters** (督促封書): a letter starts at its addressee (a name followed by 様/殿/さま…)
  written under a postal code or an address (within three lines); it runs to the next
  letter or the end of the page. In a letter to a guardian (a line with 保護者 and the
  child's name) the child is the person and ``guardian`` is an attribute.
* **Free text**: when two or more lines each carry personal data on their own (a name and a
  phone number, say), every such line is a record.

Values on a line that names an institution (図書館, 市役所, …) are the sender's, not a person's.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from shoka.audit.scan import places, tables
from shoka.audit.scan import values as v
from shoka.audit.scan.records import Record, Tally

_CELL_GAP: Final = re.compile(r"(?: {2,}|　+|\t+)")
_INSTITUTION: Final = re.compile(r"図書館|公民館|市役所|役場|学校|株式会社|センター|出版")
_HONORIFIC_NAME: Final = re.compile(rf"({v.NAME_IN_TEXT}) ?(?:様|殿|さま|さん|くん|ちゃん)")
_BARE_NAME: Final = re.compile(
    rf"(?<![一-鿿々〆ヶぁ-ゖァ-ヺー])({v.NAME_IN_TEXT})(?![一-鿿々ぁ-ゖ])"
)
_READING: Final = re.compile(r"[(（]([ァ-ヺー]+ [ァ-ヺー]+)[)）]")
_AGE: Final = re.compile(r"[(（ ]([0-9]{1,3})歳[)） ]")
_BORN: Final = re.compile(r"日 ?生|生まれ")  # 昭和55年4月1日生, 1980年4月1日生まれ
_LABELS: Final = {
    "氏名": "name",
    "名前": "name",
    "フリガナ": "kana",
    "ふりがな": "kana",
    "住所": "address",
    "郵便番号": "postal_code",
    "電話番号": "phone",
    "電話": "phone",
    "TEL": "phone",
    "携帯": "phone",
    "メール": "email",
    "E-MAIL": "email",
    "EMAIL": "email",
    "生年月日": "birth_date",
    "誕生日": "birth_date",
    "年齢": "age",
    "保護者": "guardian",
    "続柄": "guardian",
    "個人番号": "my_number",
    "マイナンバー": "my_number",
    "利用者番号": "patron_id",
    "利用者ID": "patron_id",
    "カード番号": "patron_id",
    "書名": "loan_title",
    "資料名": "loan_title",
    "貸出日": "loan_date",
    "返却期限": "loan_date",
}
# A line without a digit, a label colon, an honorific or an @ says nothing about anyone.
_SOMETHING: Final = re.compile(r"[0-9０-９:：@〒様殿]|さま|さん|くん|ちゃん")
_LABEL_RE: Final = re.compile(
    "(" + "|".join(sorted(map(re.escape, _LABELS), key=len, reverse=True)) + r") ?[:：]",
    re.IGNORECASE,  # TEL, Tel, tel; the Japanese labels have no case
)


# East Asian Wide and Fullwidth characters (two display columns): CJK, kana, Hangul and the
# full-width forms; half-width kana (U+FF61–FF9F) stay one column.
_WIDE: Final = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
_CELL: Final = re.compile(r"[^ \t　\r\n\f]+(?: [^ \t　\r\n\f]+)*")


def display_width(text: str) -> int:
    return len(text) + len(_WIDE.findall(text))


def cells(line: str) -> list[tuple[int, str]]:
    """Cells of a fixed-width line (separated by two spaces or more, a full-width space or a
    tab) with the display column each starts at."""
    found = []
    column = position = 0
    for match in _CELL.finditer(line):
        column += display_width(line[position : match.start()])
        found.append((column, match.group(0)))
        column += display_width(match.group(0))
        position = match.end()
    return found


def header_of(line: str) -> list[tuple[int, str]] | None:
    """The column header a line is, or None (three headings with known meanings at least)."""
    found = cells(line)
    if any(len(t) > 12 or ":" in t or "：" in t or any(c.isdigit() for c in t) for _, t in found):
        return None
    known = sum(1 for _, text in found if tables.header_attribute(text) is not None)
    return found if len(found) >= 3 and known >= 3 else None


def fixed_width_rows(
    lines: Iterable[str], header: list[tuple[int, str]], tally: Tally
) -> Iterator[list[str]]:
    """Rows under the header, cut at the header's columns (a cell belongs to the last heading
    that starts at or before it; one column of slack for right-aligned numbers). Page titles
    that name an institution tell the tally where the file comes from."""
    starts = [column for column, _ in header]
    headings = [text for _, text in header]
    seen_header = False
    for line in lines:
        if "\f" in line:
            seen_header = False
            line = line.replace("\f", "")
        found = cells(line)
        if not found:
            continue
        if len(found) == len(headings) and [t for _, t in found] == headings:
            seen_header = True
            continue
        if not seen_header:
            _institution(line, tally)
            continue
        if len(found) < 2:
            continue
        row = [""] * len(starts)
        for column, text in found:
            index = max(bisect_right(starts, column + 1) - 1, 0)
            row[index] = f"{row[index]} {text}" if row[index] else text
        yield row


def _institution(line: str, tally: Tally) -> None:
    if _INSTITUTION.search(line):
        municipality = places.municipality_named(v.norm(line))
        if municipality:
            tally.institution(municipality)


@dataclass(slots=True)
class _Line:
    record: Record = field(default_factory=Record)
    addressed: bool = False  # a name with an honorific
    institution: str | None = None  # the municipality of an institution the line names


def read_line(raw: str) -> _Line:
    """What one line says about a person."""
    out = _Line()
    if not _SOMETHING.search(raw):
        return out
    text = v.norm(raw)
    record = out.record
    if not text:
        return out
    labelled = list(_LABEL_RE.finditer(text))
    for i, match in enumerate(labelled):
        end = labelled[i + 1].start() if i + 1 < len(labelled) else len(text)
        attribute = _LABELS[match.group(1).upper() if match.group(1).isascii() else match.group(1)]
        _labelled(record, attribute, text[match.end() : end].strip(" ,、/"))
    institutional = _INSTITUTION.search(text) is not None
    if institutional:
        out.institution = places.municipality_named(text)
    if not institutional:
        for code in v.find_postal_codes(text):
            _set(record, "postal_code", code)
        for phone in v.find_phones(text):
            _set(record, "phone", phone)
        for email in v.EMAIL_RE.findall(text):
            _set(record, "email", email)
        rest = re.sub(r"〒 ?[0-9]{3}-?[0-9]{4}", "", text).strip()
        if not labelled:
            address = next((c for c in _CELL_GAP.split(rest) if v.is_address(c.strip())), None)
            if address:
                _set(record, "address", address.strip())
    honorific = _HONORIFIC_NAME.search(text)
    if honorific and not institutional:
        out.addressed = True
        _set(record, "name", honorific.group(1))
    elif not record.name and not institutional and not labelled:
        bare = _BARE_NAME.search(text)
        # A name without a label or an honorific needs two more facts on its line.
        if bare and v.is_person_name(bare.group(1)) and len(record.attributes) >= 2:
            _set(record, "name", bare.group(1))
    reading = _READING.search(text)
    if reading and record.name:
        _set(record, "kana", reading.group(1))
    if _AGE.search(f" {text} ") and record.name:
        record.attributes.add("age")
    if "birth_date" not in record.attributes and _BORN.search(text):
        born = v.find_dates(text)
        if born:
            _set(record, "birth_date", born[0].isoformat())
    return out


def _labelled(record: Record, attribute: str, value: str) -> None:
    if not value:
        return
    if attribute == "phone":
        phones = v.find_phones(value)
        if phones:
            _set(record, "phone", phones[0])
    elif attribute in ("birth_date", "loan_date"):
        dates = v.find_dates(value, compact=True)
        if dates:
            _set(record, attribute, dates[0].isoformat())
    elif attribute == "my_number":
        match = v.MY_NUMBER_RE.search(value)
        if match and v.is_my_number(match.group(0)):
            _set(record, "my_number", match.group(0))
    elif attribute == "postal_code":
        codes = v.find_postal_codes("〒" + value)
        if codes:
            _set(record, "postal_code", codes[0])
    elif attribute == "name":
        name = value.split("  ")[0].strip()
        if v.is_person_name(name):
            _set(record, "name", name)
    elif attribute == "kana":
        if v.is_kana_name(value.split("  ")[0].strip()):
            _set(record, "kana", value)
    elif attribute == "email":
        if v.EMAIL_RE.search(value):
            _set(record, "email", value)
    elif attribute == "age":
        if re.match(r"[0-9]{1,3}(?![0-9])", value):
            record.attributes.add("age")
    elif attribute in ("patron_id",):
        if any(c.isdigit() for c in value):
            _set(record, attribute, value.split()[0])
    else:
        _set(record, attribute, value)


def _set(record: Record, attribute: str, value: str) -> None:
    record.attributes.add(attribute)
    if attribute in _FIELDS and not getattr(record, attribute):
        setattr(record, attribute, value)


_FIELDS: Final = frozenset(
    {"name", "kana", "patron_id", "my_number", "birth_date", "phone", "email", "postal_code"}
    | {"address"}
)


def _merge(into: Record, line: _Line) -> None:
    src = line.record
    into.attributes |= src.attributes
    for name in _FIELDS:
        value = getattr(src, name)
        if value and not getattr(into, name):
            setattr(into, name, value)


class TextScanner:
    """Feeds lines; counts letters or personal lines into a :class:`Tally`."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.page: list[tuple[_Line, str]] = []
        self.letters = 0
        self.lines_as_records = 0

    def feed(self, line: str) -> None:
        if "\f" in line:
            before, _, after = line.partition("\f")
            self.feed(before)
            self.flush()
            self.feed(after)
            return
        if line.strip():
            read = read_line(line)
            if read.institution:
                self.tally.institution(read.institution)
            self.page.append((read, v.norm(line)))
        if len(self.page) >= 2000:
            self.flush()

    def flush(self) -> None:
        page, self.page = self.page, []
        personal = [line for line, _ in page if line.record.is_personal()]
        if len(personal) >= 2:
            for line in personal:
                self.tally.add(_with_area(line.record))
                self.lines_as_records += 1
            return
        letter: Record | None = None
        window: list[_Line] = []  # lines since the last letter started, at most 3
        for line, text in page:
            envelope = any(w.record.postal_code or w.record.address for w in [*window, line])
            if line.addressed and envelope and not (letter and "保護者" in text):
                if letter is not None:
                    self._close(letter)
                letter = Record()
                for earlier in window:
                    _merge(letter, earlier)
                window = []
            elif letter is None:
                window = [*window[-2:], line]
                continue
            if "保護者" in text and line.addressed and letter.name:
                # 「山田 太郎 さんの保護者の方へ」: the child is the patron.
                letter.name = line.record.name
                letter.attributes.add("guardian")
                line.record.name = ""
            _merge(letter, line)
            window = [*window[-2:], line]
        if letter is not None:
            self._close(letter)

    def _close(self, letter: Record) -> None:
        if self.tally.add(_with_area(letter)):
            self.letters += 1


def _with_area(record: Record) -> Record:
    if record.phone and not (record.postal_code or record.address):
        record.area = v.phone_area(record.phone)
    return record
