"""Known-item search on the 233 JAPAN/MARC records of ../shared/data/marc/enju-japan-marc21.dat,
imported through the real importer and indexed by the real index writer.

Each query is what a patron or librarian types to find one particular book; the record is
named by its MARC 001. The acceptance bar (issue "Catalogue import and Japanese search"):
every wanted record in the first ten (recall@10 = 1.0), and first in at least 90 %.
"""

from __future__ import annotations

from pathlib import Path

import jaconv
import pytest
from stdnum import isbn as stdnum_isbn

from shoka.catalogue.importing import import_records
from shoka.catalogue.marc.reader import read_marc
from shoka.catalogue.models import Bib

from ..conftest import AT

ENJU = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc" / "enju-japan-marc21.dat"


def _isbn10(isbn13: str) -> str:
    return stdnum_isbn.format(stdnum_isbn.to_isbn10(isbn13))


def _half(text: str) -> str:
    return jaconv.z2h(jaconv.hira2kata(text), kana=True, ascii=False, digit=False)


KNOWN_ITEMS: list[tuple[str, str, str]] = [
    # (kind, query, MARC 001 of the wanted record)
    # -- whole titles and title fragments, as printed
    ("title", "これからの本の話をしよう", "029455884"),
    ("title", "本の話をしよう", "029455884"),
    ("title", "15歳でも俺の嫁", "029202839"),
    ("title", "電子書籍の制作と販売", "028892274"),
    ("title", "トポスとしての図書館", "028959754"),
    ("title", "スポーツボランティアハンドブック", "029432623"),
    ("title", "電子書籍アクセシビリティの研究", "027828251"),
    ("title", "EPUB戦記", "027513958"),
    ("title", "ウェブ小説の衝撃", "027098079"),
    ("title", "デジタルが変える出版と図書館", "027231951"),
    ("title", "ネッター解剖学アトラス", "027544694"),
    ("title", "東アジア読書共同体のために", "028025247"),
    ("title", "モノとヒトの新史料学", "027202632"),
    ("title", "吉野朔実は本が大好き", "027459325"),
    ("title", "カエサルくんと本のおはなし", "026019573"),
    ("title", "出版をめぐる法的課題", "026558734"),
    ("title", "紙の本は、滅びない", "025095671"),
    ("title", "独居老人スタイル", "025076796"),
    ("title", "図書館に通う", "024422362"),
    ("title", "本の品格", "025020760"),
    ("title", "書物の環境論", "023799764"),
    ("title", "風評被害の深層", "026331947"),
    ("title", "電子書籍奮戦記", "000011036669"),
    ("title", "ルポ電子書籍大国アメリカ", "000010980485"),
    ("title", "我、電子書籍の抵抗勢力たらんと欲す", "000010942552"),
    ("title", "出版大崩壊", "000011151949"),
    ("title", "本と図書館の歴史", "000011061811"),
    ("title", "大河ドラマと市民の歴史意識", "025562022"),
    # -- punctuation and spacing variants
    ("punctuation", "紙の本は滅びない", "025095671"),
    ("punctuation", "本はこれから", "000011048972"),
    ("punctuation", "我 電子書籍の抵抗勢力", "000010942552"),
    ("punctuation", "自炊のすすめ", "000011236267"),
    ("punctuation", "アップル vs アマゾン vs グーグル", "000010964751"),
    ("punctuation", "15歳でも俺の嫁！", "029202839"),
    # -- readings typed in hiragana, katakana and half-width kana
    ("hiragana", "どっきょろうじんすたいる", "025076796"),
    ("hiragana", "ふうひょうひがいのしんそう", "026331947"),
    ("hiragana", "しょもつのかんきょうろん", "023799764"),
    ("hiragana", "でんししょせきのしょうげき", "000010839069"),
    ("hiragana", "かえさるくんとほんのおはなし", "026019573"),
    ("hiragana", "うぇぶしょうせつのしょうげき", "027098079"),
    ("katakana", "ドッキョ ロウジン スタイル", "025076796"),
    ("katakana", "フウヒョウヒガイ", "026331947"),
    ("katakana", "コクウ ノ カン 上巻", "024262115"),
    ("katakana", "タイガドラマトシミン", "025562022"),
    ("half-width", _half("でんししょせきのしょうげき"), "000010839069"),
    ("half-width", _half("しょもつのかんきょうろん"), "023799764"),
    ("half-width", _half("ほんのひんかく"), "025020760"),
    # -- old and new kanji forms
    ("kanji forms", "韓国目録規則", "024929826"),
    ("kanji forms", "圖書館に通う", "024422362"),
    ("kanji forms", "獨居老人スタイル", "025076796"),
    ("kanji forms", "電子書籍の眞實", "000010937253"),
    ("kanji forms", "風評被害の深層 林俊郞", "026331947"),
    # -- iteration marks
    ("iteration marks", "佐佐木 電子書籍の衝撃", "000010839069"),
    ("iteration marks", "自炊のすゝめ", "000011236267"),
    # -- long-vowel marks and small kana
    ("long vowel", "電子書籍Kindle よーくわかる本", "000011025759"),
    ("long vowel", "電子書籍Kindle よくわかる本", "000011025759"),
    ("long vowel", "知的財産・コンピューターと法", "027189970"),
    ("long vowel", "東洋学へのコンピューター利用", "023504931"),
    ("long vowel", "ぐーてんべるくからぐーぐる", "000010580737"),
    ("long vowel", "グーテンベルクからグ～グル", "000010580737"),
    # -- author surnames (with a title word where an author wrote several)
    ("author", "苫米地", "000010986782"),
    ("author", "佐々木俊尚", "000010839069"),
    ("author", "池沢 夏樹", "000011048972"),
    ("author", "都築響一", "025076796"),
    ("author", "Castro", "000011061747"),
    ("author", "Netter", "027544694"),
    ("author", "ハギノ マサアキ 奮戦記", "000011036669"),
    ("author", "author:にれ 下巻", "024262116"),
    ("author", "歌田明弘", "000011013901"),
    # -- ISBN: ISBN-13 as printed, compact, and ISBN-10 for records that only have ISBN-13
    ("isbn", "978-4-7949-7075-6", "029455884"),
    ("isbn", "9784480878700", "025076796"),
    ("isbn", _isbn10("9784794970756"), "029455884"),
    ("isbn", _isbn10("9784480878700").replace("-", ""), "025076796"),
    ("isbn", "isbn:" + _isbn10("9784335501258"), "023799764"),
    ("isbn", "4-8443-2176-5", "000009275058"),
    # -- NDC
    ("ndc", "ndc:367.75", "025076796"),
    ("ndc", "ndc:778.8", "025562022"),
    ("ndc", "ndc:361.45", "026331947"),
    # -- English titles (parallel titles in 245 = …)
    ("english", "Digital publishing handbook", "023395762"),
    ("english", "Competition Law", "024856852"),
    ("english", "digital content strategy of Amazon", "024109670"),
    ("english", "Changing Japanese Style of Management", "024215567"),
    ("english", "eReader trend report 2010", "000010705440"),
]


