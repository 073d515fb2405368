"""A backend for the worker tests: the file backend, slowed down, so that two workers sending one
message are both inside the send at once."""

import time

from branchsite.infra.notifications import TextMessage
from branchsite.infra.notifications.backends.file import FileBackend

SEND_SECONDS = 1.0


class SlowFileBackend(FileBackend):
    def send(self, message: TextMessage) -> None:
        time.sleep(SEND_SECONDS)
        super().send(message)
