"""Reading stored records back out for export (MARC21, MARCXML, CSV, JSON Lines).

:func:`export_records` yields one :class:`ExportRecord` per bib, in id order and in chunks,
with the record as stored (including the original MARC record when it came from one) and its
current holdings; the format writers live beside the readers (``marc.writer``, ``tabular``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from shoka.organisation.models import Library

from .importing import bib_data
from .models import Bib, BibIsbn, Contributor, Item
from .records import ExportRecord, HoldingData


def export_records(
    library: Library, *, ids: Sequence[int] | None = None, chunk: int = 2000
) -> Iterator[ExportRecord]:
    bibs = Bib.objects.filter(library=library).order_by("id")
    if ids is not None:
        bibs = bibs.filter(id__in=list(ids))
    last = 0
    while True:
        page = list(bibs.filter(id__gt=last)[:chunk])
        if not page:
            return
        last = page[-1].pk
        page_ids = [b.pk for b in page]
        people: dict[int, list[Contributor]] = {}
        for c in Contributor.objects.filter(bib_id__in=page_ids).order_by("bib_id", "position"):
            people.setdefault(c.bib_id, []).append(c)
        isbns: dict[int, list[BibIsbn]] = {}
        for i in BibIsbn.objects.filter(bib_id__in=page_ids).order_by("id"):
            isbns.setdefault(i.bib_id, []).append(i)
        items: dict[int, list[Item]] = {}
        for item in (
            Item.objects.filter(bib_id__in=page_ids)
            .select_related("branch", "location", "loan_category")
            .order_by("id")
        ):
            items.setdefault(item.bib_id, []).append(item)
        for bib in page:
            copies = items.get(bib.pk, [])
            yield ExportRecord(
                bib_id=bib.pk,
                bib=bib_data(bib, people.get(bib.pk, []), isbns.get(bib.pk, [])),
                holdings=tuple(
                    HoldingData(
                        barcode=i.barcode,
                        branch=i.branch.code,
                        location=i.location.code,
                        call_number=i.call_number,
                        loan_category=i.loan_category.code,
                        price=i.price,
                        acquired_on=i.acquired_on,
                    )
                    for i in copies
                ),
                status={i.barcode: i.status for i in copies},
            )
