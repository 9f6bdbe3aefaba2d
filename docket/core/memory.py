"""A server process's memory for things it read or computed once: by key, within a number of bytes, least recently
used first out. What is kept must never go stale by itself: its key names the content (the report cells' bitmaps
by digest, the API lists' answers by the audit chain's head), so nothing is ever invalidated."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SizedLRU(Generic[K, V]):
    """``budget()`` is read at each write (settings may change in a running test); 0 keeps nothing. Safe for a
    server's threads."""

    def __init__(self, budget: Callable[[], int]) -> None:
        self.budget = budget
        self._lock = threading.Lock()
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.size = 0

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep ``value`` (``size`` bytes) unless it alone exceeds the budget, then let the least recently used go
        until the rest fits."""
        budget = self.budget()
        if size > budget:
            return
        with self._lock:
            before = self._items.pop(key, None)
            if before is not None:
                self.size -= before[1]
            self._items[key] = (value, size)
            self.size += size
            while self.size > budget:
                _old, (_value, old_size) = self._items.popitem(last=False)
                self.size -= old_size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._items)
