"""Overdue letters and postcards as PDF (reportlab, built-in Japanese CID fonts: no font
files; the viewer or printer supplies Heisei Mincho and Kaku Gothic).

Letters are A4, folded in three (Z fold) into a 長3 window envelope: the address block sits
where the window is. Postcards (はがき, 100×148 mm) are two pages: the address side by
Japanese postal convention — postal code in the seven boxes at the top right, the address in
vertical columns on the right, the name large in the middle, the sender small at the bottom
left — and the message side. A postcard never carries a title: its renderer is never given
one (rendering.NoticeContext.for_template(sealed=False)).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from shoka.pdffonts import GOTHIC, MINCHO, register_japanese_fonts

LATIN = "Helvetica"

POSTCARD = (100 * mm, 148 * mm)
# 長3 window envelopes for A4 in three: the window is 90 × 45 mm, 23 mm from the left and
# 14 mm from the top of the folded letter (the common JIS-size window; docs/notices.md).
WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, WINDOW_HEIGHT = 23 * mm, 14 * mm, 90 * mm, 45 * mm
FOLDS = (99 * mm, 198 * mm)  # from the top: where an A4 sheet folds for a 長3 envelope
# Postal code boxes of a はがき (left edges from the left edge of the card, top 12 mm).
POSTAL_BOXES = (44.3, 51.3, 58.3, 65.8, 72.6, 79.4, 86.2)
BOX_TOP, BOX_WIDTH, BOX_HEIGHT = 12 * mm, 5.7 * mm, 8 * mm
# Regions of the postcard's address side (x from the left, y from the top, in points).
ADDRESS_COLUMN_X = 84 * mm
NAME_COLUMN_X = 52 * mm
SENDER_COLUMN_X = 22 * mm


# --- text helpers ------------------------------------------------------------------------

_NO_LINE_START = set("、。，．）」』】〕！？ー・ゃゅょっぁぃぅぇぉャュョッァィゥェォ")
_KANJI_DIGITS = str.maketrans(
    "0123456789０１２３４５６７８９", "〇一二三四五六七八九〇一二三四五六七八九"
)
_VERTICAL_FORMS = str.maketrans(
    {"-": "｜", "－": "｜", "ー": "｜", "−": "｜", "‐": "｜", " ": "　"}
)


def vertical_text(text: str) -> str:
    """An address as written in a vertical column: kanji numerals, dashes as vertical bars."""
    return text.translate(_KANJI_DIGITS).translate(_VERTICAL_FORMS)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break each paragraph into lines no wider than `width`: Japanese character by
    character, keeping closing punctuation off the start of a line; words of Latin text
    (English notices, romanised titles) whole, at a space."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for char in paragraph:
            if line and pdfmetrics.stringWidth(line + char, font, size) > width:
                if char in _NO_LINE_START:
                    line, char = line[:-1], line[-1] + char
                elif _in_word(line[-1]) and _in_word(char) and " " in line.strip():
                    cut = line.rstrip().rfind(" ")
                    line, char = line[:cut], line[cut + 1 :] + char
                lines.append(line.rstrip())
                line = ""
                if char == " ":
                    continue
            line += char
        lines.append(line)
    return lines


def _in_word(char: str) -> bool:
    """A character of a Latin word (which a line must not split)."""
    return char.isascii() and not char.isspace()


def postal_display(code: str) -> str:
    return f"〒{code[:3]}-{code[3:]}" if len(code) == 7 else code


# --- letters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    postal_code: str
    address: str
    name: str  # without 様
    child_name: str  # set for a guardian's letter
    date: dt.date
    sender: str  # lines
    subject: str
    body: str
    language: str = "ja"  # of the text; the address block keeps the postal convention


def letter_date(day: dt.date, language: str) -> str:
    if language == "en":
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _top(canvas: Canvas, y_from_top: float) -> float:
    return float(canvas._pagesize[1]) - y_from_top


def draw_letter(canvas: Canvas, letter: Letter) -> None:
    """One letter (a second page only when the list of items is long)."""
    canvas.setPageSize(A4)
    width = A4[0]
    # The address block, inside the window.
    x = WINDOW_LEFT + 5 * mm
    y = _top(canvas, WINDOW_TOP + 7 * mm)
    canvas.setFont(MINCHO, 10)
    canvas.drawString(x, y, postal_display(letter.postal_code))
    for line in wrap(letter.address, MINCHO, 10, WINDOW_WIDTH - 10 * mm)[:3]:
        y -= 13
        canvas.drawString(x, y, line)
    y -= 22
    name = f"{letter.name} 様" if letter.name else f"{letter.child_name}さんの保護者様"
    canvas.setFont(MINCHO, 14)
    canvas.drawString(x + 6 * mm, y, name)
    if letter.child_name and letter.name:
        y -= 14
        canvas.setFont(MINCHO, 9)
        canvas.drawString(x + 6 * mm, y, f"（{letter.child_name}さんの保護者様）")
    # Date and sender, top right (inside the envelope, not in the window).
    canvas.setFont(MINCHO, 10)
    right = width - 20 * mm
    canvas.drawRightString(right, _top(canvas, 20 * mm), letter_date(letter.date, letter.language))
    y = _top(canvas, 28 * mm)
    for line in letter.sender.splitlines():
        canvas.drawRightString(right, y, line)
        y -= 13
    # Fold marks in the margin.
    canvas.setLineWidth(0.3)
    for fold in FOLDS:
        canvas.line(0, _top(canvas, fold), 5 * mm, _top(canvas, fold))
    # The letter proper, below the first fold.
    canvas.setFont(GOTHIC, 14)
    canvas.drawCentredString(width / 2, _top(canvas, FOLDS[0] + 12 * mm), letter.subject)
    left, body_width, leading = 25 * mm, width - 50 * mm, 16
    y = _top(canvas, FOLDS[0] + 24 * mm)
    canvas.setFont(MINCHO, 10.5)
    for line in wrap(letter.body, MINCHO, 10.5, body_width):
        if y < 20 * mm:
            canvas.showPage()
            canvas.setPageSize(A4)
            canvas.setFont(MINCHO, 10.5)
            y = _top(canvas, 25 * mm)
        canvas.drawString(left, y, line)
        y -= leading
    canvas.showPage()


# --- postcards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Postcard:
    postal_code: str
    address: str
    name: str
    child_name: str
    sender: str
    message: str
    boxes: bool = True  # draw the postal code boxes (plain card stock)


def _column(
    canvas: Canvas, x: float, y_top: float, text: str, size: float, *, bottom: float
) -> float:
    """Draw `text` as vertical columns from (x, y_top) down, the next column to the left;
    returns the x of the last column."""
    y = y_top
    for char in text:
        if y - size < bottom:
            x -= size * 1.2
            y = y_top - size  # continuation columns start one character lower
        y -= size
        canvas.drawCentredString(x, y + size * 0.12, char)
    return x


def draw_postcard(canvas: Canvas, card: Postcard) -> None:
    canvas.setPageSize(POSTCARD)
    width, height = POSTCARD
    # Address side: postal code boxes and digits.
    canvas.setStrokeColorRGB(0.85, 0.2, 0.2)
    canvas.setLineWidth(0.6)
    digits = card.postal_code if len(card.postal_code) == 7 else ""
    for i, left in enumerate(POSTAL_BOXES):
        x = left * mm
        if card.boxes:
            canvas.rect(x, height - BOX_TOP - BOX_HEIGHT, BOX_WIDTH, BOX_HEIGHT)
        if digits:
            canvas.setFont(LATIN, 14)
            canvas.drawCentredString(x + BOX_WIDTH / 2, height - BOX_TOP - 6.2 * mm, digits[i])
    canvas.setStrokeColorRGB(0, 0, 0)
    # The address: vertical columns at the right, under the boxes.
    canvas.setFont(MINCHO, 12)
    _column(
        canvas,
        ADDRESS_COLUMN_X,
        height - 26 * mm,
        vertical_text(card.address),
        12,
        bottom=40 * mm,
    )
    # The name, large, in the middle.
    name = (card.name or f"{card.child_name}さんの保護者") + "　様"
    size = min(20.0, (height - 40 * mm - 20 * mm) / max(len(name), 1))
    canvas.setFont(MINCHO, size)
    _column(canvas, NAME_COLUMN_X, height - 32 * mm, name, size, bottom=12 * mm)
    if card.child_name and card.name:
        canvas.setFont(MINCHO, 9)
        _column(
            canvas,
            NAME_COLUMN_X - size - 6,
            height - 36 * mm,
            f"（{card.child_name}さんの保護者様）",
            9,
            bottom=12 * mm,
        )
    # The sender, small, bottom left.
    canvas.setFont(MINCHO, 8)
    x = SENDER_COLUMN_X
    for line in card.sender.splitlines()[:3]:
        _column(canvas, x, height - 78 * mm, vertical_text(line), 8, bottom=12 * mm)
        x -= 11
    canvas.showPage()
    # Message side.
    canvas.setPageSize(POSTCARD)
    y = height - 14 * mm
    lines = wrap(card.message, MINCHO, 9.5, width - 16 * mm)
    if lines:
        canvas.setFont(GOTHIC, 12)
        canvas.drawCentredString(width / 2, y, lines[0])
        y -= 22
    canvas.setFont(MINCHO, 9.5)
    for line in lines[1:]:
        if y < 20 * mm:
            break
        canvas.drawString(8 * mm, y, line)
        y -= 14
    canvas.setFont(MINCHO, 8)
    sender = card.sender.splitlines()
    if sender:
        canvas.drawRightString(width - 8 * mm, 10 * mm, sender[0])
    canvas.showPage()


# --- documents ---------------------------------------------------------------------------


def document(pages: Iterable[Letter | Postcard], *, title: str) -> bytes:
    """One PDF of many letters or postcards (the printer's batch). The title names the kind
    of document, never a person."""
    register_japanese_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor("shoka")
    canvas.setCreator("shoka")
    empty = True
    for page in pages:
        empty = False
        if isinstance(page, Letter):
            draw_letter(canvas, page)
        else:
            draw_postcard(canvas, page)
    if empty:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
