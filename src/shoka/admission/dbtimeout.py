"""A statement timeout on every query of the public site.

PostgreSQL enforces it itself (``-c statement_timeout`` in the connection options, set in
shoka.settings.opac). SQLite has no such setting: a progress handler aborts a statement that
runs past its deadline, which an execute wrapper sets before each query."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

# How many SQLite virtual-machine steps between two looks at the clock (~1 ms of work).
SQLITE_CHECK_STEPS = 10_000


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until = 0.0

    def wrapper(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.until = time.monotonic() + self.seconds
        try:
            return execute(sql, params, many, context)
        finally:
            self.until = 0.0

    def expired(self) -> int:
        return 1 if self.until and time.monotonic() > self.until else 0


def is_statement_timeout(exc: BaseException) -> bool:
    """A query stopped by the statement timeout: SQLite's "interrupted" (the progress handler
    above) or PostgreSQL's query_canceled (SQLSTATE 57014), as Django raises them."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause) == "interrupted"
    return getattr(cause, "sqlstate", None) == "57014"


def is_database_busy(exc: BaseException) -> bool:
    """The database could not serve this request in time: a statement timeout, or every
    connection of the process's pool taken for longer than the pool's timeout (psycopg_pool's
    PoolTimeout, which Django raises as an OperationalError)."""
    from django.db import OperationalError

    if is_statement_timeout(exc):
        return True
    if not isinstance(exc, OperationalError):
        return False
    from psycopg_pool import PoolTimeout

    return isinstance(exc.__cause__, PoolTimeout)


def install_statement_timeout(sender: Any, connection: Any, **_: Any) -> None:
    """connection_created receiver (the admission app's ready())."""
    if connection.vendor != "sqlite":
        return
    ms = int(getattr(settings, "SHOKA_OPAC_STATEMENT_TIMEOUT_MS", 0) or 0)
    if ms <= 0:
        return
    previous = getattr(connection, "_shoka_deadline", None)
    if previous is not None and previous.wrapper in connection.execute_wrappers:
        connection.execute_wrappers.remove(previous.wrapper)  # a reopened connection
    deadline = _Deadline(ms / 1000)
    raw: sqlite3.Connection = connection.connection
    raw.set_progress_handler(deadline.expired, SQLITE_CHECK_STEPS)
    connection.execute_wrappers.append(deadline.wrapper)
    connection._shoka_deadline = deadline
