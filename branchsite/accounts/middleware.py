"""A session whose sign-in needs a second factor counts as signed in only once it has one."""

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.deprecation import MiddlewareMixin
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from .services import second_factor_required


def signed_in_user(user):
    """`user`, unless their sign-in needs a code and this session has not verified one: then
    anonymous, everywhere. The sign-in form never makes such a session (it signs in only after
    the code); this covers older sessions and staff who became head office or enrolled since."""
    if user.is_authenticated and not user.is_verified() and second_factor_required(user):
        return AnonymousUser()
    return user


class SecondFactorMiddleware(MiddlewareMixin):
    """After django-otp's OTPMiddleware, which tells whether the session is verified. Lazy, as
    the user is: a request that never asks who is signed in makes no query here (the sign-in
    takes its slot for the password check before its first query)."""

    def process_request(self, request: HttpRequest) -> None:
        user = request.user
        request.user = SimpleLazyObject(lambda: signed_in_user(user))  # type: ignore[assignment]
        auser = request.auser

        async def confined_auser():
            return await sync_to_async(signed_in_user)(await auser())

        request.auser = confined_auser  # type: ignore[method-assign]


def _socket_user(scope: dict):
    """What `signed_in_user` makes of a page's user, for a socket's: the session's verified
    device (as django-otp's middleware finds it) decides whether a sign-in that needs a second
    factor counts."""
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return AnonymousUser()
    persistent_id = scope["session"].get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    verified = device is not None and device.user_id == user.pk and device.confirmed
    if not verified and second_factor_required(user):
        return AnonymousUser()
    return user


class SecondFactorSocketMiddleware(BaseMiddleware):
    """Inside channels' AuthMiddlewareStack: a socket carries the user only if their page would."""

    async def __call__(self, scope, receive, send):
        scope = dict(scope, user=await database_sync_to_async(_socket_user)(scope))
        return await super().__call__(scope, receive, send)
