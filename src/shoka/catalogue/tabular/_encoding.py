"""Encoding detection for tabular files from Japanese library systems.

Order of trust: a byte-order mark (UTF-8, UTF-16); strict UTF-8; then charset-normalizer
choosing between CP932 and EUC-JP. Plain ``shift_jis`` is never used: CP932 (Windows-31J)
is its superset with the NEC and IBM extensions (①, ㈱, 髙, 﨑) that every Windows-made file
may hold. Bytes the chosen encoding cannot decode become lone surrogates (U+DC00 + byte) so
that the reader can reject exactly the rows that hold them.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

__all__ = ["DecodedText", "decode_bytes", "has_undecodable", "visible"]

_ERROR_HANDLER = "shoka-tabular-escape"
_JAPANESE_LEGACY = ("cp932", "euc_jp")
_UNDECODABLE_RE = re.compile("[\udc00-\udcff]")


def _escape_undecodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(_ERROR_HANDLER, _escape_undecodable)


@dataclass(frozen=True)
class DecodedText:
    """The text of a file, the Python codec used (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``,
    ``"cp932"``, ``"euc_jp"``) and how it was chosen (``"byte-order mark"``,
    ``"valid UTF-8"``, ``"charset-normalizer"``…)."""

    text: str
    encoding: str
    detected_by: str


def has_undecodable(text: str) -> bool:
    """True when ``text`` holds bytes the file's encoding could not decode."""
    return _UNDECODABLE_RE.search(text) is not None


def visible(text: str) -> str:
    """``text`` with undecodable bytes shown as U+FFFD, for excerpts and messages."""
    return _UNDECODABLE_RE.sub("\ufffd", text)


def _canonical(name: str) -> str:
    lowered = name.lower().replace("-", "_")
    if "932" in lowered or "shift" in lowered or "sjis" in lowered:
        return "cp932"
    if "euc" in lowered:
        return "euc_jp"
    if lowered in ("utf_8", "utf8", "ascii"):
        return "utf-8"
    return name


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(lines: list[bytes]) -> bool:
    """True when most lines with non-ASCII bytes are valid UTF-8 (a few broken rows in a
    UTF-8 file). Random CP932 or EUC-JP text is almost never valid UTF-8."""
    good = bad = 0
    for line in lines:
        if line.isascii():
            continue
        if _decodes(line, "utf-8"):
            good += 1
        else:
            bad += 1
    return good > bad


def _best_legacy(data: bytes, lines: list[bytes]) -> tuple[str, str]:
    """Choose CP932 or EUC-JP: charset-normalizer on the whole file, else on the lines both
    can decode, else the encoding that fails on fewer lines (CP932 on a tie)."""
    guess = charset_normalizer.from_bytes(data, cp_isolation=list(_JAPANESE_LEGACY)).best()
    if guess is not None:
        return _canonical(guess.encoding), "charset-normalizer"
    non_ascii = [line for line in lines if not line.isascii()]
    failures = {enc: [not _decodes(line, enc) for line in non_ascii] for enc in _JAPANESE_LEGACY}
    clean = [
        line for line, *fails in zip(non_ascii, *failures.values(), strict=True) if not any(fails)
    ]
    if clean:
        sample = b"\n".join(clean)
        guess = charset_normalizer.from_bytes(sample, cp_isolation=list(_JAPANESE_LEGACY)).best()
        if guess is not None:
            return _canonical(guess.encoding), "charset-normalizer (rows that decode)"
    counts = {enc: sum(fails) for enc, fails in failures.items()}
    best = min(_JAPANESE_LEGACY, key=lambda enc: counts[enc])  # cp932 first on a tie
    return best, "fewest undecodable rows"


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a whole file, choosing its encoding as described in the module docstring."""
    if data.startswith(codecs.BOM_UTF8):
        return DecodedText(data[3:].decode("utf-8", _ERROR_HANDLER), "utf-8-sig", "byte-order mark")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return DecodedText(data.decode("utf-16", _ERROR_HANDLER), "utf-16", "byte-order mark")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8", "valid UTF-8")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    if _mostly_utf8(lines):
        return DecodedText(data.decode("utf-8", _ERROR_HANDLER), "utf-8", "mostly valid UTF-8")
    encoding, detected_by = _best_legacy(data, lines)
    return DecodedText(data.decode(encoding, _ERROR_HANDLER), encoding, detected_by)
