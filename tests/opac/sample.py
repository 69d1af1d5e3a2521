"""A small public catalogue for the page tests and the browser test: two branches with a
published calendar (closed days of several kinds) and four records whose copies arrived on
different dates, one on loan and one for use in the library only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .conftest import public_branch, public_item, public_record

TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
HOURS = [["09:00", "19:00"]] * 5 + [["10:00", "17:00"], None]  # Monday … Sunday


def _days(kind_by_offset: dict[int, tuple[str, str]]) -> list[dict[str, Any]]:
    """Published calendar days from a week back to 40 days ahead; the offsets given are
    closed with (closure kind, reason)."""
    days = []
    for offset in range(-7, 41):
        day = TODAY + timedelta(days=offset)
        closed = kind_by_offset.get(offset)
        days.append(
            {
                "date": day.isoformat(),
                "is_open": closed is None,
                "opens": None if closed else "09:00",
                "closes": None if closed else "19:00",
                "closure": closed[0] if closed else "",
                "reason": closed[1] if closed else "",
            }
        )
    return days


BRANCHES = [
    public_branch(
        "main",
        name="中央図書館",
        name_en="Central Library",
        kind="main",
        address="東京都書架市本町1-1",
        phone="03-0000-0001",
        hours=HOURS,
        position=1,
        days=_days({1: ("weekly", ""), 3: ("stocktaking", "蔵書点検のため")}),
    ),
    public_branch(
        "east",
        name="東分館",
        name_en="East Branch",
        kind="branch",
        address="東京都書架市東町2-2",
        phone="03-0000-0002",
        hours=HOURS,
        position=2,
        days=_days({0: ("holiday", "")}),
    ),
]

KOKORO, HISTORY, TAOCP, GURI = 101, 102, 103, 104
DUE = TODAY + timedelta(days=10)
RECORDS = [
    public_record(
        KOKORO,
        "こころ",
        title_reading="ココロ",
        authors=[{"name": "夏目, 漱石", "reading": "ナツメ, ソウセキ"}],
        responsibility="夏目漱石 著",
        publisher="新潮社",
        year=1952,
        ndc="913.6",
        isbns=["9784101010137"],
        hold_queue=2,
        loan_count=40,
        items=[
            public_item(
                1001,
                branch="main",
                branch_name="中央図書館",
                call_number="913.6/ナ",
                status="available",
                acquired_on=(TODAY - timedelta(days=2)).isoformat(),
            ),
            public_item(
                1002,
                branch="east",
                branch_name="東分館",
                call_number="913.6/ナ",
                status="on_loan",
                due_on=DUE.isoformat(),
                acquired_on=(TODAY - timedelta(days=2)).isoformat(),
            ),
        ],
    ),
    public_record(
        HISTORY,
        "日本の歴史",
        title_reading="ニホン ノ レキシ",
        publisher="中央公論社",
        year=1990,
        ndc="210",
        loan_count=5,
        items=[
            public_item(
                1003,
                branch="east",
                branch_name="東分館",
                call_number="210/ニ",
                status="available",
                acquired_on=(TODAY - timedelta(days=5)).isoformat(),
            ),
        ],
    ),
    public_record(
        TAOCP,
        "The art of computer programming",
        language="eng",
        publisher="Addison-Wesley",
        year=1997,
        ndc="007.64",
        loan_count=1,
        items=[
            public_item(
                1004,
                branch="main",
                branch_name="中央図書館",
                call_number="007.64/K",
                status="available",
                loanable=False,
                acquired_on=(TODAY - timedelta(days=200)).isoformat(),
            ),
        ],
    ),
    public_record(
        GURI,
        "ぐりとぐら",
        title_reading="グリ ト グラ",
        material_type="picture_book",
        publisher="福音館書店",
        year=1967,
        ndc="726.6",
        loan_count=90,
        items=[
            public_item(
                1005,
                branch="main",
                branch_name="中央図書館",
                call_number="E/ナ",
                status="available",
                acquired_on=(TODAY - timedelta(days=2)).isoformat(),
            ),
        ],
    ),
]
