"""ISO 2709 (MARC 21 transmission format): splitting a file into records and decoding one.

Splitting (:func:`split_records`)
    The record terminator 0x1D is the authority: a record runs from its first byte to the next
    0x1D. The 5-digit record length of the leader is checked against it; when they disagree
    the record is still read up to the terminator, with a warning. When the bytes before a
    terminator do not start with a plausible leader (garbage, or the remains of a truncated
    record), the reader looks inside them for a leader whose length ends exactly on that
    terminator and reports only the bytes before it as a bad fragment. Spaces, CR, LF, NUL
    and Ctrl-Z between records or at the end of the file (padding, a trailing newline) are
    skipped silently.

Decoding (:func:`decode_record`)
    The leader must be 24 ASCII characters. The directory ends at the first field terminator
    0x1E after the leader; a base address (leader/12-16) that disagrees with it is corrected
    with a warning, and stray bytes after the last whole 12-byte directory entry are ignored
    with a warning. An entry that is not numeric or that points outside the record makes the
    record bad. Indicators: missing ones become blanks, extra ones are dropped (warning).
    A subfield code that is not an ASCII letter or digit is folded to ASCII (``á`` → ``a``);
    a junk character such as U+FFFD before the code is dropped (warning).

Character encoding (leader/09: ``a`` = UTF-8, blank = MARC-8), decided by content:
    * declared MARC-8, data valid UTF-8 with multi-byte sequences → UTF-8 (warning);
    * declared UTF-8, data not valid UTF-8 → MARC-8 if it decodes without error, else CP932
      (Shift_JIS, as older Japanese systems write) if that decodes, with a warning naming it;
    * declared MARC-8 that does not decode → CP932 if that decodes cleanly and the record has
      no ESC byte (escape sequences only occur in MARC-8), with a warning;
    * nothing decodes cleanly → the declared encoding with U+FFFD for the bad bytes, when the
      damage is confined (at most :data:`MAX_DAMAGE`, 2 %, of the data bytes), with a warning
      naming the number of bytes and fields; else the record is bad.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pymarc import Field, Indicators, Leader, Record, Subfield

from shoka.catalogue.marc.marc8 import decode_marc8

__all__ = ["MAX_DAMAGE", "Chunk", "RecordError", "decode_record", "split_records"]

MAX_DAMAGE = 0.02  # share of the data bytes that may be undecodable
_PADDING = b" \r\n\t\x00\x1a"
_LEADER_RE = re.compile(rb"\d{5}[\x20-\x7e]{19}")
_VISIBLE = str.maketrans({"\x1d": "␝", "\x1e": "␞", "\x1f": "␟"})


class RecordError(Exception):
    """The record cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """The bytes of one record (or of a fragment that is not one) and where they start."""

    offset: int
    data: bytes
    fragment: str = ""  # set when the bytes are known not to be a record: the reason


def excerpt(data: bytes, size: int = 120) -> str:
    """The first ``size`` characters of ``data``, decoded with replacement, separators shown."""
    return data[: size * 3].decode("utf-8", "replace")[:size].translate(_VISIBLE)


def _declared_length(data: bytes, start: int = 0) -> int | None:
    head = data[start : start + 5]
    return int(head) if len(head) == 5 and head.isdigit() else None


def _inner_leader(chunk: bytes) -> int | None:
    """Offset of a leader inside ``chunk`` whose record length ends exactly at its end."""
    for match in _LEADER_RE.finditer(chunk, 1):
        start = match.start()
        if (
            _declared_length(chunk, start) == len(chunk) - start
            and chunk[start + 12 : start + 17].isdigit()
        ):
            return start
    return None


def split_records(data: bytes) -> Iterator[Chunk]:
    """Cut ``data`` into records at the record terminators (see the module docstring)."""
    pos, size = 0, len(data)
    while pos < size:
        while pos < size and data[pos] in _PADDING:
            pos += 1
        if pos >= size:
            return
        end = data.find(b"\x1d", pos)
        stop = size if end < 0 else end + 1
        chunk = data[pos:stop]
        if end >= 0 and _declared_length(chunk) != len(chunk):
            inner = _inner_leader(chunk)
            if inner is not None:
                junk = chunk[:inner]
                if junk.strip(_PADDING):
                    yield Chunk(pos, junk, f"{len(junk)} bytes that are not a MARC record")
                pos, chunk = pos + inner, chunk[inner:]
        if end < 0:
            yield Chunk(pos, chunk, "truncated: the file ends before the record terminator")
        else:
            yield Chunk(pos, chunk)
        pos = stop


