"""MARC 21 (JAPAN/MARC conventions) → :class:`BibData`.

Trimming: every value loses its trailing ISBD punctuation — `` /``, `` :``, `` ;``, `` =``,
``,`` and then one final ``.`` (not an ellipsis ``...``). Abbreviations at the very end lose
their dot too (``Inc.`` → ``Inc``); ISBD gives no way to tell them apart.

Title (245): ``$a``, then each ``$n``/``$p`` after a space, then each ``$b`` after the
punctuation that ended the subfield before it in the record (`` : `` other title
information, `` = `` parallel title, `` ; ``), `` : `` by default. So ``$aCNNニュース・リスニング :
$b音声&電子書籍版付き : 1本30秒だから、聞きやすい!$n2019春夏 /`` gives
``CNNニュース・リスニング 2019春夏 : 音声&電子書籍版付き : 1本30秒だから、聞きやすい!``.
The reading and the romanisation are built the same way from the linked 880s
(see :mod:`shoka.catalogue.marc.linkage` for which 880 is which, JAPAN/MARC or LC style).
Responsibility = 245 ``$c``.

Contributors: 100/110/111/700/710/711 in record order. Persons (X00): ``$a`` ``$b`` ``$c``
``$d``; bodies (X10): ``$a`` ``$b`` (subordinate units); meetings (X11): ``$a`` ``$n`` ``$d``
``$c``; the subfields are joined by spaces keeping their own punctuation, and only the end is
trimmed (``沢辺, 均, 1956-``, ``Hunt, Andrew, 1964-``). Role: ``$e`` (relator
term), else ``$4`` (relator code). Reading from the linked ``/$1`` 880.

Publication: the first 264 with second indicator 1 (publication), else the first 260, else
the first 264: ``$b`` publisher (first), ``$a`` place (first), ``$c`` → year = first
4-digit number between 1000 and 2999, else 008/07-10. Publisher reading: ``$b`` of its 880.

Series: first 490 ``$a`` (``$v`` → volume), else 830 ``$a``, else 800 ``$t``; reading from
its 880. Subjects: 600/610/611/630/650/651 in record order, any thesaurus, heading ``$a``
(+ ``$b``/``$c``/``$d`` for names, ``$t`` for name-title) with ``$v``/``$x``/``$y``/``$z``
subdivisions joined by ``--``; duplicates dropped. ``subject_readings`` is parallel to
``subjects`` (``""`` where a heading has no reading) when at least one heading has a
reading, else empty.

Other titles: 246 (``$a`` ``$n`` ``$p`` ``$b`` as for 245), 740 (same), each ``$t`` of 505;
readings from their 880s; a title seen twice keeps the first with the first reading found.

Numbers: JP番号 = 015 ``$a`` with ``$2 jnb``; NDC = 084 ``$a`` with ``$2 njb/NN`` (the
highest edition wins: ``njb/10`` over ``njb/09``; ``ndc_edition`` is the number without
leading zeros); NDL call number = 090 ``$a``; ISBNs = 020 ``$a`` as printed, ISBD
punctuation trimmed, with ``$q`` appended as ``(qualifier)``; an 020 with only ``$z`` is
skipped with a warning.

Language: 008/35-37 when it is three letters, else 041 ``$a``, else ``jpn``. Edition 250
``$a``; extent 300 ``$a`` ``$b`` ``$c`` ``$e`` joined by spaces (``301p ; 19cm``); notes 500 and
504 ``$a``, one per line.

Material type: leader/07 ``s`` (serial) → magazine. Otherwise by leader/06:
``a``/``t`` (text) → large_print when 008/23 is ``d`` or 007 starts ``tb``, picture_book
when a 655 genre says 絵本 or "picture book", else book;
``c``/``d`` (printed music) → book; ``i``/``j`` (sound) → daisy when the record says
DAISY (245 ``$h``, 300, 500, 538), else cd; ``g`` (video) → dvd; ``k`` (two-dimensional
graphic) → kamishibai when 紙芝居 appears in the title, extent or notes, else other;
``e``/``f`` (maps), ``m`` (computer file), ``o``/``p``/``r`` → other.

source_id = ``003:001`` (``JTNDL:029455884``), or 001 alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pymarc import Field, Record, Subfield

from shoka.catalogue.marc.holdings import holdings_from_record
from shoka.catalogue.marc.linkage import LinkIndex
from shoka.catalogue.records import BibData, ContributorData, HoldingData, TitleData

__all__ = ["record_to_bib", "trim"]

_TRAIL = re.compile(r"(?:\s*[/:;=,])+\s*$")
_DOT = re.compile(r"(?<![.\s])\.\s*$")
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_NDC_SOURCE = re.compile(r"^njb/?(\d+)")
_SEPARATORS = {":": " : ", "=": " = ", ";": " ; "}
_CONTRIBUTOR_TAGS = ("100", "110", "111", "700", "710", "711")
_SUBJECT_TAGS = ("600", "610", "611", "630", "650", "651")
_NAME_PARTS = {"0": ("a", "b", "c", "d"), "1": ("a", "b"), "2": ("a", "n", "d", "c")}


def trim(text: str) -> str:
    """Strip trailing ISBD punctuation (see the module docstring)."""
    text = text.strip()
    if not text or text[-1] not in "/:;=,.":
        return text
    text = _TRAIL.sub("", text.strip())
    return _DOT.sub("", text).strip()


def _title_text(fld: Field | None) -> str:
    """245/246/740 ``$a $n $p $b`` in display order."""
    if fld is None:
        return ""
    main: list[str] = []
    other: list[str] = []
    previous = ""
    for sub in fld.subfields:
        if sub.code in ("a", "n", "p"):
            if value := trim(sub.value):
                main.append(value)
        elif sub.code == "b" and (value := trim(sub.value)):
            other.append(_SEPARATORS.get(previous, " : ") + value)
        stripped = sub.value.rstrip()
        previous = stripped[-1:] if stripped else ""
    return " ".join(main) + "".join(other)


def _join(fld: Field | None, codes: Iterable[str], sep: str = " ") -> str:
    if fld is None:
        return ""
    wanted = set(codes)
    return trim(sep.join(v for s in fld.subfields if s.code in wanted if (v := trim(s.value))))


def _subs(fld: Field | None, codes: str) -> list[Subfield]:
    return [s for s in fld.subfields if s.code in codes] if fld is not None else []


def _first(fld: Field | None, code: str) -> str:
    return trim(fld.get(code) or "") if fld is not None else ""


def _name(fld: Field | None) -> str:
    if fld is None:
        return ""
    tag = fld.tag if fld.tag != "880" else (fld.get("6") or "000")[:3]
    parts = _NAME_PARTS.get(tag[2:3], ("a",))
    return trim(" ".join(s.value.strip() for s in _subs(fld, "".join(parts)) if s.value.strip()))


def _contributors(record: Record, links: LinkIndex) -> list[ContributorData]:
    found: list[ContributorData] = []
    for fld in record.get_fields(*_CONTRIBUTOR_TAGS):
        forms = links.forms(fld, _name(fld))
        name = _name(forms.display)
        if not name:
            continue
        role = _join(fld, "e", ", ") or _join(fld, "4", ", ")
        # The reading is of the name itself ($a): dates and numeration stay in the heading.
        reading = _first(forms.reading, "a") if forms.reading is not None else ""
        found.append(ContributorData(name=name, reading=reading, role=role))
    return found


def _publication(record: Record) -> Field | None:
    for fld in record.get_fields("264"):
        if fld.indicator2 == "1":
            return fld
    return record.get("260") or record.get("264")


def _year(pub: Field | None, record: Record) -> int | None:
    for value in pub.get_subfields("c") if pub is not None else []:
        if match := _YEAR.search(value):
            return int(match.group(1))
    fixed = record.get("008")
    if fixed is not None and fixed.data and fixed.data[7:11].isdigit():
        return int(fixed.data[7:11])
    return None


def _series(record: Record, links: LinkIndex) -> tuple[str, str, str]:
    for tag, codes in (("490", ("a",)), ("830", ("a", "n", "p")), ("800", ("t",))):
        fld = record.get(tag)
        if fld is None or not (text := _join(fld, codes)):
            continue
        forms = links.forms(fld, text)
        return _join(forms.display, codes), _join(forms.reading, codes), _first(fld, "v")
    return "", "", ""


def _heading(fld: Field | None) -> str:
    if fld is None:
        return ""
    tag = fld.tag if fld.tag != "880" else (fld.get("6") or "000")[:3]
    main_codes = {"600": "abcdt", "610": "abt", "611": "acdnt", "630": "anp"}.get(tag, "a")
    main = _join(fld, main_codes, ". " if tag == "610" else " ")
    subdivisions = [trim(s.value) for s in fld.subfields if s.code in "vxyz" and trim(s.value)]
    return "--".join([main, *subdivisions]) if main else ""


def _subjects(record: Record, links: LinkIndex) -> tuple[list[str], list[str]]:
    headings: dict[str, str] = {}
    for fld in record.get_fields(*_SUBJECT_TAGS):
        forms = links.forms(fld, _heading(fld))
        heading = _heading(forms.display)
        if heading and heading not in headings:
            headings[heading] = _heading(forms.reading)
    readings = list(headings.values())
    return list(headings), readings if any(readings) else []


def _other_titles(record: Record, links: LinkIndex) -> list[TitleData]:
    titles: dict[str, str] = {}

    def add(title: str, reading: str) -> None:
        if title and (title not in titles or (reading and not titles[title])):
            titles[title] = reading

    for fld in record.get_fields("246", "740", "505"):
        if fld.tag == "505":
            linked = links.forms(fld, " ".join(fld.get_subfields("t"))).reading
            readings = [trim(v) for v in linked.get_subfields("t")] if linked else []
            for index, value in enumerate(fld.get_subfields("t")):
                add(trim(value), readings[index] if index < len(readings) else "")
            continue
        forms = links.forms(fld, _title_text(fld))
        add(_title_text(forms.display), _title_text(forms.reading))
    return [TitleData(t, r) for t, r in titles.items()]


def _classification(record: Record) -> tuple[str, str]:
    best: tuple[int, str] = (-1, "")
    for fld in record.get_fields("084"):
        match = _NDC_SOURCE.match((fld.get("2") or "").strip())
        value = _first(fld, "a")
        if match and value and int(match.group(1)) > best[0]:
            best = (int(match.group(1)), value)
    return (best[1], str(best[0])) if best[0] >= 0 else ("", "")


def _isbns(record: Record, warnings: list[str]) -> list[str]:
    found: list[str] = []
    for fld in record.get_fields("020"):
        values = [trim(v) for v in fld.get_subfields("a") if trim(v)]
        if not values:
            if fld.get("z"):
                warnings.append(f"020 $z {trim(fld.get('z') or '')!r} (invalid ISBN) not imported")
            continue
        qualifiers = " ".join(f"({trim(q).strip('()')})" for q in fld.get_subfields("q"))
        found.extend(f"{v} {qualifiers}" if qualifiers else v for v in values)
    return found


def _language(record: Record) -> str:
    fixed = record.get("008")
    code = fixed.data[35:38] if fixed is not None and fixed.data else ""
    if len(code) == 3 and code.isalpha():
        return code.lower()
    lang = (_first(record.get("041"), "a") or "")[:3]
    return lang.lower() if len(lang) == 3 and lang.isalpha() else "jpn"


def _material_type(record: Record, title_field: Field | None) -> str:
    leader = str(record.leader)
    kind, level = leader[6:7], leader[7:8]
    if level == "s":
        return "magazine"
    if kind in ("a", "t"):
        fixed = record.get("008")
        large = fixed is not None and (fixed.data or "")[23:24] == "d"
        if large or any((f.data or "").startswith("tb") for f in record.get_fields("007")):
            return "large_print"
        genres = " ".join(f.value() for f in record.get_fields("655"))
        return "picture_book" if "絵本" in genres or "picture book" in genres.lower() else "book"
    if kind in ("c", "d"):
        return "book"
    text = " ".join(
        [
            " ".join(title_field.get_subfields("a", "h")) if title_field else "",
            *(f.value() for f in record.get_fields("300", "500", "538")),
        ]
    )
    if kind in ("i", "j"):
        return "daisy" if "DAISY" in text.upper() else "cd"
    if kind == "g":
        return "dvd"
    if kind == "k" and "紙芝居" in text:
        return "kamishibai"
    return "other"


def _control(record: Record, tag: str) -> str:
    fld = record.get(tag)
    return (fld.data or "").strip() if fld is not None else ""


def record_to_bib(
    record: Record, *, source_record: bytes | None = None, source_format: str = ""
) -> tuple[BibData, tuple[HoldingData, ...], tuple[str, ...]]:
    """Map ``record``; the bib's ``source_record``/``source_format`` are what the reader
    passes (the record as it arrived). Returns the bib, the holdings and the warnings."""
    warnings: list[str] = []
    links = LinkIndex(record)
    title_field = record.get("245")
    title_forms = links.forms(title_field, _title_text(title_field)) if title_field else None
    pub = _publication(record)
    pub_forms = links.forms(pub, _join(pub, "ab")) if pub is not None else None
    series, series_reading, volume = _series(record, links)
    subjects, subject_readings = _subjects(record, links)
    ndc, ndc_edition = _classification(record)
    jpno = next(
        (
            _first(f, "a")
            for f in record.get_fields("015")
            if (f.get("2") or "").strip() == "jnb" and f.get("a")
        ),
        "",
    )
    source_id = _control(record, "001")
    if source_id and _control(record, "003"):
        source_id = f"{_control(record, '003')}:{source_id}"
    notes = [trim(v) for f in record.get_fields("500", "504") for v in f.get_subfields("a")]
    bib = BibData(
        title=_title_text(title_forms.display) if title_forms else "",
        title_reading=_title_text(title_forms.reading) if title_forms else "",
        title_romanized=_title_text(title_forms.romanized) if title_forms else "",
        responsibility=_first(title_forms.display, "c") if title_forms else "",
        contributors=tuple(_contributors(record, links)),
        publisher=_first(pub_forms.display, "b") if pub_forms else "",
        publisher_reading=_first(pub_forms.reading, "b") if pub_forms else "",
        publication_place=_first(pub_forms.display, "a") if pub_forms else "",
        year=_year(pub, record),
        isbns=tuple(_isbns(record, warnings)),
        jpno=jpno,
        ndc=ndc,
        ndc_edition=ndc_edition,
        ndl_call_number=_first(record.get("090"), "a"),
        subjects=tuple(subjects),
        subject_readings=tuple(subject_readings),
        other_titles=tuple(_other_titles(record, links)),
        material_type=_material_type(record, title_field),
        language=_language(record),
        series=series,
        series_reading=series_reading,
        volume=volume,
        edition=_first(record.get("250"), "a"),
        extent=trim(" ".join(s.value.strip() for s in _subs(record.get("300"), "abce"))),
        notes="\n".join(n for n in notes if n),
        source_id=source_id,
        source_record=source_record,
        source_format=source_format,
    )
    holdings, holding_warnings = holdings_from_record(record)
    return bib, holdings, tuple(warnings + holding_warnings)
