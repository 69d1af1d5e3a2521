"""Loans, holds and the circulation rule tables. Invariants are database constraints."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shoka.catalogue.models import Bib, Item, LoanCategory
from shoka.organisation.models import Branch, Library
from shoka.patrons.models import NotifyChannel, Patron, PatronCategory


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("calendar days")
    OPENING_DAYS = "opening_days", _("opening days (開館日)")


class SuspensionMode(models.TextChoices):
    NONE = "none", _("no suspension after return")
    DAYS_AFTER_RETURN = "days_after_return", _("suspended for N days after a late return")
    DAYS_PER_DAY_LATE = "days_per_day_late", _("suspended N days per day late")


class LoanRule(models.Model):
    """Loan terms for patron category × loan category × branch. An empty key matches any
    value; the most specific matching row wins (policy.py explains the order)."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="loan_rules")
    patron_category = models.ForeignKey(
        PatronCategory, on_delete=models.CASCADE, null=True, blank=True
    )
    loan_category = models.ForeignKey(LoanCategory, on_delete=models.CASCADE, null=True, blank=True)
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, null=True, blank=True)
    loan_period = models.PositiveSmallIntegerField(_("loan period"), default=14)
    period_unit = models.CharField(
        max_length=16, choices=PeriodUnit.choices, default=PeriodUnit.DAYS
    )
    max_items = models.PositiveSmallIntegerField(
        _("maximum items of this loan category"), null=True, blank=True
    )
    renewals = models.PositiveSmallIntegerField(_("renewals allowed"), default=1)
    holds_allowed = models.BooleanField(_("holds allowed"), default=True)

    class Meta:
        verbose_name = _("loan rule")
        constraints = [
            models.UniqueConstraint(
                "library",
                Coalesce("patron_category", 0),
                Coalesce("loan_category", 0),
                Coalesce("branch", 0),
                name="loan_rule_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(loan_period__gte=1), name="loan_rule_period_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"loan rule {self.pk}"


class PatronRule(models.Model):
    """Patron-wide terms for patron category × branch (same fallback rule)."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="patron_rules")
    patron_category = models.ForeignKey(
        PatronCategory, on_delete=models.CASCADE, null=True, blank=True
    )
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, null=True, blank=True)
    max_loans = models.PositiveSmallIntegerField(_("maximum items on loan"), default=10)
    max_holds = models.PositiveSmallIntegerField(_("maximum holds"), default=10)
    block_when_overdue = models.BooleanField(
        _("refuse loans and renewals while items are overdue"), default=True
    )
    suspension_mode = models.CharField(
        max_length=20, choices=SuspensionMode.choices, default=SuspensionMode.NONE
    )
    suspension_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("patron rule")
        constraints = [
            models.UniqueConstraint(
                "library",
                Coalesce("patron_category", 0),
                Coalesce("branch", 0),
                name="patron_rule_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"patron rule {self.pk}"


class Loan(models.Model):
    """A loan. At return it keeps item, dates, branches and statistical attributes and loses
    its patron — unless the patron opted in to a reading history (then `history_kept`)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="loans")
    patron = models.ForeignKey(
        Patron, on_delete=models.PROTECT, related_name="loans", null=True, blank=True
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    checked_out_at = models.DateTimeField()
    due_on = models.DateField(db_index=True)
    renewals = models.PositiveSmallIntegerField(default=0)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history_kept = models.BooleanField(default=False)
    # Statistics that survive the unlinking (no personal data).
    patron_category = models.CharField(max_length=32)
    age_band = models.CharField(max_length=8, blank=True)
    area_code = models.CharField(max_length=16, blank=True)
    overridden = models.BooleanField(default=False)

    class Meta:
        permissions = [("override_refusal", "Can override a circulation refusal (with a reason)")]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(returned_at__isnull=True),
                name="one_open_loan_per_item",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=False) | models.Q(patron__isnull=False),
                name="open_loan_has_patron",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True)
                | models.Q(patron__isnull=True)
                | models.Q(history_kept=True),
                name="returned_loan_unlinked_unless_history_kept",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True)
                | models.Q(returned_at__gte=models.F("checked_out_at")),
                name="loan_returned_after_checkout",
            ),
        ]
        indexes = [
            models.Index(fields=["patron", "returned_at"], name="loan_patron_open_idx"),
        ]

    def __str__(self) -> str:
        return f"loan {self.pk}"


class HoldStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    IN_TRANSIT = "in_transit", _("in transit to pickup")
    READY = "ready", _("ready on the hold shelf")
    FULFILLED = "fulfilled", _("collected")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("expired (not collected)")


ACTIVE_HOLD = [HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY]
TRAPPED_HOLD = [HoldStatus.IN_TRANSIT, HoldStatus.READY]


class Hold(models.Model):
    """A title-level hold (予約), queued in request order."""

    bib = models.ForeignKey(Bib, on_delete=models.PROTECT, related_name="holds")
    patron = models.ForeignKey(
        Patron, on_delete=models.PROTECT, related_name="holds", null=True, blank=True
    )
    pickup_branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    notify_channel = models.CharField(max_length=10, choices=NotifyChannel.choices)
    placed_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=HoldStatus.choices, default=HoldStatus.WAITING)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="holds", null=True, blank=True
    )
    trapped_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(_("last pickup day"), null=True, blank=True)
    pickup_number = models.CharField(_("pickup number (取置番号)"), max_length=8, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=12, blank=True)  # patron / staff / system
    patron_category = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status__in=TRAPPED_HOLD),
                name="one_trapped_hold_per_item",
            ),
            models.UniqueConstraint(
                fields=["patron", "bib"],
                condition=models.Q(status__in=ACTIVE_HOLD),
                name="one_active_hold_per_patron_and_title",
            ),
            models.UniqueConstraint(
                fields=["pickup_branch", "pickup_number"],
                condition=models.Q(status__in=TRAPPED_HOLD),
                name="pickup_number_unique_on_shelf",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=TRAPPED_HOLD) | models.Q(item__isnull=False),
                name="trapped_hold_has_item",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=HoldStatus.READY) | models.Q(expires_on__isnull=False),
                name="ready_hold_has_expiry",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=ACTIVE_HOLD) | models.Q(patron__isnull=False),
                name="active_hold_has_patron",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=HoldStatus.values), name="hold_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["bib", "status", "placed_at"], name="hold_queue_idx"),
            models.Index(fields=["patron", "status"], name="hold_patron_idx"),
            # Pickup numbers in use on a branch's shelf (SQLite cannot use the partial unique
            # index when the statuses are bound parameters).
            models.Index(fields=["pickup_branch", "status"], name="hold_pickup_shelf_idx"),
        ]

    def __str__(self) -> str:
        return f"hold {self.pk}"
