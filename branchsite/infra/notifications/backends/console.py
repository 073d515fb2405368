import sys
import threading
from typing import TextIO

from .. import TextMessage
from .base import BaseBackend

_lock = threading.Lock()


class ConsoleBackend(BaseBackend):
    """Writes each message to standard output (or `stream`): for a developer's terminal."""

    def __init__(self, *, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: TextMessage) -> None:
        stream = self.stream or sys.stdout
        with _lock:
            stream.write(f"Text to {message.phone} [{message.key}]:\n{message.text}\n\n")
            stream.flush()
