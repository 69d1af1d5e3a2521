"""Japanese text analysis shared by indexing and querying (pure functions, no Django).

The search engine (tantivy) receives ready-made tokens: each token is a string without spaces,
and the order of the tokens is their position, so a phrase query of consecutive tokens finds a
substring. The same functions run on records and on what a user types, so every folding below
makes the two sides meet whatever form either was written in.

:func:`normalize` applies, in this order:

1. **NFKC, case folding, width folding.** ``unicodedata.normalize("NFKC")`` turns full-width
   Latin and digits into ASCII (ＡＢＣ１２３ → ABC123) and half-width katakana into full-width,
   composing a half-width dakuten (ｶﾞ → ガ). ``str.casefold`` then lower-cases Latin (and
   Greek, Cyrillic …) text, followed by a second NFKC when case folding changed anything.
2. **Kana.** Hiragana is folded to katakana, the script of JAPAN/MARC and NDL readings, so a
   query in hiragana, katakana or half-width kana finds the same records.
3. **Iteration marks (踊り字).** ゝ/ヽ repeat the previous kana, ゞ/ヾ repeat it voiced
   (こゝろ → ココロ, いすゞ → イスズ); 々 and 〻 repeat the previous character (時々 → 時時,
   佐々木 → 佐佐木). A mark with nothing suitable before it (start of text, after a space or
   Latin) is dropped. ゝ after a voiced kana repeats it as written. 々 repeats one
   character only: 部分々々 gives 部分分分, not 部分部分.
4. **Long vowels and small kana, NDL reading conventions.** The long-vowel marks ー ｰ ～ 〜
   are dropped (after kana they only lengthen the vowel; elsewhere they are punctuation), so
   なぞぺー, なぞぺ～, なぞぺ〜 and なぞぺ agree, and so do コンピューター and コンピュータ.
   Small kana become large (ァ→ア, ッ→ツ, ャ→ヤ, ヮ→ワ, ヵ→カ, ヶ→ケ, ㇰ→ク …) because NDL
   readings write しょう as シヨウ. ヲ→オ, ヂ→ジ, ヅ→ズ, ヰ→イ, ヱ→エ, as NDL readings
   transcribe を, ぢ, づ, ゐ and ゑ. **Limit:** the particles は and へ are not folded to ワ
   and エ (ハ/ワ, ヘ/エ): nothing in the text says whether は is the particle, so a reading
   written ワ does not match a title written は. ヴ is kept (not folded to ブ).
5. **Old and variant kanji (旧字体・異体字)** are folded to the modern form (國→国, 澤→沢,
   齋→斎, 髙→高, 﨑→崎 …) with a one-character-to-one-character table taken from kyujipy
   (MIT) plus a short list of name variants; see :mod:`shoka.search.kanji_variants` for the
   source, licence and local corrections. No 常用漢字 is rewritten.
6. **Punctuation and spacing.** Characters that are not letters or digits (Unicode P* and S*,
   spaces, control and format characters, combining marks) are removed. Where they stood
   between two CJK characters nothing is left, so CJK text is one run across them
   (山田 太郎 = 山田太郎, 若者よ、マルクスを読もう = 若者よマルクスを読もう); anywhere else
   they become a single space, which separates Latin words and numbers. Apostrophes are
   deleted outright, so "don't" becomes ``dont`` and "O'Brien" ``obrien``; hyphens separate
   ("e-mail" → ``e mail``). Symbols inside words are lost: C++ and C# both become ``c``.

:func:`tokens` then splits the normalised text into runs: a CJK run (kanji, kana, 々〆〇)
becomes overlapping character bigrams (ニホンノ → ニホ ホン ンノ), a one-character run stays
a unigram; a run of other letters and digits is one token (python, 3, abc123), so tokens are
split where CJK meets Latin or digits (Python入門 → python 入門; 第3巻 → 第 3 巻), but letters
and digits together stay one word (abc123, mp3).

:func:`reading_sort_key` orders readings in 五十音 order (清音 level: dakuten, handakuten and
small kana are ignored), digits before kana and Latin letters after kana.

ISBN handling is not re-implemented: :func:`isbn_terms` wraps
:func:`shoka.catalogue.isbn.isbn_query_variants`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import islice
from operator import add
from typing import Final

from shoka.catalogue.isbn import isbn_query_variants
from shoka.search.kanji_variants import variant_map

__all__ = [
    "cjk_chars",
    "exact_key",
    "is_cjk",
    "isbn_terms",
    "normalize",
    "reading_sort_key",
    "tokens",
]

# --- character classes ---------------------------------------------------------------------

# Kanji (CJK unified ideographs with extensions A-H, compatibility ideographs), kana (hiragana,
# katakana, phonetic extensions, half-width, kana supplement) and 々 〆 〇 〻 ゝ ゞ ヽ ヾ.
_CJK_RANGES: Final[tuple[tuple[int, int], ...]] = (
    (0x3005, 0x3007),  # 々 〆 〇
    (0x303B, 0x303B),  # 〻
    (0x3041, 0x3096),  # hiragana
    (0x309D, 0x309F),  # ゝ ゞ ゟ
    (0x30A1, 0x30FA),  # katakana (ァ … ヺ)
    (0x30FD, 0x30FF),  # ヽ ヾ ヿ
    (0x31F0, 0x31FF),  # katakana phonetic extensions (small ㇰ …)
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF6F),  # half-width katakana ｦ … ｯ
    (0xFF71, 0xFF9D),  # half-width katakana ｱ … ﾝ (not ｰ, a long-vowel mark)
    (0x1B000, 0x1B16F),  # kana supplement and extended-A
    (0x20000, 0x323AF),  # CJK extensions B-H and compatibility supplement
)
_CJK_CLASS: Final[str] = "".join(
    re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
    for lo, hi in _CJK_RANGES
)


_CJK_CHAR: Final[re.Pattern[str]] = re.compile(f"[{_CJK_CLASS}]")


def is_cjk(ch: str) -> bool:
    """True for a kanji (incl. extension A and compatibility ideographs), a kana or 々〆ヶ〇."""
    return _CJK_CHAR.fullmatch(ch) is not None


def cjk_chars(text: str) -> set[str]:
    """The distinct characters of ``text`` for which :func:`is_cjk` holds (one regex pass:
    testing each character in Python was a third of the index writer's time)."""
    return set(_CJK_CHAR.findall(text))


# --- translation table (steps 2, 4, 5 and part of 6) ---------------------------------------

_HIRAGANA_OFFSET: Final[int] = ord("ア") - ord("あ")
_SMALL_TO_LARGE: Final[dict[str, str]] = dict(
    zip("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ", strict=True)
) | dict(zip("ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ", "クシストヌハヒフヘホムラリルレロ", strict=True))
# NDL reading conventions: を ぢ づ ゐ ゑ are transcribed オ ジ ズ イ エ.
_READING_FOLDS: Final[dict[str, str]] = dict(zip("ヲヂヅヰヱ", "オジズイエ", strict=True))
# Removed outright (never separate words): apostrophes, format characters (soft hyphen,
# zero-width space/joiners, BOM), variation selectors and stray combining (han)dakuten.
_DELETED: Final[str] = (
    "'\u2018\u2019\u02bc\u00ad\u200b\u200c\u200d\u2060\ufeff\u3099\u309a"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
)
_VARIATION_SELECTORS_SUPPLEMENT: Final[range] = range(0xE0100, 0xE01F0)


def _kana_fold(ch: str) -> str:
    """Canonical katakana for one kana: large, NDL conventions applied."""
    ch = _SMALL_TO_LARGE.get(ch, ch)
    return _READING_FOLDS.get(ch, ch)


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x3041, 0x3097):  # ぁ … ゖ, including ゔ
        table[code] = _kana_fold(chr(code + _HIRAGANA_OFFSET))
    table[ord("ゝ")] = "ヽ"
    table[ord("ゞ")] = "ヾ"
    for ch in (*_SMALL_TO_LARGE, *_READING_FOLDS):
        table[ord(ch)] = _kana_fold(ch)
    for old, new in variant_map().items():
        table[ord(old)] = new
    table[ord("ー")] = " "  # long-vowel mark (ｰ is ー after NFKC); ～ and 〜 are punctuation
    for ch in _DELETED:
        table[ord(ch)] = None
    for code in _VARIATION_SELECTORS_SUPPLEMENT:
        table[code] = None
    return table


