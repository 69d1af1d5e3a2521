"""Old and variant kanji forms (旧字体・異体字) folded to the modern form (新字体), one to one.

Generated data, not hand-typed: :data:`KYUJIPY_PAIRS` is the Kyūjitai → Shinjitai table of
``kyujipy`` 0.6.8 (https://github.com/DrTurnon/kyujipy, files ``kyujitai_simplified.cson`` and
``kyujitai_variants.cson``; built from the 常用漢字表 and 人名用漢字 lists and the
kyujitai.js project), with the pairs that NFKC already folds (CJK compatibility ideographs such
as 逸 U+FA67) left out. It is copied here as static data so that shoka needs neither kyujipy nor
its run-time dependencies (cson, build, twine). Regenerate with ``python -m
shoka.search.kanji_variants`` in an environment that has kyujipy installed, and review
:data:`LOCAL_CORRECTIONS` and :data:`LOCAL_SUPPLEMENT` again.

kyujipy is distributed under the MIT licence:

    Copyright (c) 2017-2025 Emmanuel Ternon

    Permission is hereby granted, free of charge, to any person obtaining a copy of this
    software and associated documentation files (the "Software"), to deal in the Software
    without restriction, including without limitation the rights to use, copy, modify, merge,
    publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
    to whom the Software is furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all copies or
    substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
    INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
    PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE
    FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
    OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
    DEALINGS IN THE SOFTWARE.

shoka's own changes (:data:`LOCAL_CORRECTIONS`, :data:`LOCAL_SUPPLEMENT`) are listed
separately so that the generated part stays reproducible.
"""

from __future__ import annotations

from typing import Final

__all__ = ["KYUJIPY_PAIRS", "LOCAL_CORRECTIONS", "LOCAL_SUPPLEMENT", "variant_map"]

# Space-separated two-character pairs "old new", generated from kyujipy 0.6.8 (see above).
KYUJIPY_PAIRS: Final[str] = (
    "亞亜 惡悪 壓圧 圍囲 醫医 爲為 壹壱 飮飲 隱隠 榮栄 營営 銳鋭 衞衛 驛駅 悅悦 "
    "閱閲 圓円 鹽塩 緣縁 艷艶 應応 歐欧 毆殴 櫻桜 奧奥 橫横 溫温 穩穏 假仮 價価 "
    "畫画 會会 繪絵 壞壊 懷懐 槪概 擴拡 殼殻 覺覚 學学 嶽岳 樂楽 渴渇 罐缶 卷巻 "
    "陷陥 勸勧 寬寛 關関 歡歓 觀観 顏顔 氣気 歸帰 龜亀 僞偽 戲戯 犧犠 舊旧 據拠 "
    "擧挙 虛虚 峽峡 挾挟 狹狭 敎教 鄕郷 曉暁 區区 驅駆 勳勲 薰薫 徑径 莖茎 惠恵 "
    "揭掲 溪渓 經経 螢蛍 輕軽 繼継 鷄鶏 藝芸 擊撃 缺欠 硏研 縣県 儉倹 劍剣 險険 "
    "圈圏 檢検 獻献 權権 顯顕 驗験 嚴厳 戶戸 吳呉 娛娯 廣広 效効 恆恒 黃黄 鑛鉱 "
    "號号 吿告 國国 黑黒 碎砕 濟済 齋斎 歲歳 劑剤 雜雑 參参 棧桟 蠶蚕 慘惨 產産 "
    "贊賛 殘残 絲糸 齒歯 兒児 辭辞 濕湿 實実 寫写 舍舎 釋釈 壽寿 收収 從従 澁渋 "
    "獸獣 縱縦 肅粛 處処 緖緒 敍叙 尙尚 將将 稱称 涉渉 燒焼 證証 奬奨 條条 狀状 "
    "乘乗 淨浄 剩剰 疊畳 繩縄 壤壌 孃嬢 讓譲 釀醸 觸触 囑嘱 眞真 寢寝 愼慎 盡尽 "
    "圖図 粹粋 醉酔 穗穂 隨随 髓髄 樞枢 數数 瀨瀬 聲声 靑青 齊斉 淸清 靜静 稅税 "
    "竊窃 攝摂 說説 絕絶 專専 淺浅 戰戦 踐践 錢銭 潛潜 纖繊 禪禅 雙双 壯壮 爭争 "
    "莊荘 搜捜 插挿 巢巣 曾曽 瘦痩 裝装 總総 騷騒 增増 藏蔵 臟臓 卽即 屬属 續続 "
    "墮堕 對対 體体 帶帯 滯滞 臺台 瀧滝 擇択 澤沢 脫脱 擔担 單単 膽胆 團団 斷断 "
    "彈弾 遲遅 癡痴 蟲虫 晝昼 鑄鋳 廳庁 徵徴 聽聴 敕勅 鎭鎮 遞逓 鐵鉄 點点 轉転 "
    "傳伝 燈灯 當当 黨党 盜盗 稻稲 鬭闘 德徳 獨独 讀読 屆届 內内 貳弐 惱悩 腦脳 "
    "霸覇 拜拝 廢廃 賣売 麥麦 發発 髮髪 拔抜 晚晩 蠻蛮 祕秘 濱浜 甁瓶 拂払 佛仏 "
    "倂併 竝並 餠餅 邊辺 變変 步歩 舖舗 寶宝 豐豊 襃褒 沒没 飜翻 每毎 萬万 滿満 "
    "麵麺 默黙 彌弥 譯訳 藥薬 與与 豫予 餘余 譽誉 搖揺 樣様 謠謡 來来 賴頼 亂乱 "
    "覽覧 龍竜 兩両 獵猟 綠緑 淚涙 壘塁 禮礼 勵励 戾戻 靈霊 隸隷 齡齢 曆暦 歷歴 "
    "戀恋 鍊錬 爐炉 勞労 郞郎 樓楼 籠篭 錄録 灣湾 堯尭 巖巌 摑掴 彥彦 檜桧 槇槙 "
    "瑤瑶 禰祢 禱祷 祿禄 穰穣 簞箪 聰聡 遙遥 啞唖 噓嘘 穎頴 鷗鴎 軀躯 鶯鴬 攪撹 "
    "麴麹 鹼鹸 嚙噛 繡繍 蔣蒋 醬醤 搔掻 屛屏 幷并 濾沪 蘆芦 蠟蝋 彎弯 焰焔 礦砿 "
    "讚讃 顚顛 巓巔 醱醗 潑溌 輛輌 繫繋 瀆涜 儘侭 藪薮 蠅蝿 嬀媯 驒騨 鬥闘 鬪闘 "
    "鬬闘 亙亘 凜凛 晄晃 晉晋 萠萌"
)

