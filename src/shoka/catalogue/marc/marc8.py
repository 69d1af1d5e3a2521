"""A strict MARC-8 decoder that counts what it could not decode.

pymarc's own converter replaces undecodable bytes with a space and writes a line to stderr,
so a caller cannot tell a clean MARC-8 record from a damaged one (or from CP932 bytes that
happen to look like ANSEL diacritics). This decoder uses pymarc's character tables
(:mod:`pymarc.marc8_mapping`, the LC code tables) and reports the number of bytes it could
not map, so the reader can decide between MARC-8, UTF-8 and CP932 by content.

Rules (MARC-8 specification, LC "Character Sets and Encoding Options"):

* the default sets are Basic Latin (ASCII) in G0 and ANSEL in G1, reset at the start of each
  subfield (as pymarc does);
* escape sequences ``ESC ( F``, ``ESC , F``, ``ESC $ F``, ``ESC $ , F`` designate G0;
  ``ESC ) F``, ``ESC - F``, ``ESC $ ) F``, ``ESC $ - F`` designate G1; the locking shifts
  ``ESC g`` (Greek symbols), ``ESC b`` (subscripts), ``ESC p`` (superscripts) and ``ESC s``
  (back to ASCII) switch G0;
* in the multibyte set (EACC, final byte ``1``) a character takes three bytes; a space is
  still one byte 0x20;
* combining marks precede their base character in MARC-8 and follow it in Unicode: they are
  moved after the base, and the result is NFC-normalised;
* control bytes other than ESC, bytes 0x80–0x9F other than the ANSEL non-sorting marks and
  joiners, and code points missing from the tables are *errors*: each becomes U+FFFD and is
  counted.
"""

from __future__ import annotations

import unicodedata

from pymarc.marc8_mapping import CODESETS, ODD_MAP

__all__ = ["decode_marc8"]

_BASIC_LATIN = 0x42
_ANSEL = 0x45
_EACC = 0x31
_LOCKING_SHIFTS = {0x67: 0x67, 0x62: 0x62, 0x70: 0x70, 0x73: _BASIC_LATIN}
_G0_INTERMEDIATES = {0x28, 0x2C}  # ( ,
_G1_INTERMEDIATES = {0x29, 0x2D}  # ) -
_REPLACEMENT = "\ufffd"


def _lookup(charset: int, code_point: int) -> tuple[int, int] | None:
    table = CODESETS.get(charset)
    if table is None:
        return None
    found = table.get(code_point)
    if found is None and code_point >= 0xA0:
        found = table.get(code_point - 0x80)  # a 94-character set designated as G1
    elif found is None and 0x20 < code_point < 0x7F:
        found = table.get(code_point + 0x80)  # a G1-only set designated as G0
    return found


def decode_marc8(data: bytes) -> tuple[str, int]:
    """Decode one subfield (or control field) of MARC-8 bytes.

    Returns the NFC text and the number of bytes that could not be decoded (each replaced by
    U+FFFD)."""
    if data.isascii() and 0x1B not in data:
        return data.decode("ascii"), 0
    g0, g1 = _BASIC_LATIN, _ANSEL
    out: list[str] = []
    pending: list[str] = []  # combining marks waiting for their base character
    errors = 0
    pos, end = 0, len(data)
    while pos < end:
        byte = data[pos]
        if byte == 0x1B:
            nxt = data[pos + 1] if pos + 1 < end else -1
            if nxt == 0x24:  # ESC $ [ , ) - ] F: multibyte set
                inter = data[pos + 2] if pos + 2 < end else -1
                if inter in _G0_INTERMEDIATES or inter in _G1_INTERMEDIATES:
                    final = data[pos + 3] if pos + 3 < end else -1
                    if inter in _G0_INTERMEDIATES:
                        g0 = final
                    else:
                        g1 = final
                    pos += 4
                else:
                    g0 = inter
                    pos += 3
                continue
            if nxt in _G0_INTERMEDIATES or nxt in _G1_INTERMEDIATES:
                final = data[pos + 2] if pos + 2 < end else -1
                if final < 0:
                    errors += 1
                    out.append(_REPLACEMENT)
                    break
                if nxt in _G0_INTERMEDIATES:
                    g0 = final
                else:
                    g1 = final
                pos += 3
                continue
            if nxt in _LOCKING_SHIFTS:
                g0 = _LOCKING_SHIFTS[nxt]
                pos += 2
                continue
            errors += 1  # an escape that designates nothing known
            out.append(_REPLACEMENT)
            pos += 1
            continue
        if byte == 0x20:
            out.append(" ")
            out.extend(pending)
            pending.clear()
            pos += 1
            continue
        if g0 == _EACC and 0x20 < byte < 0x7F:
            if pos + 3 > end:
                errors += end - pos
                out.append(_REPLACEMENT)
                break
            code_point = (byte << 16) | (data[pos + 1] << 8) | data[pos + 2]
            pos += 3
            found = _lookup(_EACC, code_point)
            if found is None and code_point in ODD_MAP:
                found = (ODD_MAP[code_point], 0)
        else:
            pos += 1
            if byte < 0x20 or byte == 0x7F:
                errors += 1
                out.append(_REPLACEMENT)
                continue
            found = _lookup(g1 if byte >= 0x80 else g0, byte)
        if found is None:
            errors += 1
            out.append(_REPLACEMENT)
            continue
        char_code, combining = found
        if combining:
            pending.append(chr(char_code))
            continue
        if char_code in (0x98, 0x9C):  # ANSEL non-sorting marks (0x88, 0x89): dropped
            continue
        out.append(chr(char_code))
        if pending:
            out.extend(pending)
            pending.clear()
    out.extend(pending)
    return unicodedata.normalize("NFC", "".join(out)), errors
