"""Synthetic bibliographic records for ``shoka demo`` (pure data: no Django, no database).

:func:`generate_bibs` returns plain frozen :class:`DemoBib` records, deterministic for a seed
(and a given Faker version). About 85 % are Japanese records shaped like JAPAN/MARC: title in
kanji/kana with its reading (ヨミ) in katakana, words separated by single spaces, following the
NDL reading rules that matter here (the particles は/へ/を are read ワ/エ/オ, ヂ/ヅ become
ジ/ズ, Arabic numerals stay digits: 「第3巻」 → 「ダイ3カン」). About 15 % are English books
(Faker ``en_US`` words), which have no reading.

Everything is invented: titles are composed from a hand-made vocabulary of common words, the
publishers are fictional (any resemblance to a real one is accidental), people's names come
from Faker ``ja_JP`` / ``en_US`` at run time. ISBNs are *valid* (978-4 prefix, correct check
digit, registrant codes taken from the group-4 ranges so hyphenation works) and unique within
one generated set, but they are synthetic: some will coincide with real books' ISBNs, so never
send demo ISBNs to an outside service and treat look-up results as noise.

Conventions (documented choices):

* ``DemoAuthor.name`` is the name as printed with one half-width space between family and
  given name (``"姓 名"``); ``reading`` / ``heading`` are the JAPAN/MARC access-point forms
  ``"セイ, メイ"`` / ``"姓, 名"``. Translated authors are printed ``"名・姓"`` in katakana with
  heading and reading ``"姓, 名"``; English authors are ``"Given Family"`` / ``"Family, Given"``
  with an empty reading. The statement of responsibility transcribes Japanese names without
  the space (``"姓名 著 ; 姓名 訳"``), functions separated by ``" ; "``.
* ISBNs are given as 13 digits without hyphens. Books before 1981 (ISBN came to Japan in 1981)
  have none, nor do about 5 % of 1981–1999 books (private and local publications), magazines,
  CDs, DVDs and DAISY. The first volume of a multi-volume set also carries the set ISBN, so
  every ISBN belongs to exactly one record.
* Each publisher's ISBN range allows generating up to about 200,000 records per set.
* ``ndc_edition`` is ``"10"`` for books published from 2019, else ``"9"``.
* Picture books have NDC ``726.6`` (shelved as ``E``), kamishibai ``779.8`` (shelved as ``K``).
* Literary works (fiction, essays, poetry, picture books, kamishibai) get no subject
  headings, as in NDL practice; non-fiction gets NDLSH-like headings from the vocabulary.
* Call numbers: see :func:`call_number`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from faker import Faker

__all__ = [
    "MATERIAL_TYPES",
    "ROLES",
    "DemoAuthor",
    "DemoBib",
    "call_number",
    "generate_bibs",
    "is_valid_isbn13",
    "isbn13_check_digit",
]

MATERIAL_TYPES: Final = (
    "book",
    "picture_book",
    "kamishibai",
    "large_print",
    "magazine",
    "cd",
    "dvd",
    "daisy",
)

#: Roles used in ``DemoAuthor.role`` (as they appear in the statement of responsibility).
ROLES: Final = {
    "著": "author",
    "編": "editor",
    "文": "author of the text (picture books)",
    "絵": "illustrator",
    "作・絵": "author and illustrator (picture books)",
    "脚本": "script (kamishibai)",
    "訳": "translator",
    "監修": "supervising editor",
}

FIRST_ISBN_YEAR: Final = 1981
NDC10_FROM_YEAR: Final = 2019
MIN_YEAR: Final = 1970
MAX_YEAR: Final = 2026


@dataclass(frozen=True, slots=True)
class DemoAuthor:
    """A contributor: ``name`` as printed, JAPAN/MARC ``reading`` and ``heading``, ``role``."""

    name: str
    reading: str
    heading: str
    role: str


@dataclass(frozen=True, slots=True)
class DemoBib:
    """One synthetic bibliographic record.

    ``title`` is the title proper (MARC 245 $a); ``subtitle`` the other title information ($b)
    and ``volume`` the part designation as printed (``"第3巻"``, ``"上"``, ``"2025年4月号"``),
    each with its reading (empty strings when absent). ``volume_number`` is the number put on
    the spine label (None when there is none). Strings that do not apply are empty, never None.
    """

    title: str
    title_reading: str
    subtitle: str
    subtitle_reading: str
    volume: str
    volume_reading: str
    volume_number: int | None
    responsibility: str
    authors: tuple[DemoAuthor, ...]
    publisher: str
    publisher_reading: str
    year: int
    isbns: tuple[str, ...]
    ndc: str
    ndc_edition: str
    subjects: tuple[str, ...]
    material_type: str
    language: str
    series: str
    series_reading: str
    series_number: str
    notes: tuple[str, ...]
    author_mark: str
    juvenile: bool

    @property
    def full_title(self) -> str:
        """Title, volume and subtitle in ISBD order: ``"日本の歴史 第3巻 : 戦国の世"``."""
        text = self.title
        if self.volume:
            text += f" {self.volume}"
        if self.subtitle:
            text += f" : {self.subtitle}"
        return text


# --------------------------------------------------------------------------------------------
# Small helpers


def isbn13_check_digit(first12: str) -> str:
    """Return the ISBN-13 check digit for the first 12 digits (weights 1, 3, 1, 3, …)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"expected 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_isbn13(isbn: str) -> bool:
    """True for 13 digits with a correct check digit and a 978/979 prefix."""
    return (
        len(isbn) == 13
        and isbn.isdigit()
        and isbn[:3] in ("978", "979")
        and isbn13_check_digit(isbn[:12]) == isbn[12]
    )


_HIRA_TO_KATA: Final = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_KATAKANA_RE: Final = re.compile(r"[ァ-ヶ]")


def _kata(text: str) -> str:
    """Hiragana → katakana reading, with the NDL rule ヂ→ジ, ヅ→ズ."""
    return text.translate(_HIRA_TO_KATA).replace("ヂ", "ジ").replace("ヅ", "ズ")


def _clean(reading: str) -> str:
    return " ".join(reading.split())


def _ndc(digits: str) -> str:
    """Format NDC digits: pad to 3 digits, put the point after the third (``2152`` → 215.2)."""
    digits = digits.ljust(3, "0")
    return digits if len(digits) == 3 else f"{digits[:3]}.{digits[3:]}"


def _with_form(ndc: str, form: str) -> str:
    """Add an NDC form division (``02`` history, ``033`` dictionaries, ``038`` pictorial works).

    Classes that already have a decimal part are kept as they are.
    """
    if "." in ndc:
        return ndc
    return _ndc((ndc.rstrip("0") or "0") + form)


def _first_katakana(reading: str) -> str:
    match = _KATAKANA_RE.search(reading)
    return match.group() if match else ""


# --------------------------------------------------------------------------------------------
# Vocabulary. Topic rows: (word, reading, NDC, subject heading or "" for the word, flags);
# flag "k" marks topics that also suit children's non-fiction.

