"""The staff side of publishing: the outbox of changed records and the numbered changesets.

``PublishChange`` rows are written in the same transaction as the change they announce (a
transactional outbox, like ``shoka.search.models.IndexChange``), so no committed change can
miss the public side. ``shoka publish`` turns them into ``Changeset`` rows, numbered per
target without gaps, and pushes those the OPAC has not acknowledged.
"""

from __future__ import annotations

from django.db import models


class PublishChange(models.Model):
    """A bibliographic record whose public form may have changed (bib, copy, loan or hold)."""

    bib_id = models.BigIntegerField()  # no foreign key: deletions are published too

    class Meta:
        verbose_name = "publish change"
        indexes = [models.Index(fields=["bib_id"], name="publish_change_bib_idx")]

    def __str__(self) -> str:
        return f"bib {self.bib_id}"


class PublishTarget(models.Model):
    """A public site that receives changesets; holds the last sequence number given out."""

    name = models.SlugField(max_length=32, unique=True)
    last_sequence = models.PositiveBigIntegerField(default=0)
    # SHA-256 of the branches (and calendar) last sent: a changeset carries the branches
    # again only when they differ (a rule, a closure, or the calendar window moving a day).
    branches_digest = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.name


class Changeset(models.Model):
    """One signed changeset: the canonical JSON body exactly as signed, and its signature."""

    target = models.ForeignKey(PublishTarget, on_delete=models.PROTECT, related_name="changesets")
    sequence = models.PositiveBigIntegerField()
    body = models.TextField()  # canonical JSON (UTF-8), the bytes that were signed
    signature = models.CharField(max_length=100)  # base64 Ed25519 signature of body
    records = models.PositiveIntegerField(default=0)
    resync = models.BooleanField(default=False)  # the first of a full re-publish
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "sequence"], name="publish_changeset_unique_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target.name} #{self.sequence}"
