"""Who did something: a staff user, a scheduled job, or a command-line operator."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class Actor:
    """`code` is what the logs record ("user:12", "patron:7", "system:daily", "cli:alice");
    no names."""

    code: str
    user: AbstractBaseUser | AnonymousUser | None = field(default=None, compare=False)
    granted: frozenset[str] = frozenset()

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser) -> Actor:
        return cls(code=f"user:{user.pk}", user=user)

    @classmethod
    def for_patron(cls, patron_id: int) -> Actor:
        """The patron themself, acting through self-service (the OPAC's account pages)."""
        return cls(code=f"patron:{patron_id}")

    @classmethod
    def system(cls, job: str, *, granted: frozenset[str] = frozenset()) -> Actor:
        return cls(code=f"system:{job}", granted=granted)

    @classmethod
    def cli(cls) -> Actor:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls(code=f"cli:{who}")

    def can(self, permission: str) -> bool:
        if permission in self.granted:
            return True
        has_perm = getattr(self.user, "has_perm", None)
        return bool(has_perm is not None and has_perm(permission))
