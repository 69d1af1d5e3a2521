"""Small helpers shared by the `shoka` command's modules: Django set-up and progress bars."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STAFF_SETTINGS = "shoka.settings.staff"
OPAC_SETTINGS = "shoka.settings.opac"


def setup(settings_module: str | None = None) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module or STAFF_SETTINGS)
    django.setup()


@contextmanager
def progress_bar(
    description: str, *, unit: str = "records", quiet: bool = False
) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr; yields ``update(done, total)`` (total 0 = unknown)."""
    if quiet:
        yield lambda _done, _total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total or None)

        yield update