@pytest.fixture
def enju_index(world, index):
    report = import_records(
        world.library, read_marc(ENJU), source=str(ENJU), actor=world.staff, at=AT
    )
    assert report.added == 233 and not report.bad
    index.catch_up()
    return {s.split(":", 1)[1]: pk for pk, s in Bib.objects.values_list("pk", "source_id")}


def test_the_known_item_set_is_big_and_varied_enough():
    kinds = {kind for kind, _, _ in KNOWN_ITEMS}
    assert len(KNOWN_ITEMS) >= 60
    assert {"hiragana", "katakana", "half-width", "kanji forms", "iteration marks"} <= kinds
    assert {"long vowel", "author", "isbn", "ndc", "english", "title"} <= kinds


def test_known_item_search_finds_every_wanted_record_and_ranks_it_first(enju_index, index):
    misses, not_first = [], []
    for kind, query, control_number in KNOWN_ITEMS:
        wanted = enju_index[control_number]
        ids = [hit.id for hit in index.search(query, per_page=10, facets=False).hits]
        if wanted not in ids:
            misses.append(f"{kind}: {query!r} (wanted {control_number}, got {ids[:3]})")
        elif ids[0] != wanted:
            not_first.append(f"{kind}: {query!r} ranked {ids.index(wanted) + 1}")
    assert not misses, "recall@10 < 1.0:\n" + "\n".join(misses)
    first = 1 - len(not_first) / len(KNOWN_ITEMS)
    assert first >= 0.9, f"first in {first:.0%} only:\n" + "\n".join(not_first)
