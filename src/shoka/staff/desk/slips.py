"""Slips for a receipt/slip printer (80 mm roll), as PDF via reportlab.

Japanese text uses reportlab's built-in CID fonts (HeiseiKakuGo-W5), which need no font
files: the PDF names the font and the viewer or printer supplies it. Numbers, dates and
barcodes are set in Helvetica so that they print identically everywhere.

A hold slip sits in the item on an open hold shelf, where other patrons can see it: it shows
the pickup number (取置番号) and the date, and nothing else — no title, no name, no card.
A transit slip travels with the item between branches: destination, item barcode, date.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shoka.pdffonts import GOTHIC, register_japanese_fonts

JA_FONT = GOTHIC
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
SLIP_WIDTH = 80 * mm  # the common receipt-printer roll (72 mm printable)
SLIP_HEIGHT = 70 * mm
MARGIN = 4 * mm


@dataclass(frozen=True)
class Line:
    text: str
    size: float
    japanese: bool = False
    bold: bool = False
    gap: float = 2 * mm


def _render(title: str, lines: list[Line]) -> bytes:
    """Centred lines from the top of an 80 mm slip. `title` goes into the PDF metadata and
    is never personal (it names the kind of slip)."""
    register_japanese_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(SLIP_WIDTH, SLIP_HEIGHT), pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("shoka")
    canvas.setCreator("shoka")
    y = SLIP_HEIGHT - MARGIN
    for line in lines:
        y -= line.size
        font = JA_FONT if line.japanese else (LATIN_BOLD if line.bold else LATIN_FONT)
        canvas.setFont(font, line.size)
        canvas.drawCentredString(SLIP_WIDTH / 2, y, line.text)
        y -= line.gap
    canvas.setLineWidth(0.5)
    canvas.setDash(2, 2)
    canvas.line(MARGIN, MARGIN, SLIP_WIDTH - MARGIN, MARGIN)  # where to tear
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def hold_slip(pickup_number: str, on: dt.date) -> bytes:
    """取置票: the pickup number large, the date; nothing that identifies the patron or the
    book."""
    return _render(
        "hold slip",
        [
            Line("予約取置", 14, japanese=True),
            Line("HOLD", 10, gap=5 * mm),
            Line("取置番号 / Pickup number", 9, japanese=True, gap=1 * mm),
            Line(pickup_number, 40, bold=True, gap=6 * mm),
            Line(on.isoformat(), 14),
        ],
    )


def transit_slip(destination: str, barcode: str, on: dt.date, *, origin: str = "") -> bytes:
    """回送票: where the item goes, which item it is, when it left."""
    lines = [
        Line("回送 TRANSIT", 12, japanese=True, gap=4 * mm),
        Line("送り先 / To", 9, japanese=True, gap=1 * mm),
        Line(destination, 20, japanese=True, gap=5 * mm),
        Line("資料バーコード / Item barcode", 9, japanese=True, gap=1 * mm),
        Line(barcode, 18, bold=True, gap=4 * mm),
        Line(on.isoformat(), 12),
    ]
    if origin:
        lines.append(Line(f"発送館 / From: {origin}", 8, japanese=True))
    return _render("transit slip", lines)
