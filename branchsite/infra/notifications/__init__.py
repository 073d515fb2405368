"""Text messages to customers through a pluggable backend, as Django sends e-mail.

`NOTIFICATION_BACKEND` is the dotted path of the backend's class:

- `branchsite.infra.notifications.backends.console.ConsoleBackend` (the default) writes each
  message to standard output;
- `branchsite.infra.notifications.backends.file.FileBackend` appends one JSON line per message
  (phone, text, key, at) to `NOTIFICATION_FILE_PATH`; `make run` uses it;
- `branchsite.infra.notifications.backends.locmem.LocmemBackend` keeps the messages in
  `branchsite.infra.notifications.outbox`, for tests;
- `branchsite.infra.notifications.backends.http.HttpGatewayBackend` POSTs each message to an SMS
  gateway (`NOTIFICATION_HTTP_URL`), for production.

A backend's `send` returns once the message has left, or raises `NotificationNotSent`, which
means it may be tried again: callers (Celery tasks) retry. `key` names the event the message is
about; the HTTP gateway receives it as the message's `id`, so that a gateway that deduplicates
can drop a resend of a message whose acknowledgement was lost.

Replies come back through the gateway's webhook, which proves itself with the shared secret
NOTIFICATION_INBOUND_SECRET (`inbound_secret_matches`).

Nothing here knows tickets or appointments: the domain decides what to say, and when.
"""

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .backends.base import BaseBackend


@dataclass(frozen=True)
class TextMessage:
    phone: str
    text: str
    key: str


class NotificationNotSent(Exception):
    """The message did not leave (a gateway that refused or did not answer, a full disk); it
    may be tried again."""


# What the locmem backend sent, in order, in this process: tests read and clear it.
outbox: list[TextMessage] = []


def get_backend(path: str | None = None, **options) -> "BaseBackend":
    """An instance of the backend at `path`, or of NOTIFICATION_BACKEND."""
    return import_string(path or settings.NOTIFICATION_BACKEND)(**options)


def send_text(message: TextMessage, *, backend: "BaseBackend | None" = None) -> None:
    """Send one message now. Raises `NotificationNotSent` when it may be tried again."""
    (backend or get_backend()).send(message)


def inbound_secret_matches(authorization: str) -> bool:
    """Whether an `Authorization: Bearer <secret>` header carries NOTIFICATION_INBOUND_SECRET,
    compared in constant time. With no secret configured, nothing matches."""
    secret = settings.NOTIFICATION_INBOUND_SECRET
    scheme, _space, presented = authorization.partition(" ")
    if not secret or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), secret.encode())