_TOPICS: Final[tuple[tuple[str, str, str, str, str], ...]] = (
    # 0 general works
    ("図書館", "トショカン", "010", "", "k"),
    ("読書", "ドクショ", "019", "", ""),
    ("情報", "ジョウホウ", "007", "", ""),
    ("コンピュータ", "コンピュータ", "548.2", "", "k"),
    ("インターネット", "インターネット", "547.48", "", ""),
    ("プログラミング", "プログラミング", "007.64", "", "k"),
    ("人工知能", "ジンコウ チノウ", "007.13", "", ""),
    ("新聞", "シンブン", "070", "", "k"),
    # 1 philosophy, psychology, religion
    ("哲学", "テツガク", "100", "", ""),
    ("心理学", "シンリガク", "140", "", ""),
    ("こころ", "ココロ", "141", "心理学", "k"),
    ("幸福", "コウフク", "151.6", "", ""),
    ("占い", "ウラナイ", "148", "", ""),
    ("人生", "ジンセイ", "159", "人生訓", ""),
    ("生き方", "イキカタ", "159", "人生訓", ""),
    ("仏教", "ブッキョウ", "180", "", ""),
    ("禅", "ゼン", "188.8", "", ""),
    ("神社", "ジンジャ", "175", "", ""),
    # 2 history, biography, geography
    ("日本史", "ニホンシ", "210", "日本--歴史", ""),
    ("世界史", "セカイシ", "209", "", ""),
    ("戦国時代", "センゴク ジダイ", "210.47", "日本--歴史--戦国時代", "k"),
    ("江戸時代", "エド ジダイ", "210.5", "日本--歴史--江戸時代", "k"),
    ("縄文時代", "ジョウモン ジダイ", "210.25", "日本--歴史--縄文時代", "k"),
    ("明治維新", "メイジ イシン", "210.61", "", ""),
    ("城", "シロ", "521.82", "城", "k"),
    ("古墳", "コフン", "210.32", "", "k"),
    ("伝記", "デンキ", "280", "", "k"),
    ("地図", "チズ", "448.9", "", "k"),
    ("温泉", "オンセン", "291.09", "", ""),
    # 3 social sciences
    ("経済", "ケイザイ", "330", "", ""),
    ("お金", "オカネ", "337", "貨幣", "k"),
    ("政治", "セイジ", "310", "", ""),
    ("法律", "ホウリツ", "320", "", ""),
    ("憲法", "ケンポウ", "323.14", "", ""),
    ("選挙", "センキョ", "314.8", "", "k"),
    ("仕事", "シゴト", "366.29", "職業", "k"),
    ("働き方", "ハタラキカタ", "366", "労働", ""),
    ("経営", "ケイエイ", "335", "", ""),
    ("広告", "コウコク", "674", "", ""),
    ("観光", "カンコウ", "689", "", ""),
    ("統計", "トウケイ", "350", "", ""),
    ("福祉", "フクシ", "369", "社会福祉", ""),
    ("介護", "カイゴ", "369.26", "", ""),
    ("年金", "ネンキン", "364.6", "", ""),
    ("相続", "ソウゾク", "324.7", "", ""),
    ("子育て", "コソダテ", "599", "育児", ""),
    ("教育", "キョウイク", "370", "", ""),
    ("学校", "ガッコウ", "374", "", "k"),
    ("防災", "ボウサイ", "369.3", "", "k"),
    ("環境", "カンキョウ", "519", "環境問題", "k"),
    ("平和", "ヘイワ", "319.8", "", "k"),
    ("人権", "ジンケン", "316.1", "", ""),
    ("妖怪", "ヨウカイ", "388.1", "", "k"),
    ("着物", "キモノ", "383.1", "", ""),
    ("ことわざ", "コトワザ", "388.81", "", "k"),
    ("忍者", "ニンジャ", "789.8", "", "k"),
    # 4 natural sciences, medicine
    ("科学", "カガク", "400", "", "k"),
    ("数学", "スウガク", "410", "", ""),
    ("算数", "サンスウ", "410", "数学", "k"),
    ("物理", "ブツリ", "420", "物理学", ""),
    ("化学", "カガク", "430", "", ""),
    ("光", "ヒカリ", "425", "", "k"),
    ("電気", "デンキ", "427", "", "k"),
    ("磁石", "ジシャク", "427.8", "", "k"),
    ("実験", "ジッケン", "407", "科学実験", "k"),
    ("自由研究", "ジユウ ケンキュウ", "407", "科学実験", "k"),
    ("宇宙", "ウチュウ", "440", "", "k"),
    ("星座", "セイザ", "443.8", "", "k"),
    ("太陽", "タイヨウ", "444", "", "k"),
    ("月", "ツキ", "446", "", "k"),
    ("地球", "チキュウ", "450", "地球科学", "k"),
    ("天気", "テンキ", "451", "気象", "k"),
    ("雲", "クモ", "451.61", "", "k"),
    ("地震", "ジシン", "453", "", "k"),
    ("火山", "カザン", "453.8", "", "k"),
    ("化石", "カセキ", "457", "", "k"),
    ("恐竜", "キョウリュウ", "457.87", "", "k"),
    ("石", "イシ", "458", "岩石", "k"),
    ("生き物", "イキモノ", "460", "生物", "k"),
    ("遺伝子", "イデンシ", "467.3", "", ""),
    ("進化", "シンカ", "467.5", "", ""),
    ("植物", "ショクブツ", "470", "", "k"),
    ("野草", "ヤソウ", "472.1", "", ""),
    ("樹木", "ジュモク", "653.21", "", ""),
    ("きのこ", "キノコ", "474.85", "", "k"),
    ("動物", "ドウブツ", "480", "", "k"),
    ("昆虫", "コンチュウ", "486", "", "k"),
    ("魚", "サカナ", "487.5", "魚類", "k"),
    ("鳥", "トリ", "488", "鳥類", "k"),
    ("人体", "ジンタイ", "491.3", "", "k"),
    ("からだ", "カラダ", "491.3", "人体", "k"),
    ("脳", "ノウ", "491.371", "", ""),
    ("健康", "ケンコウ", "498.3", "健康法", ""),
    ("睡眠", "スイミン", "498.36", "", ""),
    ("認知症", "ニンチショウ", "493.75", "", ""),
    ("薬", "クスリ", "499", "医薬品", ""),
    ("ヨガ", "ヨガ", "498.34", "", ""),
    # 5 technology, home economics
    ("ロボット", "ロボット", "548.3", "", "k"),
    ("自動車", "ジドウシャ", "537", "", "k"),
    ("電車", "デンシャ", "546", "電車", "k"),
    ("鉄道", "テツドウ", "686", "", "k"),
    ("飛行機", "ヒコウキ", "538.6", "", "k"),
    ("船", "フネ", "550", "船舶", "k"),
    ("建築", "ケンチク", "520", "", ""),
    ("住まい", "スマイ", "527", "住宅", ""),
    ("料理", "リョウリ", "596", "", "k"),
    ("お菓子", "オカシ", "596.65", "菓子", "k"),
    ("パン", "パン", "596.63", "", ""),
    ("和食", "ワショク", "596.21", "料理 (日本)", ""),
    ("お弁当", "オベントウ", "596.4", "弁当", ""),
    ("手芸", "シュゲイ", "594", "", ""),
    ("編み物", "アミモノ", "594.3", "", ""),
    ("片付け", "カタズケ", "597.5", "整理収納", ""),
    ("収納", "シュウノウ", "597.5", "整理収納", ""),
    ("掃除", "ソウジ", "597.9", "", ""),
    ("家事", "カジ", "590", "家政", ""),
    ("家計", "カケイ", "591", "", ""),
    ("化粧", "ケショウ", "595.5", "", ""),
    # 6 industry
    ("農業", "ノウギョウ", "610", "", "k"),
    ("米", "コメ", "616.2", "", "k"),
    ("野菜", "ヤサイ", "626", "", "k"),
    ("家庭菜園", "カテイ サイエン", "626.9", "", ""),
    ("園芸", "エンゲイ", "620", "", ""),
    ("バラ", "バラ", "627.77", "", ""),
    ("盆栽", "ボンサイ", "627.8", "", ""),
    ("犬", "イヌ", "645.6", "", "k"),
    ("猫", "ネコ", "645.7", "", "k"),
    ("金魚", "キンギョ", "666.9", "", "k"),
    ("漁業", "ギョギョウ", "660", "", ""),
    # 7 arts, sports
    ("美術", "ビジュツ", "700", "", ""),
    ("絵画", "カイガ", "720", "", ""),
    ("水彩画", "スイサイガ", "724.4", "", ""),
    ("漫画", "マンガ", "726.1", "", "k"),
    ("書道", "ショドウ", "728", "", "k"),
    ("写真", "シャシン", "740", "", ""),
    ("陶芸", "トウゲイ", "751.1", "", ""),
    ("工作", "コウサク", "750", "", "k"),
    ("折り紙", "オリガミ", "754.9", "", "k"),
    ("音楽", "オンガク", "760", "", "k"),
    ("ピアノ", "ピアノ", "763.2", "", "k"),
    ("ギター", "ギター", "763.55", "", ""),
    ("合唱", "ガッショウ", "767.4", "", ""),
    ("映画", "エイガ", "778", "", ""),
    ("演劇", "エンゲキ", "770", "", ""),
    ("落語", "ラクゴ", "779.13", "", "k"),
    ("茶道", "サドウ", "791", "", ""),
    ("華道", "カドウ", "793", "", ""),
    ("庭", "ニワ", "629.21", "庭園", ""),
    ("囲碁", "イゴ", "795", "", ""),
    ("将棋", "ショウギ", "796", "", "k"),
    ("野球", "ヤキュウ", "783.7", "", "k"),
    ("サッカー", "サッカー", "783.47", "", "k"),
    ("マラソン", "マラソン", "782.3", "", ""),
    ("水泳", "スイエイ", "785.2", "", "k"),
    ("スキー", "スキー", "784.3", "", ""),
    ("体操", "タイソウ", "781", "", "k"),
    ("登山", "トザン", "786.1", "", ""),
    ("キャンプ", "キャンプ", "786.3", "", "k"),
    ("釣り", "ツリ", "787.1", "", ""),
    # 8 language
    ("日本語", "ニホンゴ", "810", "", ""),
    ("漢字", "カンジ", "811.2", "", "k"),
    ("敬語", "ケイゴ", "815.8", "", ""),
    ("文章", "ブンショウ", "816", "文章読本", ""),
    ("手紙", "テガミ", "816.6", "", ""),
    ("英語", "エイゴ", "830", "", "k"),
    ("英会話", "エイカイワ", "837.8", "", ""),
    ("中国語", "チュウゴクゴ", "820", "", ""),
    ("韓国語", "カンコクゴ", "829.1", "朝鮮語", ""),
    # 9 literature (works about it)
    ("俳句", "ハイク", "911.3", "", ""),
    ("短歌", "タンカ", "911.1", "", ""),
    ("詩", "シ", "911.5", "", "k"),
    ("古典", "コテン", "910.2", "日本文学--歴史", ""),
    ("源氏物語", "ゲンジ モノガタリ", "913.36", "", ""),
)