Decoder = Callable[[bytes], tuple[str, int]]


def _codec(encoding: str) -> Decoder:
    def decode(data: bytes) -> tuple[str, int]:
        try:
            return data.decode(encoding), 0
        except UnicodeDecodeError:
            kept = len(data.decode(encoding, "ignore").encode(encoding))
            return data.decode(encoding, "replace"), max(1, len(data) - kept)

    return decode


_utf8 = _codec("utf-8")
_cp932 = _codec("cp932")


_DECODERS: dict[str, Decoder] = {"UTF-8": _utf8, "MARC-8": decode_marc8, "CP932": _cp932}


@dataclass(slots=True)
class _RawField:
    tag: str
    data: bytes


def _parse_structure(chunk: bytes, warnings: list[str]) -> tuple[str, list[_RawField]]:
    if len(chunk) < 25:
        raise RecordError(f"too short to be a MARC record ({len(chunk)} bytes)")
    head = chunk[:24]
    if not head.isascii():
        raise RecordError("the leader is not 24 ASCII characters")
    leader = head.decode("ascii")
    length = _declared_length(chunk)
    if length != len(chunk):
        warnings.append(
            f"leader record length {leader[:5]!r} does not match the record terminator "
            f"(the record is {len(chunk)} bytes); read up to the terminator"
        )
    dir_end = chunk.find(b"\x1e", 24)
    if dir_end < 0:
        raise RecordError("no directory: the record has no field terminator")
    base = dir_end + 1
    if leader[12:17] != f"{base:05d}":
        warnings.append(
            f"base address {leader[12:17]!r} in the leader is wrong; the directory ends at "
            f"byte {dir_end}, so the data starts at {base}"
        )
    directory = chunk[24:dir_end]
    if not directory.isascii():
        raise RecordError("the directory contains bytes that are not ASCII")
    stray = len(directory) % 12
    if stray:
        warnings.append(f"the directory has {stray} stray byte(s) after its last entry; ignored")
    text = directory.decode("ascii")
    data_end = len(chunk) - 1 if chunk.endswith(b"\x1d") else len(chunk)
    entries: list[tuple[str, int, int]] = []
    for number, start in enumerate(range(0, len(text) - stray, 12), 1):
        entry = text[start : start + 12]
        tag, flen, foff = entry[:3], entry[3:7], entry[7:12]
        if not (flen.isdigit() and foff.isdigit()):
            raise RecordError(f"directory entry {number} ({entry!r}) is not numeric")
        entries.append((tag, base + int(foff), base + int(foff) + int(flen)))
    if not entries:
        raise RecordError("the record has no fields")
    if all(finish <= data_end and chunk[finish - 1] == 0x1E for _, _, finish in entries):
        return leader, [_RawField(tag, chunk[begin : finish - 1]) for tag, begin, finish in entries]
    # The lengths or offsets do not land on field terminators: read the fields by their
    # terminators instead, when there are exactly as many as directory entries.
    pieces = chunk[base:data_end].split(b"\x1e")
    if pieces and not pieces[-1]:
        pieces.pop()
    if len(pieces) == len(entries):
        warnings.append(
            "the directory lengths/offsets do not match the field terminators; "
            "fields read by their terminators"
        )
        return leader, [_RawField(e[0], piece) for e, piece in zip(entries, pieces, strict=True)]
    fields: list[_RawField] = []
    for number, (tag, begin, finish) in enumerate(entries, 1):
        if finish > data_end:
            raise RecordError(f"field {tag} (directory entry {number}) runs past the record end")
        raw = chunk[begin:finish]
        if raw.endswith(b"\x1e"):
            raw = raw[:-1]
        else:
            warnings.append(f"field {tag} has no field terminator")
        fields.append(_RawField(tag, raw))
    return leader, fields


