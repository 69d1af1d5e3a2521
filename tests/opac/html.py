"""A small reader for the public pages' HTML in tests (the standard library's parser): links
with their text and attributes, elements by tag and attribute, and the visible text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        for parent in self.open:
            parent.text += " "  # a tag separates words (table cells, list items)
        self.elements.append(element)
        if tag in ("script", "style"):
            self.skip += 1
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.text.append(data)
        for element in self.open:
            element.text += data


class Page:
    def __init__(self, body: bytes | str) -> None:
        html = body.decode() if isinstance(body, bytes) else body
        parser = _Parser()
        parser.feed(html)
        self.html = html
        self.elements = parser.elements
        self.text = " ".join(" ".join(parser.text).split())

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        """Elements by tag and attributes (``class_`` matches one of the classes; other
        names with ``_`` stand for ``-``: ``aria_current``)."""

        def matches(element: Element, key: str, value: str) -> bool:
            if key == "class_":
                return value in element.attrs.get("class", "").split()
            return element.attrs.get(key.replace("_", "-")) == value

        return [
            e
            for e in self.elements
            if e.tag == tag and all(matches(e, k, v) for k, v in attrs.items())
        ]

    def link(self, text: str) -> str:
        """The href of the one link whose text contains ``text``."""
        found = [a for a in self.find_all("a") if text in " ".join(a.text.split())]
        assert len(found) == 1, f"{len(found)} links with {text!r}: {[a.text for a in found]}"
        return found[0].attrs["href"]

    def result_titles(self) -> list[str]:
        return [" ".join(a.text.split()) for a in self.find_all("a", class_="title")]


def get(opac: Any, path: str, **headers: str) -> tuple[int, dict[str, str], Page]:
    """GET a page of a live OPAC (tests/opac/conftest.py): status, headers, parsed page."""
    answer = opac.get(quote(path, safe="/?&=%:+,;-"), headers=headers or None)
    return answer.status, answer.headers, Page(answer.body)