# Geographic topics: (word, reading, NDC base, NDC for the whole world, subject, place first).
_GEO_TOPICS: Final[tuple[tuple[str, str, str, str, str, bool], ...]] = (
    ("歴史", "レキシ", "2", "209", "歴史", True),
    ("旅", "タビ", "29", "290", "紀行・案内記", True),
    ("地理", "チリ", "29", "290", "地理", True),
    ("文化", "ブンカ", "302", "302", "社会", True),
    ("昔話", "ムカシバナシ", "388", "388", "昔話", False),
    ("民話", "ミンワ", "388", "388", "民話", False),
    ("自然", "シゼン", "462", "462", "生物", False),
    ("祭り", "マツリ", "386", "386", "祭礼", False),
)

# Places: (word, reading, NDC geographic code ("" = the world), heading, weight). Local places
# (the demo library is in Nagano prefecture) weigh more.
_PLACES: Final[tuple[tuple[str, str, str, str, int], ...]] = (
    ("日本", "ニホン", "1", "日本", 12),
    ("世界", "セカイ", "", "世界", 6),
    ("信州", "シンシュウ", "152", "長野県", 8),
    ("松本", "マツモト", "152", "松本市", 6),
    ("安曇野", "アズミノ", "152", "安曇野市", 3),
    ("木曽", "キソ", "152", "木曽郡", 2),
    ("諏訪", "スワ", "152", "諏訪市", 2),
    ("上高地", "カミコウチ", "152", "上高地", 1),
    ("京都", "キョウト", "162", "京都市", 3),
    ("奈良", "ナラ", "165", "奈良県", 2),
    ("東京", "トウキョウ", "136", "東京都", 3),
    ("北海道", "ホッカイドウ", "11", "北海道", 2),
    ("沖縄", "オキナワ", "199", "沖縄県", 2),
    ("九州", "キュウシュウ", "19", "九州地方", 1),
    ("アジア", "アジア", "2", "アジア", 2),
    ("ヨーロッパ", "ヨーロッパ", "3", "ヨーロッパ", 2),
    ("アフリカ", "アフリカ", "4", "アフリカ", 1),
)
_LOCAL_NDC_AREA: Final = "152"

# Non-fiction title patterns: (title, reading, form division, subject subdivision).
_ADULT_PATTERNS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("{w}入門", "{r} ニュウモン", "", ""),
    ("はじめての{w}", "ハジメテ ノ {r}", "", ""),
    ("やさしい{w}", "ヤサシイ {r}", "", ""),
    ("よくわかる{w}", "ヨク ワカル {r}", "", ""),
    ("図解{w}", "ズカイ {r}", "", ""),
    ("{w}のきほん", "{r} ノ キホン", "", ""),
    ("{w}の世界", "{r} ノ セカイ", "", ""),
    ("{w}のすすめ", "{r} ノ ススメ", "", ""),
    ("{w}を楽しむ", "{r} オ タノシム", "", ""),
    ("{w}のある暮らし", "{r} ノ アル クラシ", "", ""),
    ("{w}の教科書", "{r} ノ キョウカショ", "", ""),
    ("{w}の基礎知識", "{r} ノ キソ チシキ", "", ""),
    ("{w}の話", "{r} ノ ハナシ", "", ""),
    ("{w}がわかる本", "{r} ガ ワカル ホン", "", ""),
    ("{w}の常識", "{r} ノ ジョウシキ", "", ""),
    ("{w}のコツ", "{r} ノ コツ", "", ""),
    ("{w}のすべて", "{r} ノ スベテ", "", ""),
    ("新しい{w}", "アタラシイ {r}", "", ""),
    ("{w}講座", "{r} コウザ", "", ""),
    ("{w}ハンドブック", "{r} ハンドブック", "", ""),
    ("{w}の本", "{r} ノ ホン", "", ""),
    ("ひとりで学ぶ{w}", "ヒトリ デ マナブ {r}", "", ""),
    ("人生が変わる{w}", "ジンセイ ガ カワル {r}", "", ""),
    ("{w}100の知恵", "{r} 100 ノ チエ", "", ""),
    ("{n}歳からの{w}", "{n}サイ カラ ノ {r}", "", ""),
    ("{w}と{w2}", "{r} ト {r2}", "", ""),
    ("{w}の歴史", "{r} ノ レキシ", "02", "歴史"),
    ("{w}事典", "{r} ジテン", "033", "辞典"),
)
_KIDS_PATTERNS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("{w}のひみつ", "{r} ノ ヒミツ", "", ""),
    ("{w}のふしぎ", "{r} ノ フシギ", "", ""),
    ("{w}のなぞ", "{r} ノ ナゾ", "", ""),
    ("はじめての{w}", "ハジメテ ノ {r}", "", ""),
    ("しらべよう！{w}", "シラベヨウ {r}", "", ""),
    ("まんがでわかる{w}", "マンガ デ ワカル {r}", "", ""),
    ("こども{w}教室", "コドモ {r} キョウシツ", "", ""),
    ("{w}図鑑", "{r} ズカン", "038", "図鑑"),
    ("{w}大図鑑", "{r} ダイズカン", "038", "図鑑"),
)
_GEO_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    ("{p}の{w}", "{pr} ノ {r}"),
    ("{p}の{w}", "{pr} ノ {r}"),
    ("図説{p}の{w}", "ズセツ {pr} ノ {r}"),
    ("{p}の{w}をたずねて", "{pr} ノ {r} オ タズネテ"),
    ("ふるさと{p}の{w}", "フルサト {pr} ノ {r}"),
)
_SUBTITLES: Final[tuple[tuple[str, str], ...]] = (
    ("基礎から応用まで", "キソ カラ オウヨウ マデ"),
    ("家族で楽しむ", "カゾク デ タノシム"),
    ("今日から始める", "キョウ カラ ハジメル"),
    ("決定版", "ケッテイバン"),
    ("最新版", "サイシンバン"),
    ("オールカラー", "オール カラー"),
    ("はじめてでも安心", "ハジメテ デモ アンシン"),
    ("プロが教える", "プロ ガ オシエル"),
    ("親子で学ぶ", "オヤコ デ マナブ"),
    ("図解でよくわかる", "ズカイ デ ヨク ワカル"),
    ("いまさら聞けない", "イマサラ キケナイ"),
    ("暮らしに役立つ", "クラシ ニ ヤクダツ"),
    ("一生使える", "イッショウ ツカエル"),
    ("知っておきたい{n}のポイント", "シッテ オキタイ {n} ノ ポイント"),
)

