"""The public catalogue: what the OPAC may know, and nothing more (docs/publishing.md).

Filled only by the receiver from verified changesets; every field comes from
:mod:`shoka.publish.allowlist`. Ids are the staff ids, so a changeset can update a record in
place. Public pages and APIs read these models; they never write them.

The managers are declared because the type checker runs with the staff settings
(pyproject: django-stubs), where this app is not installed, so it cannot infer them.
"""

from __future__ import annotations

from django.db import models

# Explicit, so that importing this module in a staff process (where the app is not
# installed) can never file these models under the enclosing staff app ``shoka.publish``.
LABEL = "public"


class PublicRecord(models.Model):
    """A bibliographic record (書誌) as the public sees it."""

    id = models.BigIntegerField(primary_key=True)  # the staff bib id
    title = models.CharField(max_length=1000)
    title_reading = models.CharField(max_length=1000, blank=True)
    title_romanized = models.CharField(max_length=1000, blank=True)
    responsibility = models.CharField(max_length=1000, blank=True)
    authors = models.JSONField(default=list)  # [{"name": …, "reading": …}]
    publisher = models.CharField(max_length=500, blank=True)
    publisher_reading = models.CharField(max_length=500, blank=True)
    year = models.IntegerField(null=True, blank=True)
    edition = models.CharField(max_length=200, blank=True)
    extent = models.CharField(max_length=200, blank=True)
    isbns = models.JSONField(default=list)  # ISBN-13
    jpno = models.CharField(max_length=20, blank=True)
    ndc = models.CharField(max_length=20, blank=True)
    subjects = models.JSONField(default=list)
    subject_readings = models.JSONField(default=list)
    series = models.CharField(max_length=500, blank=True)
    series_reading = models.CharField(max_length=500, blank=True)
    volume = models.CharField(max_length=100, blank=True)
    material_type = models.CharField(max_length=20)
    language = models.CharField(max_length=3)
    hold_queue = models.PositiveIntegerField(default=0)  # 予約件数 for the title
    sequence = models.PositiveBigIntegerField()  # the changeset that last wrote this row

    objects: models.Manager[PublicRecord] = models.Manager()  # declared: see the module docstring

    class Meta:
        app_label = LABEL

    def __str__(self) -> str:
        return self.title


class PublicItem(models.Model):
    """A copy (資料): where it is and whether it can be had; never who has it."""

    id = models.BigIntegerField(primary_key=True)  # the staff item id (not the barcode)
    record = models.ForeignKey(PublicRecord, on_delete=models.CASCADE, related_name="items")
    branch = models.CharField(max_length=32)
    branch_name = models.CharField(max_length=200)
    location = models.CharField(max_length=32)
    location_name = models.CharField(max_length=200)
    call_number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20)
    loanable = models.BooleanField(default=True)
    due_on = models.DateField(null=True, blank=True)
    acquired_on = models.DateField(null=True, blank=True)

    objects: models.Manager[PublicItem] = models.Manager()  # declared: see the module docstring

    class Meta:
        app_label = LABEL
        indexes = [models.Index(fields=["branch", "acquired_on"], name="public_item_arrivals_idx")]

    def __str__(self) -> str:
        return f"{self.branch} {self.call_number}"


class ReceiverState(models.Model):
    """One row: the last changeset applied. The next one expected is ``last_sequence + 1``."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager[ReceiverState] = models.Manager()  # declared: see the module docstring

    class Meta:
        app_label = LABEL
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="receiver_one_row")]

    def __str__(self) -> str:
        return f"applied up to {self.last_sequence}"
