"""The library, its branches (main, branch libraries, bookmobile), shelving locations and
opening calendars. The calendar rules are data here; `calendar.py` computes with them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckDigit(models.TextChoices):
    NONE = "none", _("none")
    MOD10_W21 = "mod10_w21", _("modulus 10, weights 2-1 (split digits)")
    MOD10_W21_NOSPLIT = "mod10_w21_nosplit", _("modulus 10, weights 2-1 (no split)")
    MOD11 = "mod11", _("modulus 11")
    R7DR = "7dr", _("7DR (divide by 7, remainder)")
    R7DSR = "7dsr", _("7DSR (divide by 7, subtract remainder)")


class Library(models.Model):
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    country = models.CharField(_("holiday calendar country"), max_length=2, default="JP")
    card_check_digit = models.CharField(
        _("card number check digit"),
        max_length=20,
        choices=CheckDigit.choices,
        default=CheckDigit.NONE,
    )
    item_check_digit = models.CharField(
        _("item barcode check digit"),
        max_length=20,
        choices=CheckDigit.choices,
        default=CheckDigit.NONE,
    )
    registration_years = models.PositiveSmallIntegerField(
        _("registration valid for (years)"), default=3
    )

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")

    def __str__(self) -> str:
        return self.name


class BranchKind(models.TextChoices):
    MAIN = "main", _("main library")
    BRANCH = "branch", _("branch library")
    BOOKMOBILE = "bookmobile", _("bookmobile")


class Branch(models.Model):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="branches")
    code = models.SlugField(max_length=32)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=BranchKind.choices, default=BranchKind.BRANCH)
    is_active = models.BooleanField(default=True)
    # Opening calendar rules (see organisation.calendar for their meaning).
    weekly_closed_days = models.JSONField(
        _("weekly closed days (0 = Monday)"), default=list, blank=True
    )
    move_closed_day_after_holiday = models.BooleanField(
        _("when the closed day is a public holiday, open and close the next non-holiday"),
        default=True,
    )
    closed_on_public_holidays = models.BooleanField(default=False)
    monthly_closed_rule = models.JSONField(
        _("monthly housekeeping day (整理日)"),
        default=list,
        blank=True,
        help_text='e.g. [{"week": -1, "weekday": 3}] (last Thursday) or [{"day": 25}]',
    )
    annual_closures = models.JSONField(
        _("annual closures"),
        default=list,
        blank=True,
        help_text='e.g. [["12-29", "01-03"]] (年末年始)',
    )
    hold_shelf_days = models.PositiveSmallIntegerField(
        _("hold shelf keeps items for (opening days)"), default=7
    )
    # What the public site shows about the branch (published to the OPAC; shoka.publish).
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    opening_hours = models.JSONField(
        _("opening hours per weekday"),
        default=list,
        blank=True,
        help_text='Seven entries, Monday first: ["09:00", "19:00"] or null when closed that '
        "weekday; empty when not given.",
    )

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = [
            models.UniqueConstraint(fields=["library", "code"], name="branch_code_unique"),
            models.UniqueConstraint(
                fields=["library"], condition=models.Q(kind="main"), name="one_main_library"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        days = self.weekly_closed_days or []
        if not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            raise ValidationError({"weekly_closed_days": _("weekdays are 0 (Mon) to 6 (Sun)")})
        if not valid_opening_hours(self.opening_hours):
            raise ValidationError(
                {
                    "opening_hours": _(
                        'give seven entries, Monday first, each ["HH:MM", "HH:MM"] (opening '
                        "before closing) or null"
                    )
                }
            )


_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")


def valid_opening_hours(value: object) -> bool:
    """Seven entries (Monday first), each null or [opens, closes] as "HH:MM", opens first;
    or an empty list (not given)."""
    if value in (None, []):
        return True
    if not isinstance(value, list) or len(value) != 7:
        return False
    for entry in value:
        if entry is None:
            continue
        if not (isinstance(entry, list) and len(entry) == 2):
            return False
        opens, closes = entry
        if not (isinstance(opens, str) and isinstance(closes, str)):
            return False
        if not (_HHMM.match(opens) and _HHMM.match(closes) and opens < closes):
            return False
    return True


class Location(models.Model):
    """A shelving location (配架場所): 一般書架, 児童書架, 書庫, 参考図書 …"""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="locations")
    code = models.SlugField(max_length=32)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    is_open_stack = models.BooleanField(_("open stacks"), default=True)

    class Meta:
        verbose_name = _("shelving location")
        constraints = [
            models.UniqueConstraint(fields=["branch", "code"], name="location_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.branch.name} {self.name}"


class ClosedPeriodKind(models.TextChoices):
    CLOSED = "closed", _("closed (臨時休館)")
    STOCKTAKING = "stocktaking", _("stocktaking (特別整理期間)")


class ClosedPeriod(models.Model):
    """Specific closed dates. `branch` empty means every branch of the library."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="closures")
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, null=True, blank=True, related_name="closures"
    )
    start = models.DateField()
    end = models.DateField()
    kind = models.CharField(
        max_length=12, choices=ClosedPeriodKind.choices, default=ClosedPeriodKind.CLOSED
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("closed period")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="closure_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end} {self.get_kind_display()}"


class SpecialOpening(models.Model):
    """A day open despite the weekly or monthly rules (e.g. an event on a Monday)."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="special_openings")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "date"], name="special_opening_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.date}"


class BookmobileStop(models.Model):
    """A stop (ステーション) on a bookmobile's timetable: visited every `interval_weeks` weeks
    on `weekday`, counted from `first_visit`."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="stops")
    code = models.SlugField(max_length=32)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    weekday = models.PositiveSmallIntegerField()
    interval_weeks = models.PositiveSmallIntegerField(default=2)
    first_visit = models.DateField()
    arrives = models.TimeField()
    departs = models.TimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("bookmobile stop")
        ordering = ["branch", "order"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "code"], name="stop_code_unique"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="stop_weekday_valid"),
            models.CheckConstraint(
                condition=models.Q(interval_weeks__gte=1), name="stop_interval_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(departs__gt=models.F("arrives")), name="stop_departs_after"
            ),
        ]

    def __str__(self) -> str:
        return self.name