# Fiction vocabulary.
_NOUNS: Final[tuple[tuple[str, str], ...]] = (
    ("夏", "ナツ"),
    ("冬", "フユ"),
    ("春", "ハル"),
    ("秋", "アキ"),
    ("月", "ツキ"),
    ("星", "ホシ"),
    ("海", "ウミ"),
    ("空", "ソラ"),
    ("風", "カゼ"),
    ("雨", "アメ"),
    ("雪", "ユキ"),
    ("花", "ハナ"),
    ("森", "モリ"),
    ("庭", "ニワ"),
    ("夜", "ヨル"),
    ("朝", "アサ"),
    ("光", "ヒカリ"),
    ("影", "カゲ"),
    ("夢", "ユメ"),
    ("街", "マチ"),
    ("駅", "エキ"),
    ("橋", "ハシ"),
    ("川", "カワ"),
    ("坂", "サカ"),
    ("窓", "マド"),
    ("扉", "トビラ"),
    ("手紙", "テガミ"),
    ("約束", "ヤクソク"),
    ("記憶", "キオク"),
    ("少年", "ショウネン"),
    ("少女", "ショウジョ"),
    ("旅", "タビ"),
    ("家", "イエ"),
    ("部屋", "ヘヤ"),
    ("島", "シマ"),
    ("鳥", "トリ"),
    ("猫", "ネコ"),
    ("犬", "イヌ"),
    ("魚", "サカナ"),
    ("時計", "トケイ"),
    ("鍵", "カギ"),
    ("嘘", "ウソ"),
    ("声", "コエ"),
    ("歌", "ウタ"),
    ("音", "オト"),
    ("夕焼け", "ユウヤケ"),
    ("灯台", "トウダイ"),
    ("図書館", "トショカン"),
    ("書店", "ショテン"),
    ("喫茶店", "キッサテン"),
    ("教室", "キョウシツ"),
    ("屋上", "オクジョウ"),
    ("線路", "センロ"),
    ("港", "ミナト"),
    ("岬", "ミサキ"),
    ("丘", "オカ"),
    ("林檎", "リンゴ"),
    ("桜", "サクラ"),
    ("向日葵", "ヒマワリ"),
    ("蛍", "ホタル"),
    ("金魚", "キンギョ"),
    ("硝子", "ガラス"),
    ("青空", "アオゾラ"),
    ("真昼", "マヒル"),
    ("真夜中", "マヨナカ"),
    ("黄昏", "タソガレ"),
    ("夜明け", "ヨアケ"),
    ("銀河", "ギンガ"),
    ("天使", "テンシ"),
    ("魔女", "マジョ"),
    ("王様", "オウサマ"),
    ("姫", "ヒメ"),
    ("探偵", "タンテイ"),
    ("刑事", "ケイジ"),
    ("先生", "センセイ"),
    ("母", "ハハ"),
    ("父", "チチ"),
    ("姉", "アネ"),
    ("弟", "オトウト"),
    ("祖母", "ソボ"),
    ("家族", "カゾク"),
    ("友達", "トモダチ"),
    ("恋", "コイ"),
    ("嵐", "アラシ"),
    ("波", "ナミ"),
    ("砂", "スナ"),
    ("雲", "クモ"),
    ("虹", "ニジ"),
    ("霧", "キリ"),
    ("道", "ミチ"),
    ("湖", "ミズウミ"),
    ("山", "ヤマ"),
    ("村", "ムラ"),
    ("城", "シロ"),
    ("塔", "トウ"),
    ("舟", "フネ"),
    ("羊", "ヒツジ"),
    ("狐", "キツネ"),
    ("鯨", "クジラ"),
    ("秘密", "ヒミツ"),
    ("奇跡", "キセキ"),
    ("季節", "キセツ"),
    ("午後", "ゴゴ"),
    ("日曜日", "ニチヨウビ"),
    ("八月", "ハチガツ"),
    ("十月", "ジュウガツ"),
    ("三日月", "ミカズキ"),
)
# (word, reading, usable as a predicate after 「は」)
_ADJECTIVES: Final[tuple[tuple[str, str, bool], ...]] = (
    ("青い", "アオイ", True),
    ("白い", "シロイ", True),
    ("赤い", "アカイ", True),
    ("黒い", "クロイ", True),
    ("遠い", "トオイ", True),
    ("長い", "ナガイ", True),
    ("短い", "ミジカイ", True),
    ("優しい", "ヤサシイ", True),
    ("明るい", "アカルイ", True),
    ("新しい", "アタラシイ", False),
    ("古い", "フルイ", True),
    ("眠れない", "ネムレナイ", False),
    ("見えない", "ミエナイ", False),
    ("小さな", "チイサナ", False),
    ("大きな", "オオキナ", False),
    ("静かな", "シズカナ", False),
    ("透明な", "トウメイナ", False),
    ("最後の", "サイゴ ノ", False),
    ("最初の", "サイショ ノ", False),
    ("幻の", "マボロシ ノ", False),
    ("消えた", "キエタ", False),
    ("眠る", "ネムル", False),
    ("名前のない", "ナマエ ノ ナイ", False),
    ("忘れられた", "ワスレラレタ", False),
    ("永遠の", "エイエン ノ", False),
    ("秘密の", "ヒミツ ノ", False),
    ("遥かな", "ハルカナ", False),
)
_VERB_ENDINGS: Final[tuple[tuple[str, str], ...]] = (
    ("を待つ", "オ マツ"),
    ("を探して", "オ サガシテ"),
    ("に帰る", "ニ カエル"),
    ("へ行く", "エ イク"),
    ("が見える", "ガ ミエル"),
    ("を渡る", "オ ワタル"),
    ("が降る", "ガ フル"),
    ("を抱いて", "オ ダイテ"),
    ("に眠る", "ニ ネムル"),
    ("を見上げて", "オ ミアゲテ"),
    ("が鳴る", "ガ ナル"),
    ("を歩く", "オ アルク"),
    ("とともに", "ト トモニ"),
    ("の消えた日", "ノ キエタ ヒ"),
    ("が来た", "ガ キタ"),
)

# Picture books (kana titles; readings are derived with _kata).
_PB_ANIMALS: Final = (
    "ねこ",
    "いぬ",
    "くま",
    "うさぎ",
    "きつね",
    "たぬき",
    "ぞう",
    "きりん",
    "かえる",
    "ねずみ",
    "こぶた",
    "ひよこ",
    "にわとり",
    "ぺんぎん",
    "らいおん",
    "さる",
    "りす",
    "ふくろう",
    "かめ",
    "かば",
    "わに",
    "くじら",
    "もぐら",
    "はりねずみ",
    "あひる",
    "からす",
    "こねこ",
    "こいぬ",
    "パンダ",
    "ゴリラ",
    "カンガルー",
)
_PB_THINGS: Final = (
    "おさんぽ",
    "ぼうし",
    "おふろ",
    "おべんとう",
    "ぱんやさん",
    "おつきさま",
    "おほしさま",
    "ともだち",
    "たんじょうび",
    "ぴくにっく",
    "おかいもの",
    "おまつり",
    "ゆめ",
    "かさ",
    "てがみ",
    "くつ",
    "おうち",
    "ふうせん",
    "ほっとけーき",
    "じてんしゃ",
    "でんしゃ",
    "のはら",
    "もり",
    "うみ",
    "ゆき",
    "あめ",
    "おひさま",
    "おにぎり",
    "どんぐり",
    "くれよん",
    "えんそく",
    "ひっこし",
    "かくれんぼ",
    "おばけ",
    "あさごはん",
    "おやつ",
    "ケーキ",
    "バス",
    "きかんしゃ",
    "せんたく",
    "おるすばん",
    "はみがき",
    "ようちえん",
    "みかづき",
)
_PB_ADJECTIVES: Final[tuple[tuple[str, str], ...]] = (
    ("おおきな", "オオキナ"),
    ("ちいさな", "チイサナ"),
    ("あかい", "アカイ"),
    ("しろい", "シロイ"),
    ("ふしぎな", "フシギナ"),
    ("げんきな", "ゲンキナ"),
    ("くいしんぼうの", "クイシンボウ ノ"),
    ("なかよしの", "ナカヨシ ノ"),
    ("ひとりぼっちの", "ヒトリボッチ ノ"),
    ("ねぼすけの", "ネボスケ ノ"),
    ("あわてんぼうの", "アワテンボウ ノ"),
)
# Counters for small animals: 2ひき, 3びき, 4ひき, 5ひき, 6ぴき.
_PB_COUNTERS: Final = {2: "ひき", 3: "びき", 4: "ひき", 5: "ひき", 6: "ぴき"}
_PB_PATTERNS: Final = (
    ("{a}の{t}", "{A} ノ {T}"),
    ("{a}の{t}", "{A} ノ {T}"),
    ("{a}と{b}", "{A} ト {B}"),
    ("{adj}{a}", "{ADJ} {A}"),
    ("{a}くんの{t}", "{A}クン ノ {T}"),
    ("{a}ちゃんの{t}", "{A}チャン ノ {T}"),
    ("{a}がやってきた", "{A} ガ ヤッテ キタ"),
    ("{t}、まだかな", "{T} マダ カナ"),
    ("{t}はどこ？", "{T} ワ ドコ"),
    ("{t}へいこう", "{T} エ イコウ"),
    ("{t}をさがして", "{T} オ サガシテ"),
    ("おやすみ、{a}", "オヤスミ {A}"),
    ("{num}{counter}の{a}", "{num}{COUNTER} ノ {A}"),
    ("{a}のいちにち", "{A} ノ イチニチ"),
    ("{t}だいすき", "{T} ダイスキ"),
)
_FOLK_TALES: Final[tuple[tuple[str, str], ...]] = (
    ("ももたろう", "モモタロウ"),
    ("かさじぞう", "カサジゾウ"),
    ("きんたろう", "キンタロウ"),
    ("うらしまたろう", "ウラシマ タロウ"),
    ("さるかにがっせん", "サルカニ ガッセン"),
    ("はなさかじいさん", "ハナサカ ジイサン"),
    ("かちかちやま", "カチカチヤマ"),
    ("つるのおんがえし", "ツル ノ オンガエシ"),
    ("いっすんぼうし", "イッスンボウシ"),
    ("したきりすずめ", "シタキリ スズメ"),
    ("おむすびころりん", "オムスビ コロリン"),
    ("ねずみのよめいり", "ネズミ ノ ヨメイリ"),
    ("ぶんぶくちゃがま", "ブンブク チャガマ"),
    ("こぶとりじいさん", "コブトリ ジイサン"),
    ("さんまいのおふだ", "サンマイ ノ オフダ"),
)

