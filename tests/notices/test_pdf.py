"""Letters and postcards as PDF: page count and size, the address and name where the
envelope window and the postal convention put them, and no title on a postcard."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from shoka.audit.models import AuditEvent
from shoka.notices import pdf
from shoka.notices.daily import run_notices
from shoka.notices.models import LadderStage, Notice
from shoka.notices.printing import NothingToPrintError, print_batch
from shoka.notices.rendering import context_of, render

from .conftest import at_day

A4 = (595.28, 841.89)
POSTCARD = (283.46, 419.53)


def _texts(page) -> list[tuple[str, float, float]]:
    """Each piece of text on a page with its position (points from the bottom left)."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    return found


def _inside(texts, left, bottom, right, top) -> str:
    return "".join(t for t, x, y in texts if left <= x <= right and bottom <= y <= top)


def _size(page) -> tuple[float, float]:
    return (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))


@pytest.fixture
def letters_ladder(world):
    """Letters from day 14 for everybody (the default ladder sends postcards then)."""
    LadderStage.objects.create(library=world.library, stage=1, days=14, channel="letter")


def _print(world, borrowers, channel, *people, title="吾輩は猫である"):
    loans = [borrowers.lend(p, title) for p in people]
    at = at_day(loans[0].due_on, 14)
    run_notices(world.library, at=at)
    data, count, _batch = print_batch(world.library, channel, at=at, actor=world.staff)
    return PdfReader(io.BytesIO(data)), count


def _postal(patron) -> str:
    return f"〒{patron.postal_code[:3]}-{patron.postal_code[3:]}"


def test_a_letter_is_one_a4_page_with_the_address_in_the_envelope_window(
    world, borrowers, letters_ladder
):
    hanako = borrowers.patron()
    reader, count = _print(world, borrowers, "letter", hanako)
    assert count == 1 and len(reader.pages) == 1
    page = reader.pages[0]
    assert _size(page) == A4
    texts = _texts(page)
    height = A4[1]
    window = _inside(
        texts,
        pdf.WINDOW_LEFT,
        height - pdf.WINDOW_TOP - pdf.WINDOW_HEIGHT,
        pdf.WINDOW_LEFT + pdf.WINDOW_WIDTH,
        height - pdf.WINDOW_TOP,
    )
    assert _postal(hanako) in window
    assert hanako.address in window
    assert f"{hanako.name} 様" in window
    assert "吾輩は猫である" not in window
    below_fold = _inside(texts, 0, 0, A4[0], height - pdf.FOLDS[0])
    assert "吾輩は猫である" in below_fold


def test_a_childs_letter_is_addressed_to_the_guardian_and_names_the_child(
    world, borrowers, letters_ladder
):
    ken = borrowers.patron("山田 健", "ヤマダ ケン", category="child", birth_date=None)
    reader, _ = _print(world, borrowers, "letter", ken, title="はらぺこあおむし")
    texts = _texts(reader.pages[0])
    height = A4[1]
    window = _inside(texts, pdf.WINDOW_LEFT, height - 59 * mm, 113 * mm, height - 14 * mm)
    assert f"{ken.guardian_name} 様" in window  # the guardian (world fixture)
    assert f"{ken.name}さんの保護者様" in window
    body = "".join(t for t, _, _ in texts)
    assert f"{ken.name}さんがお借りになっている" in body and "はらぺこあおむし" in body


def test_a_postcard_has_two_pages_of_100_by_148_mm_and_no_title_anywhere(world, borrowers):
    taro = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    reader, count = _print(world, borrowers, "postcard", taro)
    assert count == 1 and len(reader.pages) == 2
    assert {_size(p) for p in reader.pages} == {POSTCARD}
    address_side, message_side = (_texts(p) for p in reader.pages)
    text = "".join(t for t, _, _ in address_side)
    assert "吾輩" not in text and "吾輩" not in "".join(t for t, _, _ in message_side)
    width, height = POSTCARD
    # The postal code, one digit per box, in the boxes at the top right.
    boxes = _inside(address_side, 44 * mm, height - 20 * mm, width, height - 12 * mm)
    assert boxes == taro.postal_code
    # The address in vertical columns on the right, the name in the middle.
    right = _inside(address_side, 70 * mm, 0, width, height - 22 * mm)
    assert right.startswith(pdf.vertical_text(taro.address))
    middle = _inside(address_side, 40 * mm, 0, 65 * mm, height - 25 * mm)
    assert middle == taro.name.replace(" ", "") + "様"  # spaces: blank steps of the column
    assert "返却のお願い" in "".join(t for t, _, _ in message_side)


