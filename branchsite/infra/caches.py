"""What a process keeps in memory between requests, in one place.

Each cache says what it keeps, for how long and how much: entries expire after `seconds`, at
most `max_entries` are kept (the oldest go first), and a lock makes it safe for the threads of
one process. Processes never share one: a cache is only for what may be a few seconds stale in
another process (the database stays the truth).

`clear_process_caches()` empties every cache of the process: the one hook for tests, and for a
process that has just changed configuration behind the models' backs (a raw SQL fix-up).
"""

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Every cache of the process, for `clear_process_caches`; a cache nobody holds any more drops out.
_caches: "weakref.WeakSet[ExpiringCache]" = weakref.WeakSet()


class ExpiringCache(Generic[K, V]):
    def __init__(
        self,
        name: str,
        *,
        seconds: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.clock = clock
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        _caches.add(self)

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= self.clock():
                del self._entries[key]
                return None
            return found[1]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (self.clock() + self.seconds, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<ExpiringCache {self.name}: {len(self)}/{self.max_entries}, {self.seconds}s>"


def clear_process_caches() -> None:
    """Empty every cache of this process."""
    for cache in _caches:
        cache.clear()
