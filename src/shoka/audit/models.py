"""Append-only, hash-chained logs: the audit log (state changes) and the access log (staff
reads of patron records). Rows carry ids and codes only, never personal data in clear.

Each row's `hash` is HMAC-SHA256(audit key, prev_hash || canonical row); `seq` is contiguous
from 1 and assigned under a lock on the chain head, so an edited, removed or inserted row
breaks the chain (`shoka audit verify`). Database triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

from django.db import models


class ChainHead(models.Model):
    chain = models.CharField(primary_key=True, max_length=16)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


class LogEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=100)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} by {self.actor}"


class AuditEvent(LogEntry):
    """A state change (dotted action code such as `loan.checked_out`)."""

    class Meta(LogEntry.Meta):
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]


class AccessEvent(LogEntry):
    """A staff read of a patron record (`patron.viewed`, `patron.searched` …)."""

    class Meta(LogEntry.Meta):
        indexes = [models.Index(fields=["object_type", "object_id"], name="access_object_idx")]