def test_a_batch_is_one_pdf_in_postal_code_order_and_is_logged(world, borrowers, letters_ladder):
    people = [
        borrowers.patron("佐藤 太郎", "サトウ タロウ", postal_code="3990000", address="1-2"),
        borrowers.patron("鈴木 次郎", "スズキ ジロウ"),
        borrowers.patron("高橋 三郎", "タカハシ サブロウ", postal_code="1000001", address="1-1"),
    ]
    reader, count = _print(world, borrowers, "letter", *people)
    assert count == 3 and len(reader.pages) == 3
    firsts = ["".join(t for t, _, _ in _texts(p))[:9] for p in reader.pages]
    assert firsts == sorted(_postal(p) for p in people)
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}
    event = AuditEvent.objects.get(action="notices.file_generated")
    assert event.data["notices"] == 3 and event.data["kind"] == "letters"
    with pytest.raises(NothingToPrintError):
        print_batch(world.library, "letter", at=event.at, actor=world.staff)


def test_each_letter_of_a_batch_is_in_its_patrons_language(world, borrowers, letters_ladder):
    hanako = borrowers.patron()
    emily = borrowers.patron(
        "Emily Clarke", "クラーク エミリー", postal_code="1000001", address="1-1", language="en"
    )
    loan = borrowers.lend(hanako, "こころ")
    borrowers.lend(emily, "Kokoro: A Novel in Three Parts, translated from the Japanese")
    at = at_day(loan.due_on, 14)
    run_notices(world.library, at=at)
    with translation.override("ja"):  # the staff member's language does not matter
        data, count, _batch = print_batch(world.library, "letter", at=at, actor=world.staff)
    reader = PdfReader(io.BytesIO(data))
    assert count == 2 and len(reader.pages) == 2
    english, japanese = (p.extract_text() for p in reader.pages)  # postal-code order
    assert f"Dear {emily.name}," in english and "past their due date" in english
    assert "Shoka City Library" in english  # the library's English name
    assert "2026年" not in english and re.search(r"\d{1,2} [A-Z][a-z]+ 2026", english)
    assert f"{emily.name} 様" in english  # the envelope window keeps the postal convention
    # The body wraps at spaces, never inside a word: the page holds its words in order.
    notice = Notice.objects.get(patron=emily)
    ctx = context_of(notice, today=at.date())
    body = render(world.library, "overdue_letter", ctx, sealed=True).body
    assert len(body) > 200 and " ".join(body.split()) in " ".join(english.split())
    assert f"{hanako.name} 様" in japanese and "返却期限" in japanese and "Dear" not in japanese


def test_english_text_wraps_at_spaces_and_keeps_every_word_whole():
    text = "Please return them soon. If you have already returned them, please disregard this."
    lines = pdf.wrap(text, pdf.MINCHO, 10.5, 120)
    assert len(lines) > 2
    assert " ".join(lines) == text
    for line in lines:
        assert pdfmetrics.stringWidth(line, pdf.MINCHO, 10.5) <= 120


def test_a_long_word_wraps_without_losing_characters():
    lines = pdf.wrap("あ" * 100 + "。", pdf.MINCHO, 10, 100)
    assert "".join(lines) == "あ" * 100 + "。"
    assert not any(line.startswith("。") for line in lines)


def test_a_childs_postcard_goes_to_the_guardian_without_a_title(world, borrowers):
    ken = borrowers.patron("山田 健", "ヤマダ ケン", category="child", birth_date=None)
    reader, _ = _print(world, borrowers, "postcard", ken, title="はらぺこあおむし")
    address_side = "".join(t for t, _, _ in _texts(reader.pages[0]))
    message_side = "".join(t for t, _, _ in _texts(reader.pages[1]))
    assert ken.guardian_name.replace(" ", "") + "様" in address_side
    assert "保護者様" in address_side
    assert "はらぺこ" not in address_side + message_side
    assert f"{ken.name}さんがお借りの本" in message_side


def test_the_librarys_own_template_wins_over_the_shipped_one(world, borrowers):
    from shoka.notices.models import NoticeTemplate

    NoticeTemplate.objects.create(
        library=world.library,
        key="overdue_postcard",
        language="ja",
        body="特製の文面 {{ name }} 様",
    )
    reader, _ = _print(world, borrowers, "postcard", borrowers.patron())
    assert "特製の文面 山田 花子 様" in reader.pages[1].extract_text()
