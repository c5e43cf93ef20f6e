"""A process-local cache of small reference tables (service items, legal categories, org
nodes, routing rules) read on every intake. Each entry lives REFERENCE_CACHE_SECONDS; a save
or delete of one of its models in this process drops it at once, and other app processes
see the change when the entry expires — the price of not querying reference data on every
request (PERFORMANCE.md B1). 0 turns the cache off (the test settings do)."""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save

_entries: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()
_watched: set[type] = set()


def cached(key: str, load: Callable[[], Any], *, models: tuple[type, ...]) -> Any:
    """`load()`'s value, computed at most once per REFERENCE_CACHE_SECONDS in this process.
    `models` are the models it reads: saving or deleting one of them empties the cache."""
    ttl = settings.REFERENCE_CACHE_SECONDS
    if ttl <= 0:
        return load()
    _watch(models)
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = load()
    with _lock:
        _entries[key] = (now + ttl, value)
    return value


def clear(**_) -> None:
    with _lock:
        _entries.clear()


def _watch(models: tuple[type, ...]) -> None:
    for model in models:
        if model not in _watched:
            post_save.connect(clear, sender=model, weak=False)
            post_delete.connect(clear, sender=model, weak=False)
            _watched.add(model)
