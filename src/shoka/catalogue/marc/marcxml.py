"""MARCXML: reading with positions, and writing one record as a ``<record>`` element.

Reading (:func:`iter_marcxml`) uses an incremental SAX parser (expat) whose locator gives the
line of each ``<record>`` start tag. Elements are matched by local name, so both the MARC 21
slim namespace (``http://www.loc.gov/MARC21/slim``) and un-namespaced files are read. A file
that stops being well-formed yields the records completed before the error and then one
:class:`XmlProblem` at the error line; nothing after it is read (XML cannot resynchronise).

Per record: a missing leader becomes 24 blanks with leader/09 ``a``; a leader of the wrong
length is padded or cut to 24 characters; missing indicators become blanks; a subfield
without a one-character code is kept under code ``?``. Each is reported as a warning.

Writing (:func:`record_to_xml_bytes`) serialises a record as a ``<record>`` element in the
slim namespace, UTF-8, with characters that XML 1.0 forbids replaced by U+FFFD.
"""

from __future__ import annotations

import re
import xml.sax
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.handler import ContentHandler, feature_external_ges, feature_namespaces
from xml.sax.saxutils import escape, quoteattr
from xml.sax.xmlreader import AttributesNSImpl, Locator

from pymarc import Field, Indicators, Leader, Record, Subfield

__all__ = ["MARC_NS", "XmlProblem", "XmlRecord", "iter_marcxml", "record_to_xml_bytes"]

MARC_NS = "http://www.loc.gov/MARC21/slim"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLOCK = 1 << 16


@dataclass
class XmlRecord:
    line: int
    record: Record
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class XmlProblem:
    line: int
    reason: str


class _Handler(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.done: list[XmlRecord] = []
        self.current: XmlRecord | None = None
        self.locator: Locator | None = None
        self._text: list[str] = []
        self._field: Field | None = None
        self._code: str | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def _line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator is not None else 0

    def startElementNS(  # noqa: N802 (SAX API)
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        local = name[1]
        self._text = []
        if local == "record":
            record = Record()
            record.leader = Leader(" " * 9 + "a" + " " * 14)
            self.current = XmlRecord(self._line(), record)
            self.current.warnings.append("no leader")  # removed when one is found
            return
        cur = self.current
        if cur is None:
            return
        if local == "controlfield":
            self._field = Field(tag=attrs.get((None, "tag"), "???"), data="")
        elif local == "datafield":
            ind1 = attrs.get((None, "ind1"), " ")
            ind2 = attrs.get((None, "ind2"), " ")
            if len(ind1) != 1 or len(ind2) != 1:
                cur.warnings.append(f"field {attrs.get((None, 'tag'), '???')}: bad indicators")
                ind1, ind2 = (ind1 + " ")[0], (ind2 + " ")[0]
            self._field = Field(
                tag=attrs.get((None, "tag"), "???"), indicators=Indicators(ind1, ind2)
            )
        elif local == "subfield":
            code = attrs.get((None, "code"), "")
            if len(code) != 1:
                tag = self._field.tag if self._field else "???"
                cur.warnings.append(f"field {tag}: subfield code {code!r} read as '?'")
                code = "?"
            self._code = code

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:  # noqa: N802
        local = name[1]
        text = "".join(self._text)
        self._text = []
        cur = self.current
        if cur is None:
            return
        if local == "record":
            self.done.append(cur)
            self.current = None
        elif local == "leader":
            cur.warnings.remove("no leader")
            if len(text) != 24:
                cur.warnings.append(f"leader has {len(text)} characters instead of 24")
                text = (text + " " * 24)[:24]
            cur.record.leader = Leader(text)
        elif local == "controlfield" and self._field is not None:
            self._field.data = text
            cur.record.add_field(self._field)
            self._field = None
        elif local == "datafield" and self._field is not None:
            cur.record.add_field(self._field)
            self._field = None
        elif local == "subfield" and self._field is not None and self._code is not None:
            self._field.subfields.append(Subfield(self._code, text))
            self._code = None

    def characters(self, content: str) -> None:
        self._text.append(content)


def iter_marcxml(data: bytes) -> Iterator[XmlRecord | XmlProblem]:
    """Yield each ``<record>`` of a MARCXML document, then an :class:`XmlProblem` if the
    document is not well-formed."""
    handler = _Handler()
    # Files come from staff uploads and vendors: external entities (and DTDs fetched from the
    # network) are switched off; expat >= 2.4 limits entity expansion (billion laughs).
    parser = xml.sax.make_parser()  # noqa: S317
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    # An incremental (feed) parse does not announce a locator; the expat reader is one.
    handler.setDocumentLocator(parser)  # type: ignore[arg-type]
    try:
        for start in range(0, len(data), _BLOCK):
            parser.feed(data[start : start + _BLOCK])  # type: ignore[attr-defined]
            yield from handler.done
            handler.done.clear()
        parser.close()  # type: ignore[attr-defined]
    except xml.sax.SAXParseException as exc:
        yield from handler.done
        yield XmlProblem(
            exc.getLineNumber() or 0, f"the XML is not well-formed: {exc.getMessage()}"
        )
        return
    yield from handler.done
    if handler.current is not None:
        yield XmlProblem(handler.current.line, "the XML ends inside a <record>")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", value))


def record_to_xml_bytes(record: Record, *, namespace: bool = True) -> bytes:
    """Serialise ``record`` as one ``<record>`` element (UTF-8)."""
    parts = [f'<record xmlns="{MARC_NS}">' if namespace else "<record>"]
    parts.append(f"<leader>{_text(str(record.leader))}</leader>")
    for fld in record.fields:
        if fld.is_control_field():
            parts.append(f"<controlfield tag={_attr(fld.tag)}>{_text(fld.data or '')}")
            parts.append("</controlfield>")
            continue
        parts.append(
            f"<datafield tag={_attr(fld.tag)} ind1={_attr(fld.indicator1)} "
            f"ind2={_attr(fld.indicator2)}>"
        )
        parts.extend(
            f"<subfield code={_attr(sub.code)}>{_text(sub.value)}</subfield>"
            for sub in fld.subfields
        )
        parts.append("</datafield>")
    parts.append("</record>")
    return "".join(parts).encode("utf-8")
