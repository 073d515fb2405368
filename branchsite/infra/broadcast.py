"""Sending to a channel-layer group without ever making the sender wait.

A request that changed the lobby must answer at once, whatever Redis does: a Redis that hangs
must not hold the request's thread, nor the pooled database connection behind it. Messages for a
layer that talks to a server (Redis) go to one background thread per process, which sends them in
order, each within `SEND_TIMEOUT_SECONDS`; the in-process layer cannot hang and is sent to
directly, in the server's own event loop. What is dropped (a timeout, a full queue, a failed
send) is logged: clients find the missing lobby version on their next ping and resynchronise.
"""

import asyncio
import logging
import os
import threading
from collections import deque
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 1.0
# Messages waiting while Redis does not answer; the oldest are dropped first.
MAX_WAITING = 1_000


def group_send_soon(group: str, message: dict[str, Any]) -> None:
    """Send `message` to `group` without waiting for the layer. Never raises."""
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        if isinstance(layer, InMemoryChannelLayer):
            async_to_sync(layer.group_send)(group, message)
        else:
            _sender().submit(layer, group, message)
    except Exception:
        logger.exception("Could not send to %s; its clients catch up on their next ping", group)


class _BackgroundSender:
    """One daemon thread with its own event loop, sending queued messages one after another."""

    def __init__(self) -> None:
        self.waiting: deque[tuple[Any, str, dict]] = deque(maxlen=MAX_WAITING)
        self.dropped = 0
        self.failing = 0
        self.loop = asyncio.new_event_loop()
        self.wake = asyncio.Event()
        # A daemon, and no other thread under it: a process exits without waiting for Redis.
        threading.Thread(
            target=self.loop.run_until_complete,
            args=(self.send_forever(),),
            name="group-send",
            daemon=True,
        ).start()

    def submit(self, layer: Any, group: str, message: dict) -> None:
        if len(self.waiting) == MAX_WAITING:
            self.dropped += 1  # deque(maxlen) drops the oldest
        self.waiting.append((layer, group, message))
        self.loop.call_soon_threadsafe(self.wake.set)

    async def send_forever(self) -> None:
        while True:
            if not self.waiting:
                self.wake.clear()
                if not self.waiting:  # nothing came between the look and the clear
                    await self.wake.wait()
                continue
            if self.dropped:
                logger.warning(
                    "%d lobby messages dropped while the channel layer did not answer",
                    self.dropped,
                )
                self.dropped = 0
            layer, group, message = self.waiting.popleft()
            try:
                await asyncio.wait_for(layer.group_send(group, message), SEND_TIMEOUT_SECONDS)
            except Exception:
                # One warning an outage, not one a message: a hung Redis may drop thousands.
                if not self.failing:
                    logger.warning(
                        "Send to %s failed or took over %.1f s; clients catch up on their next "
                        "ping. Further failures are counted until a send succeeds.",
                        group,
                        SEND_TIMEOUT_SECONDS,
                        exc_info=True,
                    )
                self.failing += 1
                continue
            if self.failing:
                logger.warning(
                    "The channel layer answers again, after %d failed sends", self.failing
                )
                self.failing = 0


_senders: dict[int, _BackgroundSender] = {}
_senders_lock = threading.Lock()


def _sender() -> _BackgroundSender:
    # One per process: a forked Celery worker does not inherit its parent's thread.
    pid = os.getpid()
    with _senders_lock:
        if pid not in _senders:
            _senders[pid] = _BackgroundSender()
        return _senders[pid]
