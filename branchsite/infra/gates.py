"""Gates: at most so many requests of one kind at once in a process, the rest turned away quickly.

Some work is slow on purpose and holds what other requests need while it runs: checking a password
hashes it for a quarter of a second of CPU, and a request keeps the database connection it took
until it ends. Unbounded, a burst of such requests takes every core and every pooled connection,
and the cheap requests behind them time out. A gate bounds the slow kind: a request takes a slot
*before* it touches the database and gives it back when done; a request that finds no slot within
a few seconds is refused (the caller answers 429) instead of queueing forever. Waiting holds a
thread, never a connection.

Sync code only: Django runs each request's sync code in a thread of its own (also under ASGI),
so a blocking wait stalls that request alone.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class GateBusy(Exception):
    """No slot came free in time."""

    def __init__(self, gate: "Gate") -> None:
        super().__init__(f"gate {gate.name!r}: all {gate.size} slots taken for {gate.wait}s")
        self.gate = gate


class Gate:
    """`size` slots shared by the threads of this process; `wait` seconds at most for one."""

    def __init__(self, name: str, *, size: int, wait: float) -> None:
        if size < 1:
            raise ValueError(f"gate {name!r} needs at least one slot, not {size}")
        self.name = name
        self.size = size
        self.wait = wait
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the block, or raise `GateBusy` after `wait` seconds without one."""
        if not self._slots.acquire(timeout=self.wait):
            raise GateBusy(self)
        try:
            yield
        finally:
            self._slots.release()
