"""Label sheets as PDF: spine labels (背ラベル, three lines: NDC class / author mark / volume)
and item barcode labels, on A4 sheets of self-adhesive labels.

A sheet is a small row of data (:data:`STOCKS`): add another stock by measuring it (label
size, left and top margins, the distance from one label to the next across and down). A
partly used sheet is used up by starting at a later label (counted across, then down).

Japanese text uses reportlab's built-in CID font (no font files, as the desk slips do);
barcodes are drawn by reportlab.graphics.barcode: NW-7 (Codabar), the symbology Japanese
libraries usually print on their items, or Code 128.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jaconv
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.common import Codabar
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from shoka.pdffonts import GOTHIC, register_japanese_fonts

JA_FONT = GOTHIC
LATIN_FONT = "Helvetica"

BARCODE_SYMBOLOGIES = {"codabar": "NW-7 (Codabar)", "code128": "Code 128"}


@dataclass(frozen=True)
class LabelStock:
    """A sheet of labels, in millimetres from the sheet's top left corner."""

    name: str  # the paper: "A4"
    columns: int
    rows: int
    width: float
    height: float
    left: float  # to the first label's left edge
    top: float  # to the first label's top edge
    pitch_x: float  # from one label's left edge to the next one's
    pitch_y: float  # from one label's top edge to the one below

    def describe(self) -> str:
        """The stock as the form offers it, in the user's language."""
        from django.utils.translation import gettext

        return gettext("%(name)s: %(n)d labels of %(w)s × %(h)s mm (%(c)d × %(r)d)") % {
            "name": self.name,
            "n": self.per_sheet,
            "w": f"{self.width:g}",
            "h": f"{self.height:g}",
            "c": self.columns,
            "r": self.rows,
        }

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def origin(self, position: int) -> tuple[float, float]:
        """Bottom-left corner (points, PDF coordinates) of label `position` (0-based,
        across then down)."""
        row, column = divmod(position, self.columns)
        x = (self.left + column * self.pitch_x) * mm
        y = A4[1] - (self.top + row * self.pitch_y + self.height) * mm
        return x, y


STOCKS: dict[str, LabelStock] = {
    "a4-24": LabelStock("A4", 3, 8, 70, 33.9, 0, 12.9, 70, 33.9),
    "a4-44": LabelStock("A4", 4, 11, 48.3, 25.4, 8.4, 8.8, 48.3, 25.4),
    "a4-65": LabelStock("A4", 5, 13, 38.1, 21.2, 4.7, 10.7, 40.6, 21.2),
}


# --- what goes on a label ----------------------------------------------------------------


def author_mark(reading: str) -> str:
    """著者記号 in its simplest common form: the first kana of the author's (or, without
    one, the title's) reading, in katakana."""
    for char in unicodedata.normalize("NFKC", reading):
        if char.isalnum():
            return jaconv.hira2kata(char).upper()
    return ""


_CALL_NUMBER_PARTS = re.compile(r"[/|\s]+")


def spine_lines(
    call_number: str, *, ndc: str, author_reading: str, title_reading: str, volume: str
) -> tuple[str, str, str]:
    """The three lines of a spine label. A call number written as its lines
    (``913.6/ナ/1``, or with spaces) is used as it is; otherwise the record gives them: its
    NDC class (or the call number's class), an author mark, its volume."""
    parts = [p for p in _CALL_NUMBER_PARTS.split(call_number.strip()) if p]
    if len(parts) >= 2:
        return parts[0], parts[1], " ".join(parts[2:]) or volume.strip()
    klass = parts[0] if parts else ndc.strip()
    return klass, author_mark(author_reading or title_reading), volume.strip()


@dataclass(frozen=True)
class SpineLabel:
    lines: tuple[str, str, str]


@dataclass(frozen=True)
class BarcodeLabel:
    barcode: str
    heading: str = ""  # the library's name


