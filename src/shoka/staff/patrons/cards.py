"""The patron card (利用者カード) as a one-page PDF the size of a credit card (ISO/IEC 7810
ID-1, "CR80": 85.6 × 54 mm), for a card printer or for printing on card stock.

The card carries the library's name, the patron's name, the card number in digits and the
card number as an NW-7 (Codabar) barcode, the symbology Japanese library scanners read
(checkdigits.py). The barcode is drawn by reportlab.graphics.barcode, with the start and stop
character A; the check digit, if the library uses one, is already part of the card number.

Japanese text uses reportlab's built-in CID font (no font files, as the desk's slips). The
PDF's title names the kind of document, never the patron.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.graphics.barcode.common import Codabar
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from shoka.pdffonts import register_japanese_fonts
from shoka.staff.desk.slips import JA_FONT, LATIN_BOLD

CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 54 * mm
MARGIN = 4 * mm
BARCODE_HEIGHT = 13 * mm
# The narrowest bar: 0.25 mm is within what card printers (300 dpi) and desk scanners manage;
# long card numbers get narrower bars so the symbol still fits between the margins.
BAR_WIDTH = 0.3 * mm
MIN_BAR_WIDTH = 0.19 * mm


@dataclass(frozen=True)
class CardText:
    library: str
    name: str
    card_number: str
    heading: str = "利用者カード  Library card"


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` at which `text` fits `width`."""
    while size > 5 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    canvas.setFont(font, size)
    return size


def codabar(card_number: str, width: float) -> Codabar:
    """The NW-7 symbol of `card_number`, with bars as wide as fit in `width`."""
    bar_width = BAR_WIDTH
    while True:
        symbol = Codabar(
            card_number,
            barWidth=bar_width,
            ratio=2.5,
            barHeight=BARCODE_HEIGHT,
            stop=1,
            quiet=1,
            checksum=0,
        )
        if symbol.width <= width or bar_width <= MIN_BAR_WIDTH:
            return symbol
        bar_width -= 0.01 * mm


def patron_card(card: CardText) -> bytes:
    """One CR80 page: library name, heading, patron name, barcode, card number."""
    register_japanese_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(CARD_WIDTH, CARD_HEIGHT), pageCompression=1)
    canvas.setTitle("patron card")
    canvas.setAuthor("shoka")
    canvas.setCreator("shoka")
    inner = CARD_WIDTH - 2 * MARGIN
    y = CARD_HEIGHT - MARGIN
    size = _fit(canvas, card.library, JA_FONT, 11, inner)
    y -= size
    canvas.drawString(MARGIN, y, card.library)
    y -= 4
    size = _fit(canvas, card.heading, JA_FONT, 7, inner)
    y -= size
    canvas.drawString(MARGIN, y, card.heading)
    y -= 9
    size = _fit(canvas, card.name, JA_FONT, 12, inner)
    y -= size
    canvas.drawString(MARGIN, y, card.name)
    symbol = codabar(card.card_number, inner)
    bottom = MARGIN + 10
    symbol.drawOn(canvas, (CARD_WIDTH - symbol.width) / 2, bottom)
    canvas.setFont(LATIN_BOLD, 9)
    canvas.drawCentredString(CARD_WIDTH / 2, MARGIN, card.card_number)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
