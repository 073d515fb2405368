"""Staff sign-in: the password, the second factor, enrolling an authenticator app, API tokens.

One path behind the sign-in form, its code step and the token endpoint, so that every way in is
counted by the same lockout (django-axes, per account and per address: attempts.py) and passes
the same second factor (django-otp TOTP). Head office always signs in with a code;
any other staff member does once they have enrolled an authenticator app.

The password check is slow on purpose and holds a database connection while it runs: it happens
inside a slot of `password_checks()`, taken before the first query.
"""

import functools
from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from branchsite.infra.gates import Gate, GateBusy
from queueing.selectors import user_is_head_office, user_is_staff_member

from .errors import (
    NotStaff,
    SecondFactorInvalid,
    SecondFactorNotEnrolled,
    SecondFactorRequired,
    SecondFactorThrottled,
    SignInBusy,
    SignInLocked,
    WrongCredentials,
)

# Between the password and the code: how long the password stays good for; longer for head
# office's first sign-in, which may have to install an authenticator app first.
PENDING_SIGN_IN = "branchsite.accounts.pending_sign_in"
PENDING_MINUTES = 5
ENROLMENT_MINUTES = 20
# The request's lockout, once told: the same words wherever it is answered.
LOCKOUT_ON_REQUEST = "sign_in_lockout"
DEVICE_NAME = "authenticator app"


@functools.cache
def _gate(size: int, wait: float) -> Gate:
    return Gate("password checks", size=size, wait=wait)


def password_checks() -> Gate:
    """This process's gate for password checks: SIGN_IN_CONCURRENCY at once, the others waiting
    SIGN_IN_WAIT_SECONDS at most."""
    return _gate(settings.SIGN_IN_CONCURRENCY, settings.SIGN_IN_WAIT_SECONDS)


def _http(request: HttpRequest) -> HttpRequest:
    # Axes marks the request it is given; DRF's Request wraps the HttpRequest the middleware sees.
    return getattr(request, "_request", request)


def _credentials(username: str) -> dict:
    return {"username": username}


def sign_in_locked(*, request: HttpRequest, username: str) -> SignInLocked:
    """The lockout error for this account and address, saying when it ends. Kept on the request:
    django-axes's middleware answers a locked-out request again, and must say the same."""
    request = _http(request)
    known = getattr(request, LOCKOUT_ON_REQUEST, None)
    if known is not None:
        return known
    AxesProxyHandler.update_request(request)  # the address, as axes counts it
    attempts = AxesProxyHandler.get_implementation()
    until = attempts.locked_until(request, _credentials(username))  # type: ignore[attr-defined]
    locked = SignInLocked(until=until or timezone.now() + timedelta(minutes=1))
    setattr(request, LOCKOUT_ON_REQUEST, locked)
    return locked


def _check_password(*, request: HttpRequest, username: str, password: str) -> User:
    """Call within a slot of `password_checks()`."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        # The axes backend refused before any hashing, or this failure reached the limit.
        if getattr(request, "axes_locked_out", False):
            raise sign_in_locked(request=request, username=username)
        raise WrongCredentials()
    return user


def _confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_required(user: User | AnonymousUser) -> bool:
    """Head office always signs in with a code; anyone else once they have an authenticator."""
    if not user.is_authenticated:
        return False
    return user_is_head_office(user) or _confirmed_device(user) is not None


def _check_code(*, request: HttpRequest, user: User, device: TOTPDevice, code: str) -> TOTPDevice:
    """Accept `code` from `device` or raise. A wrong code counts as a failed sign-in (the same
    lockout as wrong passwords); after one, django-otp's back-off checks no code until it ends
    (1, 2, 4… seconds), and such a refused try is not counted: it tested nothing."""
    credentials = _credentials(user.get_username())
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise sign_in_locked(request=request, username=user.get_username())
    with transaction.atomic():
        # Locked, so that parallel tries take turns with the back-off and a code is used once.
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, why = device.verify_is_allowed()
        if not allowed:
            raise SecondFactorThrottled(until=why["locked_until"])
        accepted = device.verify_token("".join(code.split()))
    if not accepted:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            raise sign_in_locked(request=request, username=user.get_username())
        raise SecondFactorInvalid()
    return device


# The sign-in form --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A sign-in whose password was right and that waits for its code (or for enrolment)."""

    user: User
    next_url: str
    enrol: bool