_FOLD_TABLE: Final[dict[int, str | None]] = _build_fold_table()

# --- iteration marks (step 3) --------------------------------------------------------------

_ITERATION_RE: Final[re.Pattern[str]] = re.compile("[ヽヾ々〻]")
_KANA_RE: Final[re.Pattern[str]] = re.compile("[\u30a1-\u30fa]")


def _voiced(kana: str) -> str:
    """ガ for カ, folded (ジ for チ); the kana itself when it has no voiced form."""
    composed = unicodedata.normalize("NFC", kana + "\u3099")
    return _kana_fold(composed) if len(composed) == 1 else kana


_VOICED: Final[dict[str, str]] = {chr(c): _voiced(chr(c)) for c in range(0x30A1, 0x30FB)}


def _expand_iteration_marks(text: str) -> str:
    """Replace ヽ ヾ (after kana) and 々 〻 (after a CJK character) by what they repeat."""
    out: list[str] = []
    for ch in text:
        if ch in "ヽヾ":
            prev = out[-1] if out else ""
            if prev and _KANA_RE.match(prev):
                out.append(_VOICED[prev] if ch == "ヾ" else prev)
        elif ch in "々〻":
            prev = out[-1] if out else ""
            if prev and is_cjk(prev):
                out.append(prev)
        else:
            out.append(ch)
    return "".join(out)


# --- punctuation and spacing (step 6) ------------------------------------------------------

