"""How many requests of one client (network or API key) this process runs at once.

The rate windows (shoka.admission.limiter) say how many requests a client may make per
second and minute, not how many at once: a client with many connections can spend a whole
second's allowance in one burst and take every slot of the concurrency cap, so that other
visitors' pages wait or are refused (bench/load (c)). With this limit a client holds at most
``per_client_concurrent`` of the process's slots; a request beyond it is refused with 429 at
once (no thread waits for it) and the connection is held like any other 429's.

A person, a polite crawler and a serial aggregator have one request in flight at a time and
never meet it. Counted per process, in memory: it is about this process's threads."""

from __future__ import annotations

import threading


class ClientSlots:
    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}

    def acquire(self, bucket: str) -> bool:
        """Take one of `bucket`'s slots; False when all of them are taken."""
        with self._lock:
            n = self._busy.get(bucket, 0)
            if n >= self.per_client:
                return False
            self._busy[bucket] = n + 1
            return True

    def release(self, bucket: str) -> None:
        with self._lock:
            n = self._busy.get(bucket, 0) - 1
            if n > 0:
                self._busy[bucket] = n
            else:
                self._busy.pop(bucket, None)
