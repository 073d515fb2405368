from .. import TextMessage, outbox
from .base import BaseBackend


class LocmemBackend(BaseBackend):
    """Appends each message to `branchsite.infra.notifications.outbox`, in this process only."""

    def send(self, message: TextMessage) -> None:
        outbox.append(message)
