"""Which text encoding a unit uses, from its first bytes (ADR 0005).

Order: byte-order marks (UTF-8, UTF-16 LE/BE); ISO-2022-JP escapes in 7-bit text; NUL or
control bytes make it binary; strict UTF-8; then CP932 against EUC-JP, decided by which
decoding is valid and reads like Japanese. Shift_JIS is always read as CP932 (its superset
that Windows writes: NEC and IBM extensions, ①, ㈱, 髙…). charset-normalizer is the fallback
for anything else.
"""

from __future__ import annotations

import codecs
import re
from typing import Final, NamedTuple

from charset_normalizer import from_bytes


class Encoding(NamedTuple):
    codec: str  # what Python decodes with
    label: str  # what the report says


_BOMS: Final = (
    (codecs.BOM_UTF8, Encoding("utf-8-sig", "utf-8-sig")),
    (codecs.BOM_UTF16_LE, Encoding("utf-16", "utf-16-le")),
    (codecs.BOM_UTF16_BE, Encoding("utf-16", "utf-16-be")),
)
_CONTROL: Final = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_JAPANESE: Final = re.compile(r"[ぁ-ゖァ-ヺー一-鿿、。「」]")
_HALF_KANA: Final = re.compile(r"[ｦ-ﾟ]")


def _decodes(head: bytes, codec: str) -> str | None:
    try:
        return codecs.getincrementaldecoder(codec)().decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _score(text: str) -> int:
    return len(_JAPANESE.findall(text)) - 2 * len(_HALF_KANA.findall(text))


def detect(head: bytes) -> Encoding | None:
    """The encoding of text starting with ``head``, or None for binary data."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if not head:
        return Encoding("utf-8", "ascii")
    if head.isascii() and (b"\x1b$B" in head or b"\x1b$@" in head or b"\x1b(J" in head):
        return Encoding("iso2022_jp_ext", "iso-2022-jp")
    controls = len(_CONTROL.findall(head))
    if controls > max(2, len(head) // 200):
        return None
    if head.isascii():
        return Encoding("utf-8", "ascii")
    if _decodes(head, "utf-8") is not None:
        return Encoding("utf-8", "utf-8")
    candidates = [
        (_score(text), Encoding(codec, label))
        for codec, label in (("cp932", "cp932"), ("euc_jp", "euc-jp"))
        if (text := _decodes(head, codec)) is not None
    ]
    if candidates:
        return max(candidates, key=lambda c: c[0])[1]
    guess = from_bytes(head).best()
    if guess is None:
        return None
    codec = guess.encoding
    if codec in ("shift_jis", "cp932"):
        return Encoding("cp932", "cp932")
    return Encoding(codec, codec.replace("_", "-"))