# Fictional magazines: (title, reading, NDC, juvenile).
_MAGAZINES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("月刊こども科学", "ゲッカン コドモ カガク", "405", True),
    ("暮らしと料理", "クラシ ト リョウリ", "596.05", False),
    ("信州の山歩き", "シンシュウ ノ ヤマアルキ", "786.105", False),
    ("園芸ライフ", "エンゲイ ライフ", "620.5", False),
    ("季刊郷土史研究", "キカン キョウドシ ケンキュウ", "210.05", False),
    ("週刊ニュースの窓", "シュウカン ニュース ノ マド", "051", False),
    ("月刊手しごと", "ゲッカン テシゴト", "594.05", False),
    ("えほんのもり", "エホン ノ モリ", "909.05", True),
    ("健康と暮らし", "ケンコウ ト クラシ", "498.05", False),
    ("パソコン入門ガイド", "パソコン ニュウモン ガイド", "548.205", False),
    ("鉄道の旅", "テツドウ ノ タビ", "686.05", False),
    ("月刊将棋の友", "ゲッカン ショウギ ノ トモ", "796.05", False),
)
# CD genres: (word, reading, NDC, juvenile).
_CD_GENRES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("童謡", "ドウヨウ", "767.7", True),
    ("唱歌", "ショウカ", "767.7", False),
    ("クラシック", "クラシック", "764", False),
    ("ピアノ曲", "ピアノキョク", "763.2", False),
    ("ジャズ", "ジャズ", "764.7", False),
    ("民謡", "ミンヨウ", "767.51", False),
    ("落語", "ラクゴ", "779.13", False),
    ("合唱曲", "ガッショウキョク", "767.4", False),
    ("映画音楽", "エイガ オンガク", "764.7", False),
    ("英語のうた", "エイゴ ノ ウタ", "767.7", True),
)
_CD_PATTERNS: Final = (
    ("{g}ベスト", "{r} ベスト"),
    ("{g}名曲集", "{r} メイキョクシュウ"),
    ("{g}セレクション", "{r} セレクション"),
    ("はじめての{g}", "ハジメテ ノ {r}"),
    ("こころの{g}", "ココロ ノ {r}"),
)
_DVD_PATTERNS: Final = (
    ("映像で見る{w}", "エイゾウ デ ミル {r}"),
    ("{w}のすべて", "{r} ノ スベテ"),
    ("{w}の世界", "{r} ノ セカイ"),
    ("映像で学ぶ{w}", "エイゾウ デ マナブ {r}"),
)

# Foreign authors of translated books: given names, family names, NDC literature class.
_FOREIGN_NAMES: Final[tuple[tuple[tuple[str, ...], tuple[str, ...], str, str], ...]] = (
    (
        (
            "エマ",
            "オリヴァー",
            "ソフィア",
            "ジェームズ",
            "ルーシー",
            "トーマス",
            "ハンナ",
            "ジャック",
            "グレース",
            "サミュエル",
        ),
        (
            "ハリス",
            "ミラー",
            "ブラウン",
            "テイラー",
            "ウィルソン",
            "クラーク",
            "ホワイト",
            "ウォーカー",
            "ベイカー",
            "ヒューズ",
        ),
        "933.7",
        "eng",
    ),
    (
        ("ミヒャエル", "ザビーネ", "クラウス", "ウルリケ"),
        ("ミュラー", "シュミット", "フィッシャー", "ヴェーバー"),
        "943.7",
        "ger",
    ),
    (
        ("ジャン", "マリー", "ピエール", "クレール"),
        ("ベルナール", "デュボワ", "ルロワ", "モロー"),
        "953.7",
        "fre",
    ),
)


# Publishers: (stem, stem reading, suffix, kind, ISBN registrant code, weight). Registrant codes
# come from the 978-4 ranges 200-699 (3 digits) and 7000-8499 (4 digits), so they are prefix-free.
_PUBLISHERS: Final[tuple[tuple[str, str, str, str, str, int], ...]] = (
    ("月見坂", "ツキミザカ", "書房", "general", "283", 5),
    ("青嵐", "セイラン", "社", "general", "317", 6),
    ("千草", "チグサ", "出版", "practical", "412", 5),
    ("梓川", "アズサガワ", "書店", "general", "259", 4),
    ("霧ヶ峰", "キリガミネ", "出版", "local", "7841", 3),
    ("山葵", "ワサビ", "書房", "practical", "7532", 2),
    ("木洩日", "コモレビ", "社", "general", "7619", 2),
    ("星霜", "セイソウ", "書店", "academic", "466", 3),
    ("栞屋", "シオリヤ", "書房", "general", "7704", 2),
    ("紙風船", "カミフウセン", "社", "children", "538", 5),
    ("雲雀", "ヒバリ", "書房", "children", "7925", 2),
    ("葦舟", "アシブネ", "出版", "academic", "8106", 2),
    ("鳩時計", "ハトドケイ", "社", "children", "651", 3),
    ("杉並木", "スギナミキ", "書店", "general", "8213", 2),
    ("浅葱", "アサギ", "社", "general", "392", 4),
    ("桔梗", "キキョウ", "書房", "practical", "7156", 2),
    ("蒼穹", "ソウキュウ", "出版", "academic", "8357", 1),
    ("銀杏", "イチョウ", "書店", "general", "7288", 2),
    ("風見鶏", "カザミドリ", "出版", "practical", "575", 4),
    ("手毬", "テマリ", "社", "children", "7367", 3),
    ("北斗七星", "ホクトシチセイ", "社", "general", "8032", 1),
    ("萌黄", "モエギ", "書房", "children", "7478", 2),
    ("水車小屋", "スイシャゴヤ", "出版", "practical", "8441", 1),
    ("胡桃", "クルミ", "書店", "children", "628", 3),
    ("燕", "ツバメ", "出版", "general", "7063", 2),
    ("茜雲", "アカネグモ", "社", "general", "8279", 1),
    ("鶴亀", "ツルカメ", "書房", "large_print", "7995", 2),
    ("若葉台", "ワカバダイ", "出版", "practical", "349", 3),
    ("金木犀", "キンモクセイ", "社", "general", "8168", 1),
    ("遠鳴", "トオナリ", "書店", "academic", "7712", 1),
    ("岳陽", "ガクヨウ", "出版", "local", "8384", 2),
    ("白鷺", "シラサギ", "書房", "general", "226", 3),
    ("蛍火", "ホタルビ", "社", "children", "8095", 1),
    ("山の辺", "ヤマノベ", "書店", "academic", "7846", 1),
    ("石楠花", "シャクナゲ", "出版", "large_print", "8422", 1),
    ("雪解", "ユキゲ", "社", "av", "7390", 2),
    ("朝凪", "アサナギ", "書房", "general", "491", 3),
    ("虹橋", "ニジハシ", "出版", "av", "8047", 1),
    ("縁側", "エンガワ", "書店", "practical", "7170", 1),
    ("天竜", "テンリュウ", "社", "local", "7268", 1),
    ("林檎の木", "リンゴノキ", "社", "children", "8330", 1),
)
_SUFFIX_READINGS: Final = {
    "社": "シャ",
    "書房": " ショボウ",
    "出版": " シュッパン",
    "書店": " ショテン",
}
# Japan-based English-language imprints (fictional), so their ISBNs also start 978-4.
_ENGLISH_PUBLISHERS: Final[tuple[tuple[str, str, int], ...]] = (
    ("Harbor Lane Press", "684", 3),
    ("Kestrel House", "8471", 2),
    ("Northgate Books", "8482", 2),
    ("Bluewater Publishing", "8493", 1),
)

_KIDS_SERIES: Final = (
    ("こども科学ライブラリー", "コドモ カガク ライブラリー"),
    ("しらべる学習シリーズ", "シラベル ガクシュウ シリーズ"),
)
_PRACTICAL_SERIES: Final = (
    ("暮らしの実用シリーズ", "クラシ ノ ジツヨウ シリーズ"),
    ("趣味の教室", "シュミ ノ キョウシツ"),
)
_LOCAL_SERIES: Final = ("信州の自然と文化", "シンシュウ ノ シゼン ト ブンカ")
_LARGE_PRINT_SERIES: Final = ("大活字本シリーズ", "ダイカツジボン シリーズ")
_KAMISHIBAI_SERIES: Final = (
    ("日本の昔話かみしばい", "ニホン ノ ムカシバナシ カミシバイ"),
    ("よいこの紙芝居", "ヨイコ ノ カミシバイ"),
)


@dataclass(frozen=True, slots=True)
class _Publisher:
    name: str
    reading: str
    stem: str
    stem_reading: str
    kind: str
    registrant: str
    weight: int


_JA_PUBLISHERS: Final = tuple(
    _Publisher(stem + suffix, stem_r + _SUFFIX_READINGS[suffix], stem, stem_r, kind, reg, weight)
    for stem, stem_r, suffix, kind, reg, weight in _PUBLISHERS
)
_EN_PUBLISHERS: Final = tuple(
    _Publisher(name, "", name, "", "english", reg, weight)
    for name, reg, weight in _ENGLISH_PUBLISHERS
)

_REGISTRANTS: Final = frozenset(p.registrant for p in (*_JA_PUBLISHERS, *_EN_PUBLISHERS))


# --------------------------------------------------------------------------------------------
# Call numbers


