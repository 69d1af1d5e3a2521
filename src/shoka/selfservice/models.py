"""Patron self-service sessions, PIN failures and lockouts, and seen request nonces.

Nothing here holds a card number or a PIN in clear: sessions keep the SHA-256 of their
random token, failures and lockouts a keyed blind index of the card number."""

from __future__ import annotations

from django.db import models

from shoka.patrons.models import Patron


class PatronSession(models.Model):
    """A signed-in patron on the OPAC. The OPAC holds the token; this row its hash."""

    token_hash = models.CharField(max_length=64, unique=True)
    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="patron_session_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"patron session {self.pk}"


class PinFailure(models.Model):
    """One wrong PIN (or unknown card) for a card, by its lockout index."""

    card_key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["card_key", "at"], name="pin_failure_card_at_idx")]

    def __str__(self) -> str:
        return f"pin failure {self.pk}"


class CardLockout(models.Model):
    """A card that may not sign in until `locked_until` (one row per card)."""

    card_key = models.CharField(max_length=64, unique=True)
    locked_at = models.DateTimeField()
    locked_until = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(locked_until__gt=models.F("locked_at")),
                name="card_lockout_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"card lockout {self.pk}"


class SeenNonce(models.Model):
    """A signed request's nonce: the unique constraint refuses a replayed request, in every
    process at once. Rows older than the allowed clock skew are deleted."""

    nonce = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.nonce
