"""The Japanese fonts of every PDF shoka makes (slips, cards, labels, letters, postcards):
reportlab's built-in CID fonts, which PDF readers supply, so no font file is installed or
embedded. Registered with reportlab once per process."""

from __future__ import annotations

import functools

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

GOTHIC = "HeiseiKakuGo-W5"  # sans serif: slips, cards, labels, headings
MINCHO = "HeiseiMin-W3"  # serif: the body of letters


@functools.cache
def register_japanese_fonts() -> None:
    for name in (GOTHIC, MINCHO):
        pdfmetrics.registerFont(UnicodeCIDFont(name))