def call_number(bib: DemoBib) -> str:
    """The spine-label text (請求記号): class, author mark and volume joined by single spaces.

    Class line: ``E`` for picture books and ``K`` for kamishibai (whatever their NDC);
    ``F`` for modern Japanese fiction (NDC 913.6, a common Japanese public-library practice so
    that novels are shelved by author; classical literature, essays, poetry and translated
    fiction keep their NDC); otherwise the NDC number as catalogued. Then the author mark
    (:attr:`DemoBib.author_mark`) and, for numbered volumes, the volume number:
    ``"210.1 ヤ 3"``, ``"E ナ"``, ``"F ム 2"``.
    """
    if bib.material_type == "picture_book":
        cls = "E"
    elif bib.material_type == "kamishibai":
        cls = "K"
    elif bib.ndc.startswith("913.6"):
        cls = "F"
    else:
        cls = bib.ndc
    parts = [cls, bib.author_mark]
    if bib.volume_number is not None:
        parts.append(str(bib.volume_number))
    return " ".join(p for p in parts if p)


def _author_mark(
    language: str, authors: Sequence[DemoAuthor], title_reading: str, title: str
) -> str:
    """First katakana of the first author's reading (or of the title reading without one);
    for English books the first letter of the first author's family name (or of the title,
    leading article skipped)."""
    if language == "eng":
        if authors:
            return authors[0].heading[:1].upper()
        words = title.split()
        if len(words) > 1 and words[0].lower() in ("the", "a", "an"):
            words = words[1:]
        return words[0][:1].upper() if words else ""
    if authors:
        return _first_katakana(authors[0].reading)
    return _first_katakana(title_reading)


# --------------------------------------------------------------------------------------------
# The generator


@dataclass(frozen=True, slots=True)
class _Work:
    """A title before it becomes one record (or a multi-volume set of records)."""

    title: str
    title_reading: str
    ndc: str
    subjects: tuple[str, ...]
    juvenile: bool
    kind: str  # fiction, essay, poetry, nonfiction, local, translated


