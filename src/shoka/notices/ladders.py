"""Loading the library's overdue ladders (rows of LadderStage) for the pure policy."""

from __future__ import annotations

from collections import defaultdict

from shoka.organisation.models import Library

from .models import LadderStage
from .policy import DEFAULT_LADDER, Channel, Stage, check_ladder


def ladders_of(library: Library | int) -> dict[int | None, tuple[Stage, ...]]:
    """Ladders by patron category id; the key None is the library's default (the built-in
    DEFAULT_LADDER when the library has configured none)."""
    library_id = library if isinstance(library, int) else library.pk
    rows: dict[int | None, list[Stage]] = defaultdict(list)
    for category_id, stage, days, channel in LadderStage.objects.filter(
        library_id=library_id
    ).values_list("patron_category_id", "stage", "days", "channel"):
        rows[category_id].append(Stage(stage, days, Channel(channel)))
    ladders: dict[int | None, tuple[Stage, ...]] = {k: check_ladder(v) for k, v in rows.items()}
    ladders.setdefault(None, DEFAULT_LADDER)
    return ladders
