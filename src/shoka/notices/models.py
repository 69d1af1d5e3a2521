"""Notices (督促・予約連絡): the overdue ladder, the notices sent, their templates, and the
short-lived encrypted copies of generated files.

A notice row names the patron, the loans or hold and the stage by id only: names, addresses
and titles are read from the patron and catalogue records when a notice is rendered, never
copied here (docs/notices.md)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shoka.circulation.models import Hold, Loan
from shoka.organisation.models import Library
from shoka.patrons.models import Patron, PatronCategory
from shoka.security.fields import SealedBlobField


class Channel(models.TextChoices):
    EMAIL = "email", _("email")
    POSTCARD = "postcard", _("postcard")
    LETTER = "letter", _("letter")
    PHONE = "phone", _("phone call")
    REVIEW = "review", _("staff review")


class Kind(models.TextChoices):
    OVERDUE = "overdue", _("overdue")
    HOLD_READY = "hold_ready", _("hold ready")


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class LadderStage(models.Model):
    """One rung of the overdue ladder: `days` after the due date, notify by `channel`.
    Rows without a patron category are the library's default ladder; a category with rows
    of its own uses only those."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    patron_category = models.ForeignKey(
        PatronCategory, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stage = models.PositiveSmallIntegerField(_("stage"))
    days = models.PositiveSmallIntegerField(_("days overdue"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("notice ladder stage")
        ordering = ["stage"]
        constraints = [
            models.UniqueConstraint(
                "library",
                Coalesce("patron_category", 0),
                "stage",
                name="ladder_stage_unique",
            ),
            models.CheckConstraint(condition=models.Q(stage__gte=1), name="ladder_stage_positive"),
            models.CheckConstraint(condition=models.Q(days__gte=1), name="ladder_days_positive"),
        ]

    def __str__(self) -> str:
        return f"stage {self.stage}: day {self.days} {self.channel}"


class PrintBatch(models.Model):
    """One run of the printer's batch (all of a day's letters or postcards): which notices
    went to paper together, so that staff can print the same batch again — a jammed
    printer, a spoilt sheet — without recording or sending anything anew. Ids and counts
    only; the PDF itself is never kept here."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    printed_at = models.DateTimeField()
    printed_by = models.CharField(max_length=64)  # an actor code
    count = models.PositiveIntegerField()  # notices printed (patrons deleted since leave it)

    class Meta:
        verbose_name = _("printed batch")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["letter", "postcard"]),
                name="print_batch_paper_only",
            ),
        ]
        indexes = [models.Index(fields=["library", "-printed_at"], name="print_batch_recent_idx")]

    def __str__(self) -> str:
        return f"batch {self.pk}"


class Notice(models.Model):
    """One notice to one patron. No personal data: ids, stage, channel, status, times."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    stage = models.PositiveSmallIntegerField(default=0)  # 0 for hold-ready notices
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to_guardian = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    hold = models.ForeignKey(
        Hold, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=64)  # an actor code: "system:daily", "user:3"
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why the last attempt failed, in the words of the mail server (never an address).
    error = models.CharField(max_length=200, blank=True)
    # Phone calls: the result of the call, chosen from a list.
    call_result = models.CharField(max_length=16, blank=True)
    # Letters and postcards: the printer's batch that sent it (for a reprint).
    batch = models.ForeignKey(
        PrintBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )

    class Meta:
        verbose_name = _("notice")
        constraints = [
            models.UniqueConstraint(
                fields=["hold"],
                condition=models.Q(kind="hold_ready"),
                name="one_ready_notice_per_hold",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]),
                name="notice_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["library", "status", "channel"], name="notice_queue_idx"),
            models.Index(fields=["patron", "created_at"], name="notice_patron_idx"),
        ]

    def __str__(self) -> str:
        return f"notice {self.pk}"


class NoticeLoan(models.Model):
    """Which loans a notice is about. Each loan gets each stage once: the constraint that
    makes the daily job idempotent."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="lines")
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="+")
    item_id = models.PositiveBigIntegerField()
    stage = models.PositiveSmallIntegerField()
    due_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["loan", "stage"], name="one_notice_per_loan_stage"),
        ]

    def __str__(self) -> str:
        return f"loan {self.loan_id} stage {self.stage}"


class NoticeTemplate(models.Model):
    """A Django template the library may edit. Rows without a library are the defaults
    shipped with shoka (a data migration); a library's own row of the same key and language
    wins."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, null=True, blank=True)
    key = models.SlugField(_("template"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject (email)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice template")
        constraints = [
            models.UniqueConstraint(
                Coalesce("library", 0), "key", "language", name="notice_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"


class StoredFile(models.Model):
    """A generated PDF kept for a while, encrypted with the data key (AES-256-GCM) in the
    database — never as a file — and deleted by the daily job after `expires_at`. Its
    plaintext is letters or postcards: names, addresses, titles (the register lists it)."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)
    size = models.PositiveIntegerField()
    # How many people the file is about (its notices): the register's count of persons.
    persons = models.PositiveIntegerField(default=0)
    sealed = SealedBlobField(holds=("name", "address", "postal_code", "guardian", "loan_title"))

    def __str__(self) -> str:
        return f"stored file {self.pk}"
