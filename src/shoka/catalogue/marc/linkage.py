"""880 linkage: which form of a field is the display text, which the ヨミ, which the romaji.

A field with ``$6 880-01`` is linked to every 880 whose ``$6`` starts ``245-01``; the part
after the slash is the script code (``$1`` CJK, ``(B`` Latin, ``(N`` Cyrillic…).

JAPAN/MARC (MARC 21 since 2012) keeps the original script in the field itself and puts two
880s beside it: ``/$1`` = the katakana reading (ヨミ), ``/(B`` = the romanisation.
Library of Congress style records do the opposite: the field is romanised and the ``/$1``
880 holds the original kanji/kana. The two are told apart by content, field by field:

1. the field contains kanji or kana → JAPAN/MARC: the field is displayed; a ``/$1`` 880
   without kanji or hiragana is its reading; a ``(B`` 880 its romanisation;
2. the field has no kanji/kana and its ``/$1`` 880 contains kanji or hiragana → LC style:
   the 880 is displayed and the field is the romanisation (no reading);
3. the field has no kanji/kana and its ``/$1`` 880 is katakana only (``リナックス``) →
   ambiguous: a reading when the field also has a ``(B`` 880 or the record comes from the
   NDL (003 or 040 $a ``JTNDL``), otherwise an LC-style original in katakana.

Other 880 scripts (Cyrillic, Arabic…) linked to a romanised field are displayed in the
original script as in rule 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pymarc import Field, Record

__all__ = ["Forms", "LinkIndex", "has_cjk", "is_reading_like"]

_KANJI_HIRAGANA = re.compile("[\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]")
_KATAKANA = re.compile("[\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_LINK = re.compile(r"^(\d{3})-(\d{2,})(?:/([^/]*))?")


def has_cjk(text: str) -> bool:
    """True when ``text`` contains kanji, hiragana or katakana."""
    return bool(_KANJI_HIRAGANA.search(text) or _KATAKANA.search(text))


def is_reading_like(text: str) -> bool:
    """True when ``text`` has katakana but no kanji or hiragana (a ヨミ)."""
    return bool(_KATAKANA.search(text)) and not _KANJI_HIRAGANA.search(text)


@dataclass(frozen=True)
class Forms:
    """The three forms of one field: ``display`` is always set."""

    display: Field
    reading: Field | None = None
    romanized: Field | None = None


class LinkIndex:
    """The 880s of a record, indexed by the tag and occurrence they are linked to."""

    def __init__(self, record: Record) -> None:
        self._by_link: dict[tuple[str, str], dict[str, Field]] = {}
        for fld in record.get_fields("880"):
            match = _LINK.match(fld.get("6") or "")
            if match is None or match.group(2).strip("0") == "":
                continue  # occurrence 00: an 880 without a counterpart
            script = match.group(3) or ""
            slot = self._by_link.setdefault((match.group(1), match.group(2)), {})
            slot.setdefault(script, fld)
        source = (record.get("003").data if record.get("003") else "") or ""  # type: ignore[union-attr]
        cataloguer = record.get("040")
        self._ndl = source.strip() == "JTNDL" or (
            cataloguer is not None and (cataloguer.get("a") or "").strip() == "JTNDL"
        )

    def forms(self, fld: Field, text_of: str) -> Forms:
        """Decide the forms of ``fld``; ``text_of`` is its significant text (for scripts)."""
        link = fld.get("6") or ""
        match = re.match(r"^880-(\d{2,})", link)
        if match is None:
            return Forms(fld)
        linked = self._by_link.get((fld.tag, match.group(1)), {})
        if not linked:
            return Forms(fld)
        cjk = linked.get("$1")
        latin = linked.get("(B")
        others = [f for script, f in linked.items() if script not in ("$1", "(B")]
        if has_cjk(text_of):
            reading = cjk if cjk is not None and not _880_has_kanji(cjk) else None
            return Forms(fld, reading, latin)
        if cjk is not None:
            cjk_text = " ".join(cjk.get_subfields("a", "b", "t", "n", "p"))
            if is_reading_like(cjk_text) and (latin is not None or self._ndl):
                return Forms(fld, cjk, latin)
            return Forms(cjk, None, fld)
        if others:
            return Forms(others[0], None, fld)
        return Forms(fld, None, latin)


def _880_has_kanji(fld: Field) -> bool:
    return any(_KANJI_HIRAGANA.search(sub.value) for sub in fld.subfields if sub.code != "6")
