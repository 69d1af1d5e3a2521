"""Sample pages of the notices for docs/screenshots/notices/ (synthetic people only).

    python -m shoka.devtools.notice_samples docs/screenshots/notices

Lays out a letter, a child's letter and a postcard from made-up data with shoka.notices.pdf
and renders each page to PNG with poppler's pdftoppm (the PDF goes through a pipe; no PDF
file is written)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

from shoka.notices.pdf import Letter, Postcard, document

SENDER = "書架市立図書館\n〒390-0000 長野県松本市本町1-1\n電話 0263-00-0000"
ITEMS = (
    "・架空の本 第一巻（資料番号 200001、返却期限 2026年5月19日）\n"
    "・見本の図鑑（資料番号 200002、返却期限 2026年5月19日）"
)


def samples() -> dict[str, bytes]:
    day = dt.date(2026, 6, 2)
    letter = Letter(
        postal_code="3900811",
        address="長野県松本市中央1丁目1-1 見本マンション101",
        name="見本 花子",
        child_name="",
        date=day,
        sender=SENDER,
        subject="資料の返却について（お願い）",
        body="見本 花子 様\n\nいつも書架市立図書館をご利用いただきありがとうございます。\n"
        "次の資料の返却期限が過ぎています。お早めにご返却ください。\n\n" + ITEMS,
    )
    child = Letter(
        postal_code="3900811",
        address="長野県松本市中央1丁目1-1",
        name="見本 一郎",
        child_name="見本 けん",
        date=day,
        sender=SENDER,
        subject="本の返却についてのお願い",
        body="見本 けんさんの保護者様\n\n見本 けんさんがお借りになっている次の本が、返却の日を"
        "過ぎています。お手すきのときに、いっしょに返しに来てくださいね。\n\n" + ITEMS,
    )
    card = Postcard(
        postal_code="3900811",
        address="長野県松本市中央1丁目1-1 見本マンション101",
        name="見本 花子",
        child_name="",
        sender=SENDER,
        message="返却のお願い\n\n見本 花子 様\n\nお借りの資料2点の返却期限（2026年5月19日）が"
        "過ぎています。お早めにご返却ください。資料名は図書館でお確かめいただけます。",
    )
    return {
        "letter": document([letter], title="sample letter"),
        "letter-child": document([child], title="sample letter"),
        "postcard": document([card], title="sample postcard"),
    }


def main(out: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        sys.exit("pdftoppm (poppler-utils) is needed")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in samples().items():
        subprocess.run(  # noqa: S603 — poppler with our own arguments
            [pdftoppm, "-png", "-r", "60", "-", str(out / name)], input=data, check=True
        )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/notices"))