# --- drawing -----------------------------------------------------------------------------


def _fitted_size(text: str, font: str, size: float, width: float) -> float:
    actual = pdfmetrics.stringWidth(text, font, size)
    return size if actual <= width else max(4.0, size * width / actual)


def _draw_spine(canvas: Canvas, label: SpineLabel, x: float, y: float, stock: LabelStock) -> None:
    w, h = stock.width * mm, stock.height * mm
    size = min(16.0, h * 0.78 / 3)
    line_gap = h / 3
    for i, text in enumerate(label.lines):
        if not text:
            continue
        fitted = _fitted_size(text, JA_FONT, size, w - 3 * mm)
        canvas.setFont(JA_FONT, fitted)
        baseline = y + h - line_gap * (i + 1) + (line_gap - fitted * 0.72) / 2
        canvas.drawCentredString(x + w / 2, baseline, text)


def _barcode(value: str, symbology: str, bar_height: float, width: float) -> object:
    bar_width = 0.33 * mm
    for _attempt in range(6):
        if symbology == "codabar":
            code = Codabar(f"A{value}A", barWidth=bar_width, barHeight=bar_height, quiet=0, stop=1)
        else:
            code = Code128(value, barWidth=bar_width, barHeight=bar_height, quiet=0)
        if code.width <= width:
            return code
        bar_width *= width / code.width * 0.98
    return code


def _draw_barcode(
    canvas: Canvas,
    label: BarcodeLabel,
    x: float,
    y: float,
    stock: LabelStock,
    symbology: str,
) -> None:
    w, h = stock.width * mm, stock.height * mm
    pad = 2 * mm
    heading = min(7.0, h * 0.14)
    number = min(9.0, h * 0.18)
    bar_height = h - 2 * pad - heading - number - 2 * mm
    if label.heading:
        canvas.setFont(JA_FONT, _fitted_size(label.heading, JA_FONT, heading, w - 2 * pad))
        canvas.drawCentredString(x + w / 2, y + h - pad - heading * 0.8, label.heading)
    code = _barcode(label.barcode, symbology, bar_height, w - 2 * pad)
    code_x = x + (w - code.width) / 2  # type: ignore[attr-defined]
    code.drawOn(canvas, code_x, y + pad + number + 1 * mm)  # type: ignore[attr-defined]
    canvas.setFont(LATIN_FONT, number)
    canvas.drawCentredString(x + w / 2, y + pad, label.barcode)


def _sheets(
    title: str,
    labels: Sequence[SpineLabel | BarcodeLabel],
    stock: LabelStock,
    start: int,
    draw: object,
) -> bytes:
    if not 1 <= start <= stock.per_sheet:
        raise ValueError(f"start must be 1 to {stock.per_sheet}")
    register_japanese_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("shoka")
    canvas.setCreator("shoka")
    position = start - 1
    for label in labels:
        if position == stock.per_sheet:
            canvas.showPage()
            position = 0
        x, y = stock.origin(position)
        draw(canvas, label, x, y)  # type: ignore[operator]
        position += 1
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def spine_sheet(labels: Iterable[SpineLabel], stock: LabelStock, *, start: int = 1) -> bytes:
    def draw(canvas: Canvas, label: SpineLabel, x: float, y: float) -> None:
        _draw_spine(canvas, label, x, y, stock)

    return _sheets("spine labels", list(labels), stock, start, draw)


def barcode_sheet(
    labels: Iterable[BarcodeLabel], stock: LabelStock, *, start: int = 1, symbology: str
) -> bytes:
    if symbology not in BARCODE_SYMBOLOGIES:
        raise ValueError(f"unknown barcode symbology {symbology!r}")

    def draw(canvas: Canvas, label: BarcodeLabel, x: float, y: float) -> None:
        _draw_barcode(canvas, label, x, y, stock, symbology)

    return _sheets("barcode labels", list(labels), stock, start, draw)