class _IsbnAllocator:
    """Unique ISBNs per publisher. A publisher whose registrant range is 80 % used gets
    further registrant codes from the group-4 six-digit range (4-900000 … 4-949999, 100
    titles each), as real publishers do; only catalogues of a few hundred thousand titles
    reach that, so smaller sets are unaffected."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: dict[str, set[int]] = {}
        self._current: dict[str, str] = {}  # publisher's registrant → registrant in use
        self._next_extra = 900000

    def _registrant(self, registrant: str) -> str:
        current = self._current.get(registrant, registrant)
        if len(self._used.get(current, ())) < 10 ** (8 - len(current)) * 0.8:
            return current
        while str(self._next_extra) in self._used or str(self._next_extra) in _REGISTRANTS:
            self._next_extra += 1
        if self._next_extra > 949999:
            raise RuntimeError("the synthetic ISBN ranges are exhausted")
        current = self._current[registrant] = str(self._next_extra)
        self._next_extra += 1
        return current

    def allocate(self, registrant: str) -> str:
        registrant = self._registrant(registrant)
        width = 8 - len(registrant)
        capacity = 10**width
        used = self._used.setdefault(registrant, set())
        while True:
            number = self._rng.randrange(capacity)
            if number not in used:
                used.add(number)
                break
        first12 = f"9784{registrant}{number:0{width}d}"
        return first12 + isbn13_check_digit(first12)


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ja = Faker("ja_JP")
        self.ja.seed_instance(seed)
        self.en = Faker("en_US")
        self.en.seed_instance(seed)
        self.isbns = _IsbnAllocator(random.Random(seed ^ 0x15B4))
        self.authors: list[DemoAuthor] = []

    # -- people ---------------------------------------------------------------------------

    def make_author_pool(self, size: int) -> None:
        seen: set[str] = set()
        attempts = 0
        while len(self.authors) < size and attempts < size * 5:
            attempts += 1
            family, family_r, _ = self.ja.last_name_pair()
            if self.rng.random() < 0.5:
                given, given_r, _ = self.ja.first_name_female_pair()
            else:
                given, given_r, _ = self.ja.first_name_male_pair()
            name = f"{family} {given}"
            if name in seen:
                continue
            seen.add(name)
            self.authors.append(
                DemoAuthor(name, f"{family_r}, {given_r}", f"{family}, {given}", "")
            )

    def person(self, role: str, exclude: Sequence[DemoAuthor] = ()) -> DemoAuthor:
        """A Japanese contributor; a few prolific ones write much of the collection."""
        excluded = {a.name for a in exclude}
        while True:
            base = self.authors[int(len(self.authors) * self.rng.random() ** 2.2)]
            if base.name not in excluded:
                return DemoAuthor(base.name, base.reading, base.heading, role)

    def foreign_person(
        self, group: tuple[tuple[str, ...], tuple[str, ...], str, str], role: str
    ) -> DemoAuthor:
        given = self.rng.choice(group[0])
        family = self.rng.choice(group[1])
        heading = f"{family}, {given}"
        return DemoAuthor(f"{given}・{family}", heading, heading, role)

    def english_person(self) -> DemoAuthor:
        given = self.en.first_name()
        family = self.en.last_name()
        return DemoAuthor(f"{given} {family}", "", f"{family}, {given}", "著")

    # -- publishing details ---------------------------------------------------------------

    def publisher(self, *kinds: str) -> _Publisher:
        pool = [p for p in _JA_PUBLISHERS if p.kind in kinds] or list(_JA_PUBLISHERS)
        return self.rng.choices(pool, weights=[p.weight for p in pool])[0]

    def year(self) -> int:
        if self.rng.random() < 0.15:
            return self.rng.randint(MIN_YEAR, MAX_YEAR)
        while True:
            year = MAX_YEAR - int(self.rng.expovariate(1 / 8))
            if year >= MIN_YEAR:
                return year

    def has_isbn(self, year: int) -> bool:
        if year < FIRST_ISBN_YEAR:
            return False
        return not (year < 2000 and self.rng.random() < 0.05)

    # -- titles ---------------------------------------------------------------------------

    def topic(self, kids: bool) -> tuple[str, str, str, str]:
        rows = [t for t in _TOPICS if "k" in t[4]] if kids else _TOPICS
        word, reading, ndc, subject, _ = self.rng.choice(rows)
        return word, reading, ndc, subject or word

    def nonfiction(self, kids: bool) -> _Work:
        if not kids and self.rng.random() < 0.18:
            return self.geo_work()
        word, reading, ndc, subject = self.topic(kids)
        patterns = _KIDS_PATTERNS if kids else _ADULT_PATTERNS
        title_p, reading_p, form, subdivision = self.rng.choice(patterns)
        if "{w2}" in title_p:
            w2, r2, _, s2 = self.topic(kids)
            while w2 == word:
                w2, r2, _, s2 = self.topic(kids)
            subjects: tuple[str, ...] = (subject, s2)
        else:
            w2 = r2 = ""
            subjects = (f"{subject}--{subdivision}",) if subdivision else (subject,)
        n = str(self.rng.choice((40, 50, 60, 70)))
        title = title_p.format(w=word, w2=w2, n=n)
        title_reading = reading_p.format(r=reading, r2=r2, n=n)
        if form:
            ndc = _with_form(ndc, form)
        return _Work(title, _clean(title_reading), ndc, subjects, kids, "nonfiction")

    def geo_work(self) -> _Work:
        word, reading, base, world_ndc, subject, place_first = self.rng.choice(_GEO_TOPICS)
        place, place_r, area, heading, _ = self.rng.choices(
            _PLACES, weights=[p[4] for p in _PLACES]
        )[0]
        title_p, reading_p = self.rng.choice(_GEO_PATTERNS)
        if word == "歴史" and self.rng.random() < 0.3:
            title_p, reading_p = "{p}歴史散歩", "{pr} レキシ サンポ"
        title = title_p.format(p=place, w=word)
        title_reading = _clean(reading_p.format(pr=place_r, r=reading))
        ndc = _ndc(base + area) if area else world_ndc
        if not area:
            heading_s = "世界史" if word == "歴史" else f"{subject}--世界"
        elif place_first:
            heading_s = f"{heading}--{subject}"
        else:
            heading_s = f"{subject}--{heading}"
        kind = "local" if area == _LOCAL_NDC_AREA else "nonfiction"
        return _Work(title, title_reading, ndc, (heading_s,), False, kind)

    def noun(self) -> tuple[str, str]:
        return self.rng.choice(_NOUNS)

    def two_nouns(self) -> tuple[tuple[str, str], tuple[str, str]]:
        a = self.noun()
        b = self.noun()
        while b == a:
            b = self.noun()
        return a, b

    def fiction_title(self) -> tuple[str, str]:
        (a, ra), (b, rb) = self.two_nouns()
        roll = self.rng.randrange(12)
        if roll == 0:
            return f"{a}の{b}", f"{ra} ノ {rb}"
        if roll == 1:
            adj, radj, _ = self.rng.choice(_ADJECTIVES)
            return f"{adj}{a}", f"{radj} {ra}"
        if roll == 2:
            return f"{a}と{b}", f"{ra} ト {rb}"
        if roll == 3:
            ending, rending = self.rng.choice(_VERB_ENDINGS)
            return f"{a}{ending}", f"{ra} {rending}"
        if roll == 4:
            adj, radj, _ = self.rng.choice([x for x in _ADJECTIVES if x[2]])
            return f"{a}は{adj}", f"{ra} ワ {radj}"
        if roll == 5:
            return f"{a}のない{b}", f"{ra} ノ ナイ {rb}"
        if roll == 6:
            return f"さよなら、{a}", f"サヨナラ {ra}"
        if roll == 7:
            return f"{a}たちの{b}", f"{ra} タチ ノ {rb}"
        if roll == 8:
            place, place_r, *_ = self.rng.choice(_PLACES[2:])
            return f"{place}殺人事件", f"{place_r} サツジン ジケン"
        if roll == 9:
            return f"{a}の{b}で", f"{ra} ノ {rb} デ"
        if roll == 10:
            return f"{a}へ", f"{ra} エ"
        c, rc = self.noun()
        return f"{a}と{b}の{c}", f"{ra} ト {rb} ノ {rc}"

    def literary(self) -> _Work:
        roll = self.rng.random()
        if roll < 0.78:
            title, reading = self.fiction_title()
            return _Work(title, reading, "913.6", (), False, "fiction")
        (a, ra), (b, rb) = self.two_nouns()
        if roll < 0.93:
            title, reading = self.rng.choice(
                (
                    (f"{a}の日々", f"{ra} ノ ヒビ"),
                    (f"{a}のある食卓", f"{ra} ノ アル ショクタク"),
                    (f"{a}とわたし", f"{ra} ト ワタシ"),
                    (f"{a}雑記", f"{ra} ザッキ"),
                    (f"ひとりの{a}", f"ヒトリ ノ {ra}"),
                )
            )
            return _Work(title, reading, "914.6", (), False, "essay")
        title, reading, ndc = self.rng.choice(
            (
                (f"詩集{a}の{b}", f"シシュウ {ra} ノ {rb}", "911.56"),
                (f"句集{a}", f"クシュウ {ra}", "911.368"),
                (f"歌集{a}の{b}", f"カシュウ {ra} ノ {rb}", "911.168"),
            )
        )
        return _Work(title, reading, ndc, (), False, "poetry")

    def picture_book_title(self) -> tuple[str, str]:
        title_p, reading_p = self.rng.choice(_PB_PATTERNS)
        a = self.rng.choice(_PB_ANIMALS)
        b = self.rng.choice([x for x in _PB_ANIMALS if x != a])
        t = self.rng.choice(_PB_THINGS)
        adj, radj = self.rng.choice(_PB_ADJECTIVES)
        num = self.rng.choice(tuple(_PB_COUNTERS))
        counter = _PB_COUNTERS[num]
        title = title_p.format(a=a, b=b, t=t, adj=adj, num=num, counter=counter)
        reading = reading_p.format(
            A=_kata(a), B=_kata(b), T=_kata(t), ADJ=radj, num=num, COUNTER=_kata(counter)
        )
        return title, _clean(reading)

    # -- records --------------------------------------------------------------------------

    def responsibility(self, authors: Sequence[DemoAuthor], language: str) -> str:
        if language == "eng":
            names = [a.name for a in authors]
            if not names:
                return ""
            return "by " + (" and ".join(names) if len(names) <= 2 else ", ".join(names))
        groups: list[tuple[str, list[str]]] = []
        for author in authors:
            printed = author.name.replace(" ", "")
            if groups and groups[-1][0] == author.role:
                groups[-1][1].append(printed)
            else:
                groups.append((author.role, [printed]))
        return " ; ".join(f"{', '.join(names)} {role}" for role, names in groups)

    def record(
        self,
        *,
        work: _Work,
        authors: tuple[DemoAuthor, ...],
        publisher: _Publisher,
        year: int,
        isbns: tuple[str, ...],
        material_type: str,
        language: str = "jpn",
        subtitle: tuple[str, str] = ("", ""),
        volume: tuple[str, str, int | None] = ("", "", None),
        series: tuple[str, str, str] = ("", "", ""),
        notes: tuple[str, ...] = (),
        responsibility: str | None = None,
    ) -> DemoBib:
        return DemoBib(
            title=work.title,
            title_reading=work.title_reading,
            subtitle=subtitle[0],
            subtitle_reading=subtitle[1],
            volume=volume[0],
            volume_reading=volume[1],
            volume_number=volume[2],
            responsibility=(
                self.responsibility(authors, language) if responsibility is None else responsibility
            ),
            authors=authors,
            publisher=publisher.name,
            publisher_reading=publisher.reading,
            year=year,
            isbns=isbns,
            ndc=work.ndc,
            ndc_edition="10" if year >= NDC10_FROM_YEAR else "9",
            subjects=work.subjects,
            material_type=material_type,
            language=language,
            series=series[0],
            series_reading=series[1],
            series_number=series[2],
            notes=notes,
            author_mark=_author_mark(language, authors, work.title_reading, work.title),
            juvenile=work.juvenile,
        )

    def isbn_for(self, publisher: _Publisher, year: int) -> tuple[str, ...]:
        return (self.isbns.allocate(publisher.registrant),) if self.has_isbn(year) else ()

    def book_unit(self) -> list[DemoBib]:
        """A Japanese book, or a multi-volume set of them."""
        roll = self.rng.random()
        translated_group = None
        if roll < 0.36:
            work = self.literary()
            if work.kind == "fiction" and self.rng.random() < 0.12:
                translated_group = self.rng.choices(_FOREIGN_NAMES, weights=(6, 1, 2))[0]
                work = _Work(
                    work.title, work.title_reading, translated_group[2], (), False, "translated"
                )
        else:
            work = self.nonfiction(kids=roll > 0.82)
        rng = self.rng

        # Contributors.
        authors: tuple[DemoAuthor, ...]
        notes: list[str] = []
        if translated_group is not None:
            original = self.en.sentence(nb_words=3).rstrip(".").title()
            authors = (self.foreign_person(translated_group, "著"), self.person("訳"))
            if translated_group[3] == "eng":
                notes.append(f"原タイトル: {original}")
        elif work.kind in ("fiction", "essay", "poetry"):
            authors = (self.person("著"),)
        else:
            r = rng.random()
            if r < 0.70:
                authors = (self.person("著"),)
            elif r < 0.78:
                first = self.person("著")
                authors = (first, self.person("著", exclude=(first,)))
            elif r < 0.86:
                authors = (self.person("編"),)
            elif r < 0.94:
                first = self.person("監修")
                authors = (first, self.person("著", exclude=(first,)))
            else:
                authors = ()
            if work.ndc.startswith("2") and rng.random() < 0.3:
                notes.append("年表あり")
            if rng.random() < 0.3:
                notes.append("文献あり")
            if rng.random() < 0.25:
                notes.append("索引あり")

        # Publisher and series.
        if work.kind == "local":
            publisher = (
                self.publisher("local")
                if rng.random() < 0.6
                else self.publisher("general", "academic")
            )
        elif work.juvenile:
            publisher = self.publisher("children", "children", "practical")
        elif work.kind == "nonfiction":
            if work.ndc[:1] in ("5", "6", "7"):
                publisher = self.publisher("practical", "general")
            else:
                publisher = self.publisher("general", "academic")
        else:
            publisher = self.publisher("general")
        series = ("", "", "")
        if work.kind in ("fiction", "essay", "translated") and rng.random() < 0.25:
            series = (
                f"{publisher.stem}文庫",
                f"{publisher.stem_reading} ブンコ",
                str(rng.randint(1, 800)),
            )
        elif work.kind == "nonfiction" and not work.juvenile and rng.random() < 0.1:
            if publisher.kind in ("practical",):
                name, reading = rng.choice(_PRACTICAL_SERIES)
                series = (name, reading, str(rng.randint(1, 120)))
            else:
                series = (
                    f"{publisher.stem}新書",
                    f"{publisher.stem_reading} シンショ",
                    str(rng.randint(1, 600)),
                )
        elif work.juvenile and rng.random() < 0.3:
            name, reading = rng.choice(_KIDS_SERIES)
            series = (name, reading, str(rng.randint(1, 60)))
        elif work.kind == "local" and rng.random() < 0.4:
            series = (*_LOCAL_SERIES, str(rng.randint(1, 30)))

        subtitle = ("", "")
        if work.kind in ("nonfiction", "local") and rng.random() < 0.2:
            title_p, reading_p = rng.choice(_SUBTITLES)
            n = str(rng.choice((20, 30, 50, 100)))
            subtitle = (title_p.format(n=n), reading_p.format(n=n))

        year = self.year()
        # Multi-volume sets: fiction in 上/下, non-fiction in numbered volumes.
        volumes: list[tuple[str, str, int | None]] = [("", "", None)]
        if work.kind == "fiction" and rng.random() < 0.05:
            volumes = [("上", "ジョウ", 1), ("下", "ゲ", 2)]
        elif work.kind in ("nonfiction", "local") and rng.random() < 0.03:
            count = rng.randint(2, 5)
            volumes = [(f"第{i}巻", f"ダイ{i}カン", i) for i in range(1, count + 1)]
            subtitle = ("", "")
        with_isbn = self.has_isbn(year)
        records = []
        for index, volume in enumerate(volumes):
            vol_year = min(MAX_YEAR, year + index // 2)
            isbns: tuple[str, ...] = ()
            if with_isbn:
                isbns = (self.isbns.allocate(publisher.registrant),)
            if with_isbn and index == 0 and len(volumes) > 2:
                # The set ISBN, recorded on the first volume only (see the module docstring).
                isbns = (*isbns, self.isbns.allocate(publisher.registrant))
            records.append(
                self.record(
                    work=work,
                    authors=authors,
                    publisher=publisher,
                    year=vol_year,
                    isbns=isbns,
                    material_type="book",
                    subtitle=subtitle,
                    volume=volume,
                    series=series,
                    notes=tuple(notes),
                )
            )
        return records

    def english_book(self) -> DemoBib:
        rng = self.rng
        words = [w.title() for w in self.en.words(3, part_of_speech="noun", unique=True)]
        adjective = self.en.words(1, part_of_speech="adjective")[0].title()
        title = rng.choice(
            (
                f"The {adjective} {words[0]}",
                f"{words[0]} of the {words[1]}",
                f"{words[0]} and {words[1]}",
                f"A {words[0]} for {self.en.first_name()}",
                f"{adjective} {words[0]}",
                f"The {words[0]}",
            )
        )
        graded = rng.random() < 0.3
        work = _Work(
            title,
            "",
            "837.7" if graded else "933.7",
            ("英語--読本",) if graded else (),
            graded and rng.random() < 0.5,
            "english",
        )
        authors: tuple[DemoAuthor, ...] = (self.english_person(),)
        if rng.random() < 0.1:
            authors = (*authors, self.english_person())
        publisher = rng.choices(_EN_PUBLISHERS, weights=[p.weight for p in _EN_PUBLISHERS])[0]
        year = max(self.year(), FIRST_ISBN_YEAR)
        return self.record(
            work=work,
            authors=authors,
            publisher=publisher,
            year=year,
            isbns=(self.isbns.allocate(publisher.registrant),),
            material_type="book",
            language="eng",
        )

    def picture_book(self) -> DemoBib:
        rng = self.rng
        title, reading = self.picture_book_title()
        work = _Work(title, reading, "726.6", (), True, "picture_book")
        r = rng.random()
        if r < 0.5:
            authors: tuple[DemoAuthor, ...] = (self.person("作・絵"),)
        elif r < 0.93:
            writer = self.person("文")
            authors = (writer, self.person("絵", exclude=(writer,)))
        else:
            group = rng.choices(_FOREIGN_NAMES, weights=(6, 1, 2))[0]
            authors = (
                self.foreign_person(group, "文"),
                self.foreign_person(group, "絵"),
                self.person("訳"),
            )
        publisher = self.publisher("children")
        year = self.year()
        series = ("", "", "")
        if rng.random() < 0.2:
            series = rng.choice(
                (
                    ("はじめてのえほん", "ハジメテ ノ エホン", str(rng.randint(1, 40))),
                    (
                        f"{publisher.stem}のえほん",
                        f"{publisher.stem_reading} ノ エホン",
                        str(rng.randint(1, 150)),
                    ),
                )
            )
        return self.record(
            work=work,
            authors=authors,
            publisher=publisher,
            year=year,
            isbns=self.isbn_for(publisher, year),
            material_type="picture_book",
            series=series,
        )

    def kamishibai(self) -> DemoBib:
        rng = self.rng
        if rng.random() < 0.6:
            title, reading = rng.choice(_FOLK_TALES)
        else:
            title, reading = self.picture_book_title()
        work = _Work(title, reading, "779.8", (), True, "kamishibai")
        writer = self.person("脚本")
        authors = (writer, self.person("絵", exclude=(writer,)))
        publisher = self.publisher("children")
        year = self.year()
        series = ("", "", "")
        if rng.random() < 0.5:
            name, s_reading = rng.choice(_KAMISHIBAI_SERIES)
            series = (name, s_reading, str(rng.randint(1, 24)))
        scenes = rng.choice((8, 12, 12, 12, 16))
        return self.record(
            work=work,
            authors=authors,
            publisher=publisher,
            year=year,
            isbns=self.isbn_for(publisher, year),
            material_type="kamishibai",
            series=series,
            notes=(f"{scenes}場面",),
        )

    def large_print(self) -> DemoBib:
        rng = self.rng
        work = self.literary() if rng.random() < 0.8 else self.nonfiction(kids=False)
        authors = (self.person("著"),)
        original = self.publisher("general")
        original_year = self.year()
        year = min(MAX_YEAR, original_year + rng.randint(1, 6))
        publisher = self.publisher("large_print")
        return self.record(
            work=work,
            authors=authors,
            publisher=publisher,
            year=year,
            isbns=self.isbn_for(publisher, year),
            material_type="large_print",
            series=(*_LARGE_PRINT_SERIES, str(rng.randint(1, 300))),
            notes=("大活字本", f"底本: {original.name} {original_year}年刊"),
        )

    def magazine(self) -> DemoBib:
        rng = self.rng
        title, reading, ndc, juvenile = rng.choice(_MAGAZINES)
        year = MAX_YEAR - int(rng.expovariate(1 / 2))
        year = max(year, MIN_YEAR)
        month = rng.randint(1, 12)
        work = _Work(title, reading, ndc, (), juvenile, "magazine")
        publisher = self.publisher("general", "practical")
        return self.record(
            work=work,
            authors=(),
            publisher=publisher,
            year=year,
            isbns=(),
            material_type="magazine",
            volume=(f"{year}年{month}月号", f"{year}ネン {month}ガツゴウ", None),
            notes=("雑誌",),
        )

    def cd(self) -> DemoBib:
        rng = self.rng
        genre, g_reading, ndc, juvenile = rng.choice(_CD_GENRES)
        title_p, reading_p = rng.choice(_CD_PATTERNS)
        work = _Work(
            title_p.format(g=genre), _clean(reading_p.format(r=g_reading)), ndc, (), juvenile, "cd"
        )
        publisher = self.publisher("av")
        volume: tuple[str, str, int | None] = ("", "", None)
        if rng.random() < 0.3:
            number = rng.randint(1, 5)
            volume = (f"第{number}集", f"ダイ{number}シュウ", number)
        return self.record(
            work=work,
            authors=(),
            publisher=publisher,
            year=max(self.year(), 1985),
            isbns=(),
            material_type="cd",
            volume=volume,
            notes=(f"録音時間: {rng.randint(40, 78)}分",),
        )

    def dvd(self) -> DemoBib:
        rng = self.rng
        kids = rng.random() < 0.5
        word, reading, ndc, subject = self.topic(kids=kids)
        title_p, reading_p = rng.choice(_DVD_PATTERNS)
        work = _Work(
            title_p.format(w=word),
            _clean(reading_p.format(r=reading)),
            ndc,
            (subject,),
            kids,
            "dvd",
        )
        publisher = self.publisher("av")
        return self.record(
            work=work,
            authors=(),
            publisher=publisher,
            year=max(self.year(), 1998),
            isbns=(),
            material_type="dvd",
            notes=(f"上映時間: {rng.randint(20, 120)}分", "カラー"),
        )

    def daisy(self) -> DemoBib:
        rng = self.rng
        work = self.literary() if rng.random() < 0.7 else self.nonfiction(kids=False)
        authors = (self.person("著"),)
        publisher = self.publisher("av")
        hours, minutes = rng.randint(2, 14), rng.randint(0, 59)
        return self.record(
            work=work,
            authors=authors,
            publisher=publisher,
            year=max(self.year(), 2000),
            isbns=(),
            material_type="daisy",
            notes=("音声DAISY", f"録音時間: {hours}時間{minutes:02d}分"),
        )

    def unit(self) -> list[DemoBib]:
        roll = self.rng.random()
        if roll < 0.15:
            return [self.english_book()]
        if roll < 0.24:
            return [self.picture_book()]
        if roll < 0.26:
            return [self.kamishibai()]
        if roll < 0.28:
            return [self.large_print()]
        if roll < 0.30:
            return [self.magazine()]
        if roll < 0.32:
            return [self.cd()]
        if roll < 0.335:
            return [self.dvd()]
        if roll < 0.345:
            return [self.daisy()]
        return self.book_unit()


def generate_bibs(seed: int, n: int) -> list[DemoBib]:
    """Return ``n`` synthetic bibliographic records, the same for the same seed.

    Proportions (approximate): 15 % English books; Japanese books 65 % (fiction about a
    third, non-fiction including children's and local-history books the rest), picture books
    9 %, kamishibai, large print, magazines and CDs 2 % each, DVDs 1.5 %, DAISY 1 %.
    Volumes of a multi-volume set are consecutive records.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    generator = _Generator(seed)
    generator.make_author_pool(min(max(30, n // 4), 2000))
    bibs: list[DemoBib] = []
    while len(bibs) < n:
        bibs.extend(generator.unit())
    return bibs[:n]
