"""An SMS provider's HTTP gateway.

Each message is one `POST NOTIFICATION_HTTP_URL` with `Content-Type: application/json`,
`Authorization: Bearer NOTIFICATION_HTTP_TOKEN` (when set) and the body
`{"to": "<phone>", "text": "<text>", "id": "<key>"}`. Any 2xx answer means sent. Anything else
(another status, a redirect, no answer within NOTIFICATION_HTTP_TIMEOUT_SECONDS, a refused
connection) raises `NotificationNotSent`, so the sending task retries. `id` is the same for every
try of one message: a gateway that deduplicates on it sends a retried message once.
"""

import http.client
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .. import NotificationNotSent, TextMessage
from .base import BaseBackend

# The most of an answer read: the status is what counts.
MAX_ANSWER_BYTES = 64 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer other than 2xx: the message is not sent anywhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class HttpGatewayBackend(BaseBackend):
    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url or settings.NOTIFICATION_HTTP_URL
        if not self.url:
            raise ImproperlyConfigured("The HTTP gateway backend needs NOTIFICATION_HTTP_URL")
        self.token = settings.NOTIFICATION_HTTP_TOKEN if token is None else token
        self.timeout = settings.NOTIFICATION_HTTP_TIMEOUT_SECONDS if timeout is None else timeout

    def send(self, message: TextMessage) -> None:
        body = json.dumps(
            {"to": message.phone, "text": message.text, "id": message.key}, ensure_ascii=False
        ).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with _opener.open(request, timeout=self.timeout) as answer:
                answer.read(MAX_ANSWER_BYTES)
                status = answer.status
        except urllib.error.HTTPError as error:
            raise NotificationNotSent(f"the gateway answered {error.code}") from error
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise NotificationNotSent(f"the gateway could not be reached: {error}") from error
        if not 200 <= status < 300:
            raise NotificationNotSent(f"the gateway answered {status}")
