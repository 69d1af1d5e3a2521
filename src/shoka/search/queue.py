"""Queueing changed records for the index writer (see ``models.IndexChange``)."""

from __future__ import annotations

from collections.abc import Iterable

from shoka.bulk import insert_rows
from shoka.publish.queue import enqueue as publish_enqueue

from .models import IndexChange


def enqueue(bib_ids: Iterable[int]) -> None:
    """Mark records as changed. Call inside the transaction that changes them.

    Every change that the index must see, the public OPAC must see too: the same ids are
    queued for publishing (shoka.publish.queue) in the same transaction."""
    ids = sorted(set(bib_ids))
    publish_enqueue(ids)
    if len(ids) == 1:
        IndexChange.objects.create(bib_id=ids[0])
    elif ids:
        insert_rows(IndexChange, ("bib_id",), [(i,) for i in ids])


def pending() -> int:
    return IndexChange.objects.count()
