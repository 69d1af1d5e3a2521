"""MARC 21 import and export for the catalogue (ISO 2709 and MARCXML, JAPAN/MARC conventions).

* :func:`read_marc` — a file → ImportRecord / BadRecord (:mod:`.reader`);
* :func:`record_to_bib` — a pymarc record → BibData, holdings, warnings (:mod:`.mapping`);
* :func:`to_marc`, :func:`write_marc` — ExportRecord → MARC (:mod:`.writer`).
"""

from shoka.catalogue.marc.mapping import record_to_bib
from shoka.catalogue.marc.reader import read_marc
from shoka.catalogue.marc.writer import to_marc, write_marc

__all__ = ["read_marc", "record_to_bib", "to_marc", "write_marc"]
