import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .. import NotificationNotSent, TextMessage
from .base import BaseBackend


class FileBackend(BaseBackend):
    """Appends one JSON line per message to `path` (NOTIFICATION_FILE_PATH by default):
    `{"phone": ..., "text": ..., "key": ..., "at": <ISO 8601>}`.

    Each line is one `write` on a file opened for appending, so the lines of several worker
    processes never interleave.
    """

    def __init__(self, *, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path or settings.NOTIFICATION_FILE_PATH)

    def send(self, message: TextMessage) -> None:
        line = json.dumps(
            {
                "phone": message.phone,
                "text": message.text,
                "key": message.key,
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, (line + "\n").encode())
            finally:
                os.close(descriptor)
        except OSError as error:
            raise NotificationNotSent(f"could not write to {self.path}: {error}") from error
