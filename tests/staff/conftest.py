"""What the staff-site tests share: the clock (Tuesday 2 June 2026, 11:00 in Tokyo — an
ordinary opening day, as in tests/conftest.py), a page title reader and a PDF text reader."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 6, 2, 11, 0, tzinfo=TOKYO)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def title_of():
    def title_of(html: str) -> str:
        match = re.search(r"<title>(.*?)</title>", html, re.S)
        assert match, "the page has a <title>"
        return match.group(1)

    return title_of


@pytest.fixture
def pdf_text():
    from pypdf import PdfReader

    def pdf_text(data: bytes) -> str:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() for page in reader.pages)

    return pdf_text
