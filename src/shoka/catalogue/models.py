"""Bibliographic records (Bib) and the physical copies (Item) that circulate."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shoka.organisation.models import Branch, Library, Location


class MaterialType(models.TextChoices):
    BOOK = "book", _("book")
    PICTURE_BOOK = "picture_book", _("picture book (絵本)")
    KAMISHIBAI = "kamishibai", _("kamishibai (紙芝居)")
    LARGE_PRINT = "large_print", _("large print (大活字本)")
    MAGAZINE = "magazine", _("magazine")
    CD = "cd", _("CD")
    DVD = "dvd", _("DVD")
    DAISY = "daisy", _("DAISY")
    OTHER = "other", _("other")


class Bib(models.Model):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="bibs")
    title = models.CharField(_("title"), max_length=1000)
    title_reading = models.CharField(_("title reading (ヨミ)"), max_length=1000, blank=True)
    title_romanized = models.CharField(_("romanised title"), max_length=1000, blank=True)
    responsibility = models.CharField(_("statement of responsibility"), max_length=1000, blank=True)
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    publisher_reading = models.CharField(max_length=500, blank=True)
    publication_place = models.CharField(_("place of publication"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    ndc = models.CharField(_("NDC class"), max_length=20, blank=True)
    ndc_edition = models.CharField(_("NDC edition"), max_length=4, blank=True)
    jpno = models.CharField(_("JP number (全国書誌番号)"), max_length=20, blank=True)
    ndl_call_number = models.CharField(_("NDL call number"), max_length=100, blank=True)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    subject_readings = models.JSONField(default=list, blank=True)
    # [[title, reading], ...]: variant, parallel and contents titles (MARC 246, 740, 505 $t)
    other_titles = models.JSONField(_("other titles"), default=list, blank=True)
    material_type = models.CharField(
        max_length=16, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    language = models.CharField(_("language (ISO 639-2)"), max_length=3, default="jpn")
    series = models.CharField(_("series"), max_length=500, blank=True)
    series_reading = models.CharField(max_length=500, blank=True)
    volume = models.CharField(_("volume"), max_length=100, blank=True)
    edition = models.CharField(_("edition"), max_length=200, blank=True)
    extent = models.CharField(_("extent"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The record as it arrived (ISO 2709 bytes or MARCXML), kept verbatim for re-export.
    source_format = models.CharField(max_length=16, blank=True)
    source_record = models.BinaryField(null=True, blank=True)
    source_id = models.CharField(_("source control number (001/003)"), max_length=100, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("bibliographic record")
        indexes = [
            models.Index(fields=["source_id"], name="bib_source_idx"),
            models.Index(fields=["jpno"], name="bib_jpno_idx"),
            models.Index(fields=["ndc"], name="bib_ndc_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="bib_title_required"),
        ]

    def __str__(self) -> str:
        return self.title


class Contributor(models.Model):
    """An author, editor, illustrator or translator of a Bib, with its reading."""

    # No index of its own: contributor_position_unique (bib, position) serves look-ups by bib.
    bib = models.ForeignKey(
        Bib, on_delete=models.CASCADE, related_name="contributors", db_index=False
    )
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=500)
    reading = models.CharField(max_length=500, blank=True)
    role = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["bib", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bib", "position"], name="contributor_position_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BibIsbn(models.Model):
    """An ISBN as printed on the book, and normalised to ISBN-13 for matching."""

    # No index of its own: bib_isbn_unique (bib, isbn13) serves look-ups by bib.
    bib = models.ForeignKey(Bib, on_delete=models.CASCADE, related_name="isbns", db_index=False)
    isbn13 = models.CharField(max_length=13)
    printed = models.CharField(max_length=100)
    qualifier = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "ISBN"
        constraints = [
            models.UniqueConstraint(fields=["bib", "isbn13"], name="bib_isbn_unique"),
        ]
        indexes = [models.Index(fields=["isbn13"], name="bib_isbn13_idx")]

    def __str__(self) -> str:
        return self.isbn13


class LoanCategory(models.Model):
    """How an item circulates (資料区分 for circulation): general, audio-visual, 紙芝居,
    reference (禁帯出) … Circulation rules are keyed on it."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="loan_categories")
    code = models.SlugField(max_length=32)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    loanable = models.BooleanField(_("can be lent"), default=True)

    class Meta:
        verbose_name = _("loan category")
        verbose_name_plural = _("loan categories")
        constraints = [
            models.UniqueConstraint(fields=["library", "code"], name="loan_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("available")
    ON_LOAN = "on_loan", _("on loan")
    IN_TRANSIT = "in_transit", _("in transit")
    ON_HOLD_SHELF = "on_hold_shelf", _("on the hold shelf")
    MISSING = "missing", _("missing")
    WITHDRAWN = "withdrawn", _("withdrawn")
    IN_REPAIR = "in_repair", _("in repair")


class Item(models.Model):
    # library and bib have no index of their own: item_barcode_unique (library, barcode) and
    # item_bib_status_idx (bib, status) begin with them and serve their look-ups. Every index
    # is written for each of the 1.5 million items of a big import (docs/adr/0004).
    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    barcode = models.CharField(_("barcode"), max_length=40)
    bib = models.ForeignKey(Bib, on_delete=models.PROTECT, related_name="items", db_index=False)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="items", verbose_name=_("home branch")
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="items")
    call_number = models.CharField(_("call number (請求記号)"), max_length=100, blank=True)
    loan_category = models.ForeignKey(LoanCategory, on_delete=models.PROTECT, related_name="items")
    status = models.CharField(
        max_length=16, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    # The branch where the item was last scanned (shelved, put on the hold shelf, or sent
    # off in transit from); the destination of a transit follows from its hold or home.
    current_branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="items_here", null=True, blank=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    acquired_on = models.DateField(_("acquired"), null=True, blank=True)
    price = models.DecimalField(
        _("price (yen)"), max_digits=10, decimal_places=0, null=True, blank=True
    )
    staff_note = models.TextField(_("staff-only note"), blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("item")
        constraints = [
            models.UniqueConstraint(fields=["library", "barcode"], name="item_barcode_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=ItemStatus.values), name="item_status_valid"
            ),
            models.CheckConstraint(condition=~models.Q(barcode=""), name="item_barcode_required"),
        ]
        indexes = [
            models.Index(fields=["bib", "status"], name="item_bib_status_idx"),
            models.Index(fields=["status"], name="item_status_idx"),
        ]

    def __str__(self) -> str:
        return self.barcode
