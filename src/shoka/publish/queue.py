"""Queueing changed records for publishing (see ``models.PublishChange``)."""

from __future__ import annotations

from collections.abc import Iterable

from shoka.bulk import insert_rows

from .models import PublishChange


def enqueue(bib_ids: Iterable[int]) -> None:
    """Mark records as changed for the public side. Call inside the changing transaction."""
    ids = sorted(set(bib_ids))
    if len(ids) == 1:
        PublishChange.objects.create(bib_id=ids[0])
    elif ids:
        insert_rows(PublishChange, ("bib_id",), [(i,) for i in ids])


def pending() -> int:
    return PublishChange.objects.count()
