"""Why a sign-in was refused. Each has a stable code; the API answers it as JSON (api_errors), the
sign-in pages show its detail."""

import math
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from branchsite.infra.errors import DomainError


def _seconds_until(moment: datetime) -> int:
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


class WrongCredentials(DomainError):
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "wrong_credentials", _("That user name and password do not match. Try again.")
        )


class NotStaff(DomainError):
    status = 403

    def __init__(self) -> None:
        super().__init__("not_staff", _("Only branch staff get API tokens."))


class SignInLocked(DomainError):
    """Too many failures for the account or from the address (django-axes)."""

    status = 429

    def __init__(self, *, until: datetime) -> None:
        seconds = _seconds_until(until)
        minutes = math.ceil(seconds / 60)
        detail = ngettext(
            "Too many failed sign-ins for this account or from this network; "
            "try again in %(count)d minute.",
            "Too many failed sign-ins for this account or from this network; "
            "try again in %(count)d minutes.",
            minutes,
        ) % {"count": minutes}
        super().__init__("sign_in_locked", detail, retry_after_seconds=seconds)


class SignInBusy(DomainError):
    """Every password check of this process is taken (branchsite.infra.gates)."""

    status = 429

    def __init__(self) -> None:
        super().__init__(
            "sign_in_busy",
            _("Many sign-ins are being checked at this moment; try again in a few seconds."),
            retry_after_seconds=2,
        )


class SecondFactorRequired(DomainError):
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "second_factor_required",
            _("This account signs in with a code from its authenticator app: send otp_token."),
        )


class SecondFactorNotEnrolled(DomainError):
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "second_factor_not_enrolled",
            _(
                "Head office signs in with a code from an authenticator app. Sign in at "
                "/accounts/login/ once to set one up at /accounts/two-factor/."
            ),
        )


class SecondFactorInvalid(DomainError):
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "second_factor_invalid",
            _("That code is not right. Enter the code your authenticator app shows now."),
        )


class SecondFactorThrottled(DomainError):
    """The device's back-off after a wrong code (django-otp): no code is tried until it ends."""

    status = 429

    def __init__(self, *, until: datetime) -> None:
        seconds = _seconds_until(until)
        detail = ngettext(
            "Wait a moment: after a wrong code the next is checked in %(count)d second.",
            "Wait a moment: after a wrong code the next is checked in %(count)d seconds.",
            seconds,
        ) % {"count": seconds}
        super().__init__("second_factor_throttled", detail, retry_after_seconds=seconds)
