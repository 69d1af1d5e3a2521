"""Patrons (利用者). Personal fields are encrypted at rest (AES-256-GCM); exact-match lookups
use keyed blind indexes; name and reading search uses keyed bigram tokens (ADR 0003)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shoka.organisation.models import Branch, Library
from shoka.security.fields import EncryptedDateField, EncryptedTextField


class PatronCategory(models.Model):
    """adult, child, student, out-of-area resident, group (school class) …"""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="patron_categories")
    code = models.SlugField(max_length=32)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    requires_guardian = models.BooleanField(_("guardian required (children)"), default=False)
    is_group = models.BooleanField(_("group (e.g. a school class)"), default=False)

    class Meta:
        verbose_name = _("patron category")
        verbose_name_plural = _("patron categories")
        constraints = [
            models.UniqueConstraint(fields=["library", "code"], name="patron_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PatronStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    BLOCKED = "blocked", _("blocked by staff")
    WITHDRAWN = "withdrawn", _("withdrawn (退会)")


class NotifyChannel(models.TextChoices):
    EMAIL = "email", _("email")
    PHONE = "phone", _("phone")
    POSTCARD = "postcard", _("postcard")
    NONE = "none", _("none")


class Language(models.TextChoices):
    """The language the patron reads notices in (emails, letters, postcards)."""

    JAPANESE = "ja", _("Japanese")
    ENGLISH = "en", _("English")


class Patron(models.Model):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="patrons")
    card_number = EncryptedTextField(_("card number"))
    card_index = models.CharField(max_length=32)
    category = models.ForeignKey(PatronCategory, on_delete=models.PROTECT, related_name="patrons")
    home_branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="patrons")
    status = models.CharField(
        max_length=12, choices=PatronStatus.choices, default=PatronStatus.ACTIVE
    )
    block_reason = models.CharField(_("block reason"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered"))
    expires_on = models.DateField(_("registration expires"))
    suspended_until = models.DateField(_("suspended until (overdue)"), null=True, blank=True)
    # Personal data, encrypted at rest.
    name = EncryptedTextField(_("name"))
    name_kana = EncryptedTextField(_("reading (カナ)"))
    birth_date = EncryptedDateField(_("date of birth"), null=True, blank=True)
    postal_code = EncryptedTextField(_("postal code"), null=True, blank=True)
    address = EncryptedTextField(_("address"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    email = EncryptedTextField(_("email"), null=True, blank=True)
    guardian_name = EncryptedTextField(_("guardian's name"), null=True, blank=True)
    guardian_relation = EncryptedTextField(_("guardian's relation"), null=True, blank=True)
    guardian_contact = EncryptedTextField(_("guardian's contact"), null=True, blank=True)
    # Blind indexes (keyed HMAC) for exact-match lookups and the duplicate warning.
    phone_index = models.CharField(max_length=32, blank=True, db_index=True)
    email_index = models.CharField(max_length=32, blank=True, db_index=True)
    duplicate_index = models.CharField(max_length=32, blank=True, db_index=True)
    notify_channel = models.CharField(
        max_length=10, choices=NotifyChannel.choices, default=NotifyChannel.POSTCARD
    )
    language = models.CharField(
        _("language for notices"),
        max_length=2,
        choices=Language.choices,
        default=Language.JAPANESE,
    )
    keeps_reading_history = models.BooleanField(_("keep my reading history"), default=False)
    pin_hash = models.CharField(max_length=200, blank=True)
    # A statistical district code (地区) chosen by the library; not personal on its own.
    area_code = models.CharField(_("area code"), max_length=16, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("patron")
        constraints = [
            models.UniqueConstraint(fields=["library", "card_index"], name="patron_card_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=PatronStatus.values), name="patron_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(notify_channel="email") | models.Q(email__isnull=False),
                name="patron_email_channel_needs_email",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="patron_language_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("registered_on")),
                name="patron_expiry_after_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"patron {self.pk}"  # never a name: str() ends up in logs


class PatronSearchToken(models.Model):
    """Keyed tokens of the character bigrams of a patron's normalised name and reading."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="search_tokens")
    token = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "patron"], name="patron_token_unique"),
        ]

    def __str__(self) -> str:
        return self.token
