"""Proof that a customer checking in from their phone is in the lobby: a short code the wall
screens show, which changes every few minutes.

An appointment's page alone would let a customer check in from home and be called before the
walk-ins who are there; the code is only readable in the lobby. It is derived, not stored: an
HMAC of the branch and the current window under the site's secret, so every screen and server
process agrees without a table, and a code seen yesterday is worthless today.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import QueueError
from .models import Branch

PRESENCE_WINDOW = timedelta(minutes=5)
PRESENCE_DIGITS = 4
# The code shown until a moment ago still counts: the customer may have read it just before it
# changed, and typing it takes a while.
PRESENCE_GRACE = timedelta(minutes=2)


@dataclass(frozen=True)
class PresenceCode:
    code: str
    until: datetime  # when the screens show the next one


def _window_start(at: datetime) -> datetime:
    seconds = PRESENCE_WINDOW.total_seconds()
    return datetime.fromtimestamp((at.timestamp() // seconds) * seconds, tz=UTC)


def _code(branch: Branch, window_start: datetime) -> str:
    message = f"presence:{branch.pk}:{int(window_start.timestamp())}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**PRESENCE_DIGITS:0{PRESENCE_DIGITS}d}"


def presence_code(branch: Branch, *, now: datetime | None = None) -> PresenceCode:
    """The code the branch's wall screens show now, and until when."""
    start = _window_start(now or timezone.now())
    return PresenceCode(code=_code(branch, start), until=start + PRESENCE_WINDOW)


def require_presence(branch: Branch, code: str | None, *, now: datetime | None = None) -> None:
    """Raise unless `code` is the branch's presence code now or within the grace before."""
    if not code:
        raise QueueError(
            "presence_code_required",
            _("Enter the check-in code shown on the screen in the branch's lobby."),
            status=400,
        )
    now = now or timezone.now()
    current = _window_start(now)
    accepted = {_code(branch, current)}
    if now - current < PRESENCE_GRACE:
        accepted.add(_code(branch, current - PRESENCE_WINDOW))
    if not any(hmac.compare_digest(code.strip(), expected) for expected in accepted):
        raise QueueError(
            "presence_code_wrong",
            _(
                "That is not the code on the lobby screen now. Check-in from a phone works in "
                "the branch only; the code changes every few minutes."
            ),
            status=403,
        )
