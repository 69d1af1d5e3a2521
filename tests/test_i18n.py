"""The Japanese catalogue is complete, compiled and used (docs/i18n.md).

The .po is read by a small parser here (no polib): every entry is translated and not fuzzy,
placeholders survive translation, and the committed .mo says the same as the .po."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

from shoka.circulation.policy import Refusal, RefusalCode

ROOT = Path(__file__).resolve().parents[1]
LC_MESSAGES = ROOT / "src" / "shoka" / "locale" / "ja" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        return f"{PO.name}:{self.line} {self.msgid!r}"


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def _unquote(text: str, lineno: int) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{PO.name}:{lineno}: expected a quoted string, got {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(text: str) -> tuple[dict[str, str], list[Entry]]:
    """The header's fields and the entries (obsolete `#~` entries are left out)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None  # the keyword that continuation lines extend
    started = False

    def finish() -> None:
        nonlocal current, target, started
        if started:
            entries.append(current)
        current, target, started = Entry(), None, False

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if started:
                finish()
            current.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            if started:
                finish()
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{PO.name}:{lineno}: string outside an entry")
            keyword, index = target
            value = _unquote(line, lineno)
            if keyword == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, keyword, getattr(current, keyword) + value)
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(.*)$", line)
        if not match:
            raise ValueError(f"{PO.name}:{lineno}: cannot parse {raw!r}")
        keyword, index, rest = match.group(1), int(match.group(2) or 0), match.group(3)
        if keyword in ("msgctxt", "msgid") and started and current.msgstr:
            finish()  # a new entry without a blank line before it
        if not started:
            current.line, started = lineno, True
        value = _unquote(rest, lineno)
        if keyword == "msgstr":
            current.msgstr[index] = value
        else:
            setattr(current, keyword, value)
        target = (keyword, index)
    finish()

    header: dict[str, str] = {}
    body = []
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            for field_line in entry.msgstr.get(0, "").splitlines():
                key, _, value = field_line.partition(":")
                header[key.strip()] = value.strip()
            header["#flags"] = ",".join(sorted(entry.flags))
        else:
            body.append(entry)
    return header, body


HEADER, ENTRIES = parse_po(PO.read_text(encoding="utf-8"))


def _ids(entries: list[Entry]) -> list[str]:
    return [e.label for e in entries]


def test_the_parser_reads_multi_line_and_escaped_strings():
    header, entries = parse_po(
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"two "\n"lines %(n)s"\n'
        'msgstr "二行 \\"%(n)s\\""\n\n'
        '#~ msgid "old"\n#~ msgstr "古い"\n'
    )
    assert header["Language"] == "ja"
    [entry] = entries
    assert entry.msgid == "two lines %(n)s"
    assert entry.msgstr == {0: '二行 "%(n)s"'}
    assert entry.flags == {"fuzzy", "python-format"}


def test_the_catalogue_is_not_empty():
    assert len(ENTRIES) > 100


def test_the_header_declares_japanese():
    assert HEADER["Language"] == "ja"
    assert HEADER["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in HEADER["Content-Type"]
    assert "fuzzy" not in HEADER["#flags"]


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_every_entry_is_translated_and_not_fuzzy(entry):
    assert "fuzzy" not in entry.flags
    expected_forms = 1  # Plural-Forms: nplurals=1
    assert sorted(entry.msgstr) == list(range(expected_forms))
    assert all(s.strip() for s in entry.msgstr.values())


def test_msgids_are_unique():
    keys = [(e.msgctxt, e.msgid) for e in ENTRIES]
    assert len(keys) == len(set(keys))


_BRACE = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")
_PERCENT = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _placeholders(text: str) -> tuple[set[str], set[str]]:
    return set(_BRACE.findall(text)), set(_PERCENT.findall(text))


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_placeholders_survive_translation(entry):
    # With one plural form (ja), the translation follows the English plural.
    expected = _placeholders(entry.msgid_plural or entry.msgid)
    for translated in entry.msgstr.values():
        assert _placeholders(translated) == expected, translated


def test_the_python_brace_format_entries_are_checked():
    # The refusal messages carry {placeholders}; make sure the regex sees them.
    assert any(_placeholders(e.msgid)[0] for e in ENTRIES)
    assert any(_placeholders(e.msgid)[1] for e in ENTRIES)


@pytest.fixture(scope="module")
def compiled() -> gettext.GNUTranslations:
    with MO.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def test_the_compiled_catalogue_is_japanese(compiled):
    assert compiled.info()["language"] == "ja"


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_the_compiled_catalogue_matches_the_po(compiled, entry):
    """The .mo is committed (docs/i18n.md); after editing the .po, run compilemessages."""
    if entry.msgid_plural is not None:  # nplurals=1: every count uses msgstr[0]
        got = [
            compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if entry.msgctxt is not None
            else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            for n in (1, 2)
        ]
    else:
        got = [
            compiled.pgettext(entry.msgctxt, entry.msgid)
            if entry.msgctxt is not None
            else compiled.gettext(entry.msgid)
        ]
    assert all(g == entry.msgstr[0] for g in got), (
        "django.mo is stale: run compilemessages (docs/i18n.md)"
    )


def test_refusal_messages_follow_the_active_language():
    refusal = Refusal(RefusalCode.LIMIT_TOTAL, {"limit": 10})
    with translation.override("ja"):
        ja = refusal.message
    with translation.override("en"):
        en = refusal.message
    assert en == "The limit of 10 items on loan is reached."
    assert "10" in ja
    assert "貸出" in ja
    assert ja != en
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja)


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("ja", "ログイン", "Sign in"),
        ("en", "Sign in", "ログイン"),
    ],
)
def test_the_sign_in_page_follows_the_browser_language(db, client, language, shown, not_shown):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{shown}</h1>" in html
    assert not_shown not in html
