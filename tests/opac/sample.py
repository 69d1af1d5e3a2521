"""A small public catalogue for the page tests and the browser test: two branches with a
published calendar (closed days of several kinds) and four records whose copies arrived on
different dates, one on loan and one for use in the library only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .conftest import public_branch, public_item, public_record

TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()  # the OPAC's time zone
EVERY_DAY = [["09:00", "19:00"]] * 6 + [["10:00", "17:00"]]  # Monday … Sunday
NO_SUNDAYS = [["09:00", "19:00"]] * 6 + [None]


def _days(hours: list[Any], closures: dict[int, tuple[str, str]]) -> list[dict[str, Any]]:
    """The published calendar, a week back to 60 days ahead: open by the weekly hours,
    closed on weekdays without hours (定休日) and on the given offsets from today."""
    days = []
    for offset in range(-7, 61):
        day = TODAY + timedelta(days=offset)
        usual = hours[day.weekday()]
        closed = closures.get(offset) or (("weekly", "") if usual is None else None)
        days.append(
            {
                "date": day.isoformat(),
                "open": closed is None,
                "opens": None if closed else usual[0],
                "closes": None if closed else usual[1],
                "closure": closed[0] if closed else "",
                "reason": closed[1] if closed else "",
            }
        )
    return days


def _branch(code: str, name: str, hours: list[Any], closures: dict[int, tuple[str, str]],
            **fields: Any) -> dict[str, Any]:  # fmt: skip
    branch = public_branch(code, name, hours=hours, **fields)
    branch["days"] = _days(hours, closures)
    return branch


STOCKTAKING = 3  # days from today: the central library closes for 蔵書点検
BRANCHES = [
    _branch(
        "main", "中央図書館", EVERY_DAY,
        {1: ("monthly", ""), STOCKTAKING: ("stocktaking", "蔵書点検のため")},
        name_en="Central Library", kind="main", address="東京都書架市本町1-1",
        phone="03-0000-0001", position=1,
    ),
    _branch(
        "east", "東分館", NO_SUNDAYS, {0: ("holiday", "")},
        name_en="East Branch", address="東京都書架市東町2-2", phone="03-0000-0002", position=2,
    ),
]  # fmt: skip

KOKORO, HISTORY, TAOCP, GURI = 101, 102, 103, 104
DUE = TODAY + timedelta(days=10)


def _ago(days: int) -> date:
    return TODAY - timedelta(days=days)


RECORDS = [
    public_record(
        KOKORO, "こころ", title_reading="ココロ", authors=[("夏目, 漱石", "ナツメ, ソウセキ")],
        responsibility="夏目漱石 著", publisher="新潮社", year=1952, ndc="913.6",
        isbns=["9784101010137"], hold_queue=2, loan_count=40,
        items=[
            public_item(1001, branch="main", branch_name="中央図書館", acquired_on=_ago(2)),
            public_item(1002, branch="east", branch_name="東分館", status="on_loan", due_on=DUE,
                        acquired_on=_ago(2)),
        ],
    ),
    public_record(
        HISTORY, "日本の歴史", title_reading="ニホン ノ レキシ", authors=[],
        publisher="中央公論社", year=1990, ndc="210", loan_count=5,
        items=[public_item(1003, branch="east", branch_name="東分館", call_number="210/ニ",
                           acquired_on=_ago(5))],
    ),
    public_record(
        TAOCP, "The art of computer programming", authors=[("Knuth, Donald E.", "")],
        language="eng", publisher="Addison-Wesley", year=1997, ndc="007.64", loan_count=1,
        items=[public_item(1004, call_number="007.64/K", loanable=False,
                           acquired_on=_ago(200))],
    ),
    public_record(
        GURI, "ぐりとぐら", title_reading="グリ ト グラ",
        authors=[("なかがわ りえこ", "ナカガワ, リエコ")],
        material_type="picture_book", publisher="福音館書店", year=1967, ndc="726.6",
        loan_count=90,
        items=[public_item(1005, call_number="E/ナ", acquired_on=_ago(2))],
    ),
]  # fmt: skip
