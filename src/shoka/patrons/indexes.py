"""Blind indexes and search tokens for patrons (keyed with the index key; see ADR 0003)."""

from __future__ import annotations

import datetime as dt
import unicodedata

from shoka.security.crypto import active_blind_index, blind_indexes, search_token
from shoka.security.keyring import KeyRing, get_keyring

from .checkdigits import strip_codabar
from .contact import normalize_name, normalize_reading

CARD, PHONE, EMAIL, DUPLICATE = "card", "phone", "email", "duplicate"
NAME_GRAM, NAME_CHAR = "name-gram", "name-char"


def normalize_card(text: str) -> str:
    return strip_codabar(unicodedata.normalize("NFKC", text).strip()).replace(" ", "")


def card_index(card: str, ring: KeyRing | None = None) -> str:
    return active_blind_index(ring or get_keyring(), CARD, normalize_card(card))


def card_lookups(card: str) -> list[str]:
    return blind_indexes(get_keyring(), CARD, normalize_card(card))


def value_index(purpose: str, normalized: str | None, ring: KeyRing | None = None) -> str:
    return active_blind_index(ring or get_keyring(), purpose, normalized) if normalized else ""


def duplicate_key(name_kana: str, birth_date: dt.date | None) -> str | None:
    if not name_kana or birth_date is None:
        return None
    return f"{normalize_reading(name_kana)}|{birth_date.isoformat()}"


def grams(text: str) -> set[str]:
    """Character bigrams of a normalised string (a single character stays a unigram)."""
    if len(text) <= 1:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def name_tokens(name: str, name_kana: str, ring: KeyRing | None = None) -> set[str]:
    """Bigram tokens of the name and the reading, plus one token per character of the name
    (one-kanji surnames such as 林 or 森 are searched on their own)."""
    ring = ring or get_keyring()
    normal = normalize_name(name)
    found = grams(normal) | grams(normalize_reading(name_kana))
    return {search_token(ring, NAME_GRAM, g) for g in found} | {
        search_token(ring, NAME_CHAR, c) for c in set(normal)
    }


def query_tokens(query: str) -> list[tuple[set[str], str]]:
    """For a name-or-reading query: (tokens, normalised text) for the name reading of it and
    for the kana reading of it; a patron matches either when all tokens are present and the
    decrypted value contains the normalised text."""
    ring = get_keyring()
    forms = {normalize_name(query), normalize_reading(query)}
    return [
        (
            {
                search_token(ring, NAME_CHAR if len(form) == 1 else NAME_GRAM, g)
                for g in grams(form)
            },
            form,
        )
        for form in sorted(forms)
        if form
    ]
