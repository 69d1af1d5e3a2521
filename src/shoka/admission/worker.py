"""The public site's gunicorn worker: threaded, and slow to listen to a refused client.

A client that keeps sending requests after a ``429 Too Many Requests`` (a flood, or a
crawler that ignores Retry-After) costs the server a little CPU for every refusal: reading
the request, counting it, writing the answer. With many connections and no pause between
requests, those refusals alone can fill every core (bench/load (c)). This worker answers the
429 at once, as before, and then does not read the next request on that connection until
the Retry-After has passed (at most ``HOLD_MAX`` seconds, spread a little so that
connections refused together do not all come back together). The connection stays open and no
thread waits for it: it is simply left out of the worker's event loop for that long.
So a flooding client receives about one refusal per connection per second however fast it
sends, while everybody else's requests are read as usual.

Nothing here decides *who* is refused: that is the admission middleware's job
(``shoka.admission.middleware``); the worker only sees the status of the answer. A client
that stays within its limits never meets the hold. 503 (busy) answers are not held: they are
about the server, not the client.

docs/opac-admission.md, "What the process cannot shed by itself".
"""

from __future__ import annotations

import heapq
import itertools
import random
import selectors
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# seconds. A client that has spent its minute's allowance is told to come back in up to a
# minute; its connection is read again after at most this long (and then refused again
# at once if it did not wait). The keep-alive timeout starts afresh when the hold ends.
HOLD_MAX = 10.0
# Held connections come back spread over their Retry-After and up to half as long again,
# not all in the same instant: a flood's 200 connections refused together would otherwise
# return together, fill every slot for a moment and make other visitors' pages wait.
JITTER = 0.5
HELD_STATUS = "429"


def hold_seconds(headers: Iterable[tuple[str, str]], jitter: float = 0.0) -> float:
    """How long to leave a refused connection unread: its Retry-After, between 1 s and
    HOLD_MAX (a refusal without a readable Retry-After is held 1 s), stretched by
    `jitter` × JITTER (`jitter` is drawn from [0, 1) for each refusal), still ≤ HOLD_MAX."""
    seconds = 1.0
    for name, value in headers:
        if name.lower() == "retry-after":
            try:
                seconds = min(HOLD_MAX, max(1.0, float(value)))
            except ValueError:
                pass
            break
    return min(HOLD_MAX, seconds * (1.0 + JITTER * jitter))


class OpacWorker(ThreadWorker):
    """gunicorn's gthread worker plus the hold of refused connections."""

    def init_process(self) -> None:
        self._refused: dict[Any, float] = {}  # client socket -> seconds to hold it
        self._held: list[tuple[float, int, Any]] = []  # heap of (until, n, connection)
        self._held_n = itertools.count()
        super().init_process()  # loads the application (load_wsgi) and runs the loop

    def load_wsgi(self) -> None:
        super().load_wsgi()
        app: Callable[..., Any] = self.wsgi  # type: ignore[has-type]  # set by gunicorn
        self.wsgi = self._watch(app)

    def _watch(self, app: Callable[..., Any]) -> Callable[..., Any]:
        def watched(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            sock = environ.get("gunicorn.socket")

            def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
                if sock is not None and status.startswith(HELD_STATUS):
                    seconds = hold_seconds(headers, random.random())  # noqa: S311 - spread, not secrecy
                    with self._lock:
                        self._refused[sock] = seconds
                return start_response(status, headers, *exc_info)

            return app(environ, start)

        return watched

    def finish_request(self, fs: Any) -> None:
        conn = fs.conn
        with self._lock:
            seconds = self._refused.pop(conn.sock, None)
        if seconds is None or fs.cancelled() or fs.exception() is not None:
            super().finish_request(fs)
            return
        keepalive, conn = fs.result()
        if not (keepalive and self.alive):
            super().finish_request(fs)
            return
        conn.sock.setblocking(False)
        with self._lock:
            heapq.heappush(self._held, (time.monotonic() + seconds, next(self._held_n), conn))

    def murder_keepalived(self) -> None:
        # Called by the worker's loop after every round of events (at least once a second):
        # connections whose hold is over go back to the loop as ordinary keep-alive ones.
        now = time.monotonic()
        with self._lock:
            while self._held and self._held[0][0] <= now:
                _until, _n, conn = heapq.heappop(self._held)
                conn.set_timeout()
                self._keep.append(conn)
                self.poller.register(
                    conn.sock,
                    selectors.EVENT_READ,
                    partial(self.on_client_socket_readable, conn),
                )
        super().murder_keepalived()
