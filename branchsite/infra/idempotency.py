"""`Idempotency-Key` for creating POSTs: a retry gets the first answer and creates nothing."""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework.request import Request
from rest_framework.response import Response

from .clients import client_address
from .errors import DomainError, InvalidInput
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# What a key may be, as the API schema publishes it: 1 to 255 visible ASCII characters (a UUID
# fits), with the spaces or tabs that HTTP allows around a header's value.
KEY_PATTERN = rf"^[ \t]*[!-~]{{1,{MAX_KEY_LENGTH}}}[ \t]*$"
_KEY = re.compile(rf"[ \t]*([!-~]{{1,{MAX_KEY_LENGTH}}})[ \t]*")


def _caller(request: Request) -> str:
    """Who sent the key, as a keyed hash: the staff user or kiosk, or for an anonymous client its
    address (branchsite/infra/clients.py), so that a key guessed or reused by someone else on
    another network never replays this caller's answer, ticket token included."""
    if request.user.is_authenticated:
        caller = f"user:{request.user.pk}"
    elif request.auth is not None:
        caller = f"{type(request.auth).__name__}:{getattr(request.auth, 'pk', '')}"
    else:
        caller = f"address:{client_address(request)}"
    return salted_hmac("branchsite.infra.idempotency", caller, algorithm="sha256").hexdigest()


def _fingerprint(request: Request) -> str:
    """The same request gives the same fingerprint; key order in the body does not matter."""
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()


def respond_idempotently(
    request: Request, *, scope: str, create: Callable[[], tuple[int, dict]]
) -> Response:
    """Run `create` once per key. It returns (status, body) and must only write to the database.

    The key row is inserted in the same transaction as whatever `create` writes: a concurrent
    twin waits on the key's unique index and then replays the committed answer; a failure rolls
    both back, so a retry tries again.
    """
    key = request.headers.get(HEADER)
    if key is None:
        status, body = create()
        return Response(body, status=status)
    typed = _KEY.fullmatch(key)
    if typed is None:
        raise InvalidInput(
            "invalid_idempotency_key",
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, such as a UUID.",
        )
    key = typed.group(1)
    fingerprint = _fingerprint(request)
    caller = _caller(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    scope=scope, caller=caller, key=key, request_fingerprint=fingerprint
                )
        except IntegrityError:
            # This caller sent this key before and got there first: replay its answer.
            first = IdempotencyKey.objects.get(scope=scope, caller=caller, key=key)
            if first.request_fingerprint != fingerprint:
                raise DomainError(
                    "idempotency_key_reused",
                    f"This {HEADER} was used for a different request.",
                    status=422,
                ) from None
            response = Response(first.response_body, status=first.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
        status, body = create()
        record.response_status = status
        record.response_body = body
        record.save(update_fields=["response_status", "response_body"])
    return Response(body, status=status)


def idempotency_keys_forget(*, now: datetime | None = None) -> int:
    """Delete answers older than IDEMPOTENCY_KEY_TTL_HOURS; a key may then be used afresh."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
