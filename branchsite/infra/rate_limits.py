"""Abuse limits on what anyone may create without an account.

DRF's throttles read a count and write it back later, so parallel requests all pass together.
Here one conditional upsert both checks and counts: the database row lock makes parallel requests
for one key take their turns, and the last allowed one is the last to pass.
"""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from branchsite.infra.errors import DomainError

from .models import RateLimitWindow

_TAKE = """
INSERT INTO queueing_ratelimitwindow AS w (scope, key, window_start, used)
VALUES (%s, %s, %s, 1)
ON CONFLICT (scope, key, window_start) DO UPDATE SET used = w.used + 1 WHERE w.used < %s
RETURNING used
"""


class RateLimited(DomainError):
    status = 429

    def __init__(self, *, retry_after: timedelta) -> None:
        seconds = max(1, int(retry_after.total_seconds() + 0.999))
        minutes = max(1, (seconds + 59) // 60)
        if minutes <= 90:
            detail = ngettext(
                "Too many requests from this phone or network; try again in %(count)d minute.",
                "Too many requests from this phone or network; try again in %(count)d minutes.",
                minutes,
            ) % {"count": minutes}
        else:
            hours = round(minutes / 60)
            detail = ngettext(
                "Too many requests from this phone or network; try again in about %(count)d hour.",
                "Too many requests from this phone or network; try again in about %(count)d hours.",
                hours,
            ) % {"count": hours}
        super().__init__("rate_limited", detail, retry_after_seconds=seconds)


def _window_start(now: datetime, window: timedelta) -> datetime:
    width = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % width, tz=UTC)


def limit_take(
    *, scope: str, value: str, allowed: int, window: timedelta, now: datetime | None = None
) -> None:
    """Count one use of `scope` by `value` (a phone, an address) or raise `RateLimited`.

    `allowed` uses per fixed `window`; 0 or less means no limit. Call inside the transaction of
    what is being created: if that fails, the use is not counted. Only a keyed hash of `value`
    is stored.
    """
    if allowed <= 0:
        return
    now = now or timezone.now()
    start = _window_start(now, window)
    key = salted_hmac("branchsite.limits", f"{scope}:{value}", algorithm="sha256").hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE, [scope, key, connection.ops.adapt_datetimefield_value(start), allowed]
        )
        if cursor.fetchone() is None:
            raise RateLimited(retry_after=start + window - now)


def limits_take(
    *,
    scope: str,
    phone: str,
    client_address: str,
    per_phone: int,
    per_address: int,
    window: timedelta,
    now: datetime,
) -> None:
    """Count one use of `scope` by a customer: by their phone and by their client address, each
    when known, as `<scope>.phone` and `<scope>.address`."""
    if phone:
        limit_take(scope=f"{scope}.phone", value=phone, allowed=per_phone, window=window, now=now)
    if client_address:
        limit_take(
            scope=f"{scope}.address",
            value=client_address,
            allowed=per_address,
            window=window,
            now=now,
        )


def rate_limit_windows_forget(*, now: datetime | None = None, older_than: timedelta) -> int:
    """Delete windows that ended more than `older_than` ago. Idempotent."""
    now = now or timezone.now()
    deleted, _details = RateLimitWindow.objects.filter(window_start__lt=now - older_than).delete()
    return deleted
