"""A per-process cache for configuration that every circulation action reads: the rule
tables and the branches' opening calendars.

Saving or deleting any configuration model (rules, categories, branches, closures …) clears
the cache at once in the process that saved it; other processes (web workers, the desk's
SIP2 server) pick the change up within CONFIG_CACHE_SECONDS. Rules change a few times a year;
reading them is on every checkout (bench/results: about a quarter of a checkout's queries).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import models
from django.db.models.signals import post_delete, post_save

CONFIG_CACHE_SECONDS = 60.0
T = TypeVar("T")

_lock = threading.Lock()
_store: dict[Hashable, tuple[float, Any]] = {}


def cached(key: Hashable, build: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and now - hit[0] < CONFIG_CACHE_SECONDS:
        value: T = hit[1]
        return value
    value = build()
    with _lock:
        _store[key] = (now, value)
    return value


def clear(**_: Any) -> None:
    with _lock:
        _store.clear()


def clear_on_change(*model_classes: type[models.Model]) -> None:
    for model in model_classes:
        post_save.connect(clear, sender=model, dispatch_uid=f"config-cache-save-{model}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"config-cache-delete-{model}")
