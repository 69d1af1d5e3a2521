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
    loan_count = models.PositiveIntegerField(default=0)  # loans in the last year (popularity)
    sequence = models.PositiveBigIntegerField()  # the changeset that last wrote this row

    objects: models.Manager[PublicRecord] = models.Manager()  # declared: see the module docstring

    class Meta:
        app_label = LABEL
        indexes = [models.Index(fields=["-loan_count", "id"], name="public_record_popular_idx")]

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
        indexes = [
            models.Index(fields=["branch", "acquired_on"], name="public_item_arrivals_idx"),
            models.Index(fields=["acquired_on"], name="public_item_acquired_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.call_number}"


class PublicBranch(models.Model):
    """A branch (館) as the public sees it: how to get there and when it is open."""

    code = models.CharField(max_length=32, primary_key=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12)  # main | branch | bookmobile
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    hours = models.JSONField(default=list)  # 7 × (null | ["HH:MM", "HH:MM"]), Monday first
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    sequence = models.PositiveBigIntegerField()  # the changeset that last wrote this row

    objects: models.Manager[PublicBranch] = models.Manager()  # declared: see the module docstring

    class Meta:
        app_label = LABEL
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class PublicCalendarDay(models.Model):
    """One day of a branch's calendar: open (with its hours) or closed, and why."""

    branch = models.ForeignKey(PublicBranch, on_delete=models.CASCADE, related_name="days")
    branch_id: str  # declared: see the module docstring
    date = models.DateField()
    is_open = models.BooleanField()
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)
    # "" when open; else weekly | holiday | monthly | annual | closed | stocktaking
    closure = models.CharField(max_length=12, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    objects: models.Manager[PublicCalendarDay] = models.Manager()  # declared: see above

    class Meta:
        app_label = LABEL
        ordering = ["branch", "date"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "date"], name="public_day_unique"),
            models.CheckConstraint(
                condition=models.Q(is_open=True, closure="") | models.Q(is_open=False),
                name="public_day_open_has_no_closure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.date} {'open' if self.is_open else self.closure}"


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