# A run of non-word characters (punctuation, symbols, spaces, marks; "_" is \w but a
# punctuation character) between two CJK characters disappears ...
_CJK_JOIN_RE: Final[re.Pattern[str]] = re.compile(f"(?<=[{_CJK_CLASS}])[\\W_]+(?=[{_CJK_CLASS}])")
# ... and anywhere else becomes one space.
_SEPARATOR_RE: Final[re.Pattern[str]] = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=16_384)
def normalize(text: str) -> str:
    """Fold ``text`` for matching (rules 1-6 of the module docstring); idempotent.

    Latin words and numbers are separated by single spaces; there are no spaces inside CJK
    runs and none at either end.

    Cached (a pure function of a string): the index writer folds a record's title and
    reading three times each (tokens, exact keys, sort key), and publishers, subjects and
    series recur from record to record.
    """
    text = unicodedata.normalize("NFKC", text)
    folded = text.casefold()
    if folded != text:
        text = unicodedata.normalize("NFKC", folded)
    text = text.translate(_FOLD_TABLE)
    if _ITERATION_RE.search(text):
        text = _expand_iteration_marks(text)
    text = _CJK_JOIN_RE.sub("", text)
    return _SEPARATOR_RE.sub(" ", text).strip()


# --- tokens (step 7) -----------------------------------------------------------------------

# Group 1: a CJK run; group 2: a run of other word characters.
_RUN_RE: Final[re.Pattern[str]] = re.compile(f"([{_CJK_CLASS}]+)|([^\\s{_CJK_CLASS}]+)")


def _tokens_of_normalized(text: str) -> list[str]:
    out: list[str] = []
    for cjk, word in _RUN_RE.findall(text):
        if not cjk:
            out.append(word)
        elif len(cjk) == 1:
            out.append(cjk)
        else:
            out.extend(map(add, cjk[:-1], cjk[1:]))  # overlapping bigrams
    return out


def tokens(text: str) -> list[str]:
    """The token stream of ``text``: CJK bigrams (or a unigram) and whole Latin/digit words."""
    return _tokens_of_normalized(normalize(text))


def exact_key(text: str) -> str:
    """``normalize(text)`` without spaces: a whole-field key for exact title/reading boosts."""
    return normalize(text).replace(" ", "")


# --- reading sort key ----------------------------------------------------------------------

_SORT_KEY_LENGTH: Final[int] = 9
_SORT_BASE: Final[int] = 100  # 100**9 < 2**63 - 1, the key of an empty reading
_EMPTY_READING_KEY: Final[int] = 2**63 - 1
# 五十音 order at the 清音 level (ヲ ヰ ヱ are already folded to オ イ エ by normalize).
_GOJUON: Final[str] = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)


def _build_sort_ranks() -> dict[str, int]:
    """Rank of each character: 0 pads, then digits, kana, Latin letters; others last."""
    ranks: dict[str, int] = {}
    order = "0123456789" + _GOJUON + "abcdefghijklmnopqrstuvwxyz"
    for rank, ch in enumerate(order, start=1):
        ranks[ch] = rank
    for code in range(0x30A1, 0x30FB):  # voiced, half-voiced and small kana: their 清音
        base = unicodedata.normalize("NFD", _kana_fold(chr(code)))[0]
        base = _SMALL_TO_LARGE.get(base, _READING_FOLDS.get(base, base))
        if base in ranks:
            ranks[chr(code)] = ranks[base]
    for code in range(0xC0, 0x250):  # accented Latin letters sort as their base letter
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base in ranks:
            ranks[chr(code)] = ranks[base]
    return ranks


_SORT_RANKS: Final[dict[str, int]] = _build_sort_ranks()
_OTHER_RANK: Final[int] = max(_SORT_RANKS.values()) + 1
if _OTHER_RANK >= _SORT_BASE:  # pragma: no cover - import-time sanity check of the table
    raise RuntimeError("reading sort ranks do not fit the key base")


def reading_sort_key(reading: str) -> int:
    """An int in ``[0, 2**63)`` ordering readings in Japanese library (五十音) order.

    The reading is normalised (hiragana and katakana agree, ー and spaces are ignored) and its
    first nine characters are ranked: digits (as characters: "10" sorts before "2"), then
    kana in 五十音 order with dakuten, handakuten and small kana ignored (ガ = カ, パ = ハ,
    ヴ = ウ), then Latin letters (accents ignored), then anything else. Readings equal in
    their first nine ranked characters get equal keys; an empty reading sorts last.
    """
    key_text = exact_key(reading)
    if not key_text:
        return _EMPTY_READING_KEY
    key = 0
    length = 0
    get = _SORT_RANKS.get
    for ch in islice(key_text, _SORT_KEY_LENGTH):
        key = key * _SORT_BASE + get(ch, _OTHER_RANK)
        length += 1
    return key * _SORT_BASE ** (_SORT_KEY_LENGTH - length)


# --- ISBN ----------------------------------------------------------------------------------


def isbn_terms(text: str) -> set[str]:
    """Compact ISBN-13 and ISBN-10 (upper-case X) for text that is an ISBN, else empty.

    A thin wrapper over :func:`shoka.catalogue.isbn.isbn_query_variants`: hyphens, spaces,
    an ``ISBN`` prefix and full-width digits are accepted; a misprinted number with the shape
    of an ISBN is returned compacted as is, so records that reproduce it are found.
    """
    return isbn_query_variants(text)