def sign_in_with_password(
    *, request: HttpRequest, username: str, password: str, next_url: str
) -> Pending | None:
    """Check the password. A user who needs no second factor is signed in (None); otherwise the
    sign-in waits in the session for the code, or for enrolment if head office has no
    authenticator yet, and nobody is signed in until then."""
    try:
        with password_checks().slot():
            user = _check_password(request=request, username=username, password=password)
            needs_code = second_factor_required(user)
            if not needs_code:
                login(request, user)
                return None
            enrol = _confirmed_device(user) is None
    except GateBusy:
        raise SignInBusy() from None
    request.session[PENDING_SIGN_IN] = {
        "user": user.pk,
        "backend": user.backend,  # type: ignore[attr-defined]
        "since": timezone.now().timestamp(),
        "next": next_url,
        "enrol": enrol,
    }
    return Pending(user=user, next_url=next_url, enrol=enrol)


def pending_sign_in(request: HttpRequest) -> Pending | None:
    """The sign-in of this session that waits for its code, if its password is still fresh."""
    data = request.session.get(PENDING_SIGN_IN)
    if not data:
        return None
    age = timezone.now().timestamp() - data["since"]
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    minutes = ENROLMENT_MINUTES if data["enrol"] else PENDING_MINUTES
    if user is None or not 0 <= age <= minutes * 60:
        request.session.pop(PENDING_SIGN_IN, None)
        return None
    return Pending(user=user, next_url=data["next"], enrol=data["enrol"])


def _finish(request: HttpRequest, pending: Pending, device: TOTPDevice) -> None:
    data = request.session.pop(PENDING_SIGN_IN)
    pending.user.backend = data["backend"]  # type: ignore[attr-defined]
    # Signing in forgets the account's failures (AXES_RESET_ON_SUCCESS) and starts a new session.
    login(request, pending.user, backend=data["backend"])
    otp_login(request, device)


def sign_in_with_code(*, request: HttpRequest, pending: Pending, code: str) -> None:
    """The code step: sign the pending user in with the code of their authenticator app."""
    device = _confirmed_device(pending.user)
    if device is None:
        raise SecondFactorNotEnrolled()
    try:
        device = _check_code(request=request, user=pending.user, device=device, code=code)
    except SignInLocked:
        request.session.pop(PENDING_SIGN_IN, None)
        raise
    _finish(request, pending, device)


# Enrolment --------------------------------------------------------------------------------------


def two_factor_enrolling(*, user: User) -> TOTPDevice:
    """The authenticator key `user` is being shown to enrol: the same one until confirmed, so a
    reload does not undo a scan. Only for a user with no confirmed authenticator."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def two_factor_confirm(
    *, request: HttpRequest, user: User, code: str, pending: Pending | None
) -> TOTPDevice:
    """Confirm the enrolling key with the first code the app shows. From then on every sign-in
    of `user` asks for a code. The session counts as verified; a pending sign-in (head office
    enrolling right after its password) is completed."""
    device = _check_code(
        request=request, user=user, device=two_factor_enrolling(user=user), code=code
    )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One authenticator per person: keys shown before and never confirmed are dropped.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    if pending is not None:
        _finish(request, pending, device)
    else:
        otp_login(request, device)
    return device


# API tokens -------------------------------------------------------------------------------------


def api_token_sign_in(
    *, request: HttpRequest, username: str, password: str, otp_token: str | None
) -> Token:
    """A token for a staff API client: the same password check, lockout and second factor as
    the sign-in form. A success forgets the account's failures."""
    request = _http(request)
    try:
        with password_checks().slot():
            user = _check_password(request=request, username=username, password=password)
            if not user_is_staff_member(user):
                raise NotStaff()
            if second_factor_required(user):
                device = _confirmed_device(user)
                if device is None:
                    raise SecondFactorNotEnrolled()
                if not otp_token:
                    raise SecondFactorRequired()
                _check_code(request=request, user=user, device=device, code=otp_token)
            AxesProxyHandler.reset_attempts(username=user.get_username())
            token, _created = Token.objects.get_or_create(user=user)
    except GateBusy:
        raise SignInBusy() from None
    return token
