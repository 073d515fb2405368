"""`Idempotency-Key` for creating POSTs: a retry gets the first answer and creates nothing."""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from queueing.models import IdempotencyKey

from .errors import DomainError, InvalidInput

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _fingerprint(request: Request) -> str:
    """Same body and same caller give the same fingerprint; key order does not matter."""
    user_id = request.user.pk if request.user.is_authenticated else ""
    caller = f"{user_id}:{type(request.auth).__name__}:{getattr(request.auth, 'pk', '')}"
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.path}\n{caller}\n{body}".encode()).hexdigest()


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
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            "invalid_idempotency_key", f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters."
        )
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    scope=scope, key=key, request_fingerprint=fingerprint
                )
        except IntegrityError:
            # Another request with this key got there first: replay its answer.
            first = IdempotencyKey.objects.get(scope=scope, key=key)
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
