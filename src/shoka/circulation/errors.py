"""Domain errors raised by the circulation services (views map them to responses)."""

from __future__ import annotations

from collections.abc import Sequence

from .policy import Refusal, RefusalCode

OVERRIDE_PERMISSION = "circulation.override_refusal"


class CirculationRefused(Exception):  # noqa: N818 — a refusal, not a crash
    """The action was refused; `refusals` says why, each with its own code and message."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = list(refusals)
        super().__init__("; ".join(r.message for r in self.refusals))

    @property
    def codes(self) -> list[RefusalCode]:
        return [r.code for r in self.refusals]

    @property
    def overridable(self) -> bool:
        return all(r.overridable for r in self.refusals)