def _choose_encoding(
    leader: str, body: bytes, fields: list[_RawField], warnings: list[str]
) -> tuple[str, tuple[int, int]]:
    """Pick the decoder name for the record; return it with (bad bytes, damaged fields)."""

    def damaged(name: str) -> tuple[int, int]:
        decoder = _DECODERS[name]
        bad_bytes = bad_fields = 0
        for raw in fields:
            errors = sum(decoder(part)[1] for part in raw.data.split(b"\x1f"))
            bad_bytes += errors
            bad_fields += 1 if errors else 0
        return bad_bytes, bad_fields

    declared = leader[9]
    if body.isascii() and 0x1B not in body:
        return "UTF-8", (0, 0)  # plain ASCII reads the same in every encoding
    utf8_ok = _utf8(body)[1] == 0
    if declared == "a":
        if utf8_ok:
            return "UTF-8", (0, 0)
        candidates = ["MARC-8", "CP932"]
        claim = "leader/09 says UTF-8 but the data is not valid UTF-8"
    else:
        if utf8_ok and not body.isascii():
            if declared != " ":
                warnings.append(f"leader/09 {declared!r} is not a known coding scheme")
            warnings.append("leader/09 says MARC-8 but the data is UTF-8; read as UTF-8")
            return "UTF-8", (0, 0)
        if damaged("MARC-8")[0] == 0:
            return "MARC-8", (0, 0)
        # ESC never occurs in CP932 text: a record with escapes is damaged MARC-8.
        candidates = [] if 0x1B in body else ["CP932"]
        claim = "the data is not valid MARC-8"
    for name in candidates:
        if damaged(name)[0] == 0:
            warnings.append(f"{claim}; read as {name}")
            return name, (0, 0)
    fallback = "UTF-8" if declared == "a" else "MARC-8"
    return fallback, damaged(fallback)


def _subfield(part: str, tag: str, warnings: list[str]) -> Subfield | None:
    code = part[0]
    if code.isascii() and code.isalnum():
        return Subfield(code, part[1:])
    folded = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode("ascii")
    if folded[:1].isalnum():
        fixed, value = folded[0], part[1:]
    elif len(part) > 1 and part[1].isascii() and part[1].isalnum():
        fixed, value = part[1], part[2:]
    else:
        fixed, value = "", ""
    if not fixed:
        warnings.append(f"field {tag}: subfield code {code!r} is not usable; subfield dropped")
        return None
    warnings.append(f"field {tag}: subfield code {code!r} is not ASCII; read as {fixed!r}")
    return Subfield(fixed, value)


def _indicators(text: str, tag: str, warnings: list[str]) -> Indicators:
    if len(text) != 2:
        warnings.append(f"field {tag}: {len(text)} indicator(s) instead of 2")
        text = (text + "  ")[:2]
    return Indicators(text[0], text[1])


def _build_field(raw: _RawField, decode: Decoder, utf8: bool, warnings: list[str]) -> Field:
    tag = raw.tag
    if tag.isdigit() and tag < "010":
        return Field(tag=tag, data=decode(raw.data)[0])
    subfields: list[Subfield] = []
    if utf8:  # the whole record is valid UTF-8: decode the field once (fast path)
        head, *texts = raw.data.decode("utf-8").split("\x1f")
        for text in texts:
            if text and "!" <= text[0] <= "~":
                subfields.append(Subfield(text[0], text[1:]))
            elif text and (fixed := _subfield(text, tag, warnings)) is not None:
                subfields.append(fixed)
        indicators = _indicators(head.encode("ascii", "replace").decode(), tag, warnings)
        return Field(tag=tag, indicators=indicators, subfields=subfields)
    first, *parts = raw.data.split(b"\x1f")
    for part in parts:
        if not part:
            continue
        if 0x21 <= part[0] <= 0x7E:
            subfields.append(Subfield(chr(part[0]), decode(part[1:])[0]))
        elif (fixed := _subfield(decode(part)[0], tag, warnings)) is not None:
            subfields.append(fixed)
    indicators = _indicators(first.decode("ascii", "replace"), tag, warnings)
    return Field(tag=tag, indicators=indicators, subfields=subfields)


def decode_record(chunk: bytes) -> tuple[Record, list[str]]:
    """Decode one ISO 2709 record into a unicode :class:`pymarc.Record` and its warnings.

    Raises :class:`RecordError` when the record cannot be used."""
    warnings: list[str] = []
    leader, raw_fields = _parse_structure(chunk, warnings)
    body = chunk[24:]
    name, (bad_bytes, bad_fields) = _choose_encoding(leader, body, raw_fields, warnings)
    if bad_bytes:
        damage = f"{bad_bytes} undecodable byte(s) in {bad_fields} field(s)"
        if bad_bytes > MAX_DAMAGE * len(body):
            raise RecordError(
                f"{damage} (leader/09 {leader[9]!r}); neither UTF-8, MARC-8 nor CP932 fits"
            )
        warnings.append(f"{damage} replaced by U+FFFD (read as {name})")
    decode = _DECODERS[name]
    record = Record()
    record.leader = Leader(leader)
    utf8 = name == "UTF-8" and not bad_bytes
    record.fields = [_build_field(raw, decode, utf8, warnings) for raw in raw_fields]
    return record, list(dict.fromkeys(warnings))