# Pairs of KYUJIPY_PAIRS that shoka changes: old character -> new target, or None to drop.
LOCAL_CORRECTIONS: Final[dict[str, str | None]] = {
    # 籠 is the 常用漢字 form since 2010; 篭 is the abbreviated form. Fold 篭 to 籠 instead
    # (the reverse pair is in LOCAL_SUPPLEMENT), so no 常用漢字 is rewritten.
    "籠": None,
    # 濾 (濾過) is the form used in Japanese; 沪 is a Chinese simplified form.
    "濾": None,
    # 齊 is strictly the old form of 斉, but in personal names (齊藤) it is read and searched
    # as a variant of 斎 (齋藤・斎藤), which matters more for a library catalogue.
    "齊": "斎",
}

# Common 異体字 of personal and place names (髙橋, 山﨑, 渡邉 …) that are not 旧字体 and so
# are not in kyujipy, chosen by shoka. Each target is the form in the 常用漢字表 or the
# 人名用漢字 list; no source is a 常用漢字.
LOCAL_SUPPLEMENT: Final[str] = (
    "篭籠 髙高 﨑崎 嵜崎 邉辺 濵浜 冨富 𠮷吉 栁柳 桒桑 曻昇 槗橋 舘館 渕淵"
)


def variant_map() -> dict[str, str]:
    """Return the folding table, old or variant character -> modern character."""
    table: dict[str, str] = {}
    for pair in KYUJIPY_PAIRS.split():
        table[pair[0]] = pair[1]
    for old, new in LOCAL_CORRECTIONS.items():
        if new is None:
            table.pop(old, None)
        else:
            table[old] = new
    for pair in LOCAL_SUPPLEMENT.split():
        table[pair[0]] = pair[1]
    return table


def _generate() -> str:  # pragma: no cover - maintenance helper
    """Print KYUJIPY_PAIRS from an installed kyujipy (development use only)."""
    import unicodedata

    from kyujipy.basic_converter import BasicConverter

    table = BasicConverter().kyujitai_to_shinjitai_database
    pairs = [
        old + new
        for old, new in table.items()
        if len(old) == 1 and len(new) == 1 and unicodedata.normalize("NFKC", old) != new
    ]
    return "\n".join(" ".join(pairs[i : i + 15]) for i in range(0, len(pairs), 15))


if __name__ == "__main__":  # pragma: no cover
    print(_generate())
