"""Rate-limit windows per client with the `limits` library: in this process's memory, or in
Redis when configured so that every process and node shares the same counts. Counting in
memory, each of the site's N server processes allows 1/N of every window, so that a client
whose connections land on several processes still gets the configured rate, not N times it."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import cast

from limits import RateLimitItem
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

log = logging.getLogger("shoka.admission")

# After a Redis failure the process counts in its own memory for this long, then tries again.
REDIS_RETRY_SECONDS = 30.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # whole seconds until the fullest window has room again


def share(items: tuple[RateLimitItem, ...], processes: int) -> tuple[RateLimitItem, ...]:
    """Each window's allowance divided between `processes` server processes that count in
    their own memory (rounded up, at least 1): together they admit what one would."""
    if processes <= 1:
        return items
    return tuple(
        type(item)(max(1, math.ceil(item.amount / processes)), item.multiples, item.namespace)
        for item in items
    )


class ClientLimiter:
    """`processes`: how many server processes serve the site (gunicorn's workers). Counting
    in memory, each process allows its share of every window; counting in Redis, the whole."""

    def __init__(
        self, storage_uri: str, *, key_prefix: str = "shoka-opac", processes: int = 1
    ) -> None:
        self.storage_uri = storage_uri
        self.processes = max(1, processes)
        in_memory = storage_uri.startswith("memory://")
        options = {} if in_memory else {"key_prefix": key_prefix}
        self.storage = cast(Storage, storage_from_string(storage_uri, **options))
        self.fallback = SlidingWindowCounterRateLimiter(MemoryStorage())
        self.primary = SlidingWindowCounterRateLimiter(self.storage)
        self._primary_shared = not in_memory
        self._primary_down_until = 0.0
        self._shares: dict[tuple[RateLimitItem, ...], tuple[RateLimitItem, ...]] = {}

    def _items(
        self, limiter: SlidingWindowCounterRateLimiter, items: tuple[RateLimitItem, ...]
    ) -> tuple[RateLimitItem, ...]:
        if limiter is self.primary and self._primary_shared:
            return items
        found = self._shares.get(items)
        if found is None:
            found = self._shares[items] = share(items, self.processes)
        return found

    def _limiter(self) -> SlidingWindowCounterRateLimiter:
        if self._primary_down_until and time.monotonic() < self._primary_down_until:
            return self.fallback
        return self.primary

    def hit(self, bucket: str, items: tuple[RateLimitItem, ...]) -> Decision:
        limiter = self._limiter()
        try:
            return self._hit(limiter, bucket, self._items(limiter, items))
        except Exception as exc:  # Redis gone: keep limiting, per process, and say so
            if limiter is self.fallback:
                raise
            log.warning(
                "rate-limit storage %s failed (%s); counting in process memory for %d s",
                self.storage_uri.split("@")[-1],
                type(exc).__name__,
                REDIS_RETRY_SECONDS,
            )
            self._primary_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            return self._hit(self.fallback, bucket, self._items(self.fallback, items))

    @staticmethod
    def _hit(
        limiter: SlidingWindowCounterRateLimiter, bucket: str, items: tuple[RateLimitItem, ...]
    ) -> Decision:
        refused = [item for item in items if not limiter.hit(item, bucket)]
        if not refused:
            return Decision(True)
        now = time.time()
        wait = max(limiter.get_window_stats(item, bucket).reset_time - now for item in refused)
        return Decision(False, max(1, math.ceil(wait)))
