"""The index queue: ids of bibliographic records whose index document is out of date.

A row is written in the same transaction as the change (a transactional outbox), so the
index can never miss a committed change: the single index writer consumes the rows, updates
the index, commits it, and only then deletes the rows it has applied. A crash in between
re-applies them, which is harmless (indexing a record is idempotent).
"""

from __future__ import annotations

from django.db import models


class IndexChange(models.Model):
    bib_id = models.BigIntegerField()  # no foreign key: deletions must be queued too

    class Meta:
        verbose_name = "index change"
        indexes = [models.Index(fields=["bib_id"], name="index_change_bib_idx")]

    def __str__(self) -> str:
        return f"bib {self.bib_id}"
