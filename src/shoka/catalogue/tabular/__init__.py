"""CSV/TSV import and export of catalogue records (pure Python, no Django).

* :func:`read_tabular` reads the shoka layout (also with Japanese column names) and Next-L
  Enju's resource import layout, in UTF-8 (with or without BOM), UTF-16 (with BOM), CP932 or
  EUC-JP, tab- or comma-separated, into :class:`~shoka.catalogue.records.ImportRecord` and
  :class:`~shoka.catalogue.records.BadRecord`; the returned :class:`TabularFile` also tells
  the detected encoding.
* :func:`write_csv` writes the shoka layout (one row per item), :func:`write_jsonl` one JSON
  object per bib.

The layouts are documented in ``docs/catalogue-formats.md``.
"""

from __future__ import annotations

from shoka.catalogue.tabular._layouts import SHOKA_COLUMNS
from shoka.catalogue.tabular._reader import TabularFile, read_tabular
from shoka.catalogue.tabular._writer import write_csv, write_jsonl

__all__ = ["SHOKA_COLUMNS", "TabularFile", "read_tabular", "write_csv", "write_jsonl"]
