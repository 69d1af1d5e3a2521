"""Read a big catalogue file in a second process while this one writes to the database.

Parsing MARC and mapping it to :class:`~shoka.catalogue.records.BibData` is about half of
an import's time in Python, and it needs nothing from the database. :func:`read_ahead`
runs a reader (``read_marc``) in a child process and hands its records over in chunks, so
parsing overlaps with the writes and the database's own work on a second core. The
records are the same objects, in the same order, with the same positions: only the
process that makes them changes.

The child is started with ``spawn``, not ``fork``: the parent holds a database connection
and may run threads (the index writer alongside), neither of which may be copied into a
child. The reader modules import nothing from Django, so the child needs no set-up.
If the child fails, its exception is raised here, after the records it did read; if the
consumer stops early (an error while writing, Ctrl-C), the child is stopped.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Callable, Iterable, Iterator
from typing import Any

CHUNK = 500  # records per hand-over: pickling and the queue cost a few µs per chunk
DEPTH = 8  # chunks in flight: bounds the memory the child can run ahead by
_DONE = "done"
_FAILED = "failed"


def _produce(reader: Callable[..., Iterable[Any]], args: tuple[Any, ...], out: Any) -> None:
    chunk: list[Any] = []
    try:
        for record in reader(*args):
            chunk.append(record)
            if len(chunk) >= CHUNK:
                out.put(("records", chunk))
                chunk = []
        if chunk:
            out.put(("records", chunk))
        out.put((_DONE, None))
    except BaseException as exc:  # handed to the parent, which raises it
        if chunk:
            out.put(("records", chunk))
        out.put((_FAILED, exc))


def read_ahead(reader: Callable[..., Iterable[Any]], *args: Any) -> Iterator[Any]:
    """Yield what ``reader(*args)`` yields, computed in a child process. ``reader`` must be
    a module-level function and ``args`` picklable (a path, not an open file)."""
    ctx = mp.get_context("spawn")
    channel = ctx.Queue(maxsize=DEPTH)
    child = ctx.Process(target=_produce, args=(reader, args, channel), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive() and channel.empty():
                    raise RuntimeError(
                        f"the reader process stopped without a word (exit code {child.exitcode})"
                    ) from None
                continue
            if kind == _DONE:
                break
            if kind == _FAILED:
                raise payload
            yield from payload
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)
        channel.close()  # this side only reads: nothing of its own to flush
