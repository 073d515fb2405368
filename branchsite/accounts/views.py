"""The staff sign-in pages: the password, the code of an authenticator app, enrolling one, and the
lockout page. The one way in for staff: the admin's own login sends here (branchsite/admin_site.py).
"""

from base64 import b32encode
from io import BytesIO

import qrcode
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.pil import PilImage

from queueing.selectors import user_is_staff_member

from . import services
from .errors import (
    SecondFactorInvalid,
    SecondFactorNotEnrolled,
    SecondFactorThrottled,
    SignInBusy,
    SignInLocked,
    WrongCredentials,
)
from .forms import CodeForm, SignInForm


def _next_url(request: HttpRequest) -> str:
    """Where to go once signed in: the page asked for, if it is one of this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _status_of(refused) -> int:
    # A form with a mistake in it is a page like any other; "wait, then try again" is a 429.
    return 429 if refused.status == 429 else 200


def locked_page(request: HttpRequest, locked: SignInLocked) -> HttpResponse:
    response = render(request, "accounts/locked.html", {"detail": locked.detail}, status=429)
    response["Retry-After"] = str(locked.extra["retry_after_seconds"])
    return response


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """What django-axes's middleware answers for a request it locked out (AXES_LOCKOUT_CALLABLE):
    the lockout the sign-in already answered, again (under ASGI axes 8 passes no response to
    keep), or, for anything else that called authenticate(), this account's and address's."""
    if getattr(original_response, "status_code", None) == 429:
        return original_response
    username = get_client_username(request, credentials if isinstance(credentials, dict) else None)
    locked = services.sign_in_locked(request=request, username=username or "")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": locked.code, "detail": locked.detail, **locked.extra},
            status=locked.status,
            headers={"Retry-After": str(locked.extra["retry_after_seconds"])},
        )
    return locked_page(request, locked)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    form = SignInForm(request.POST if request.method == "POST" else None)
    error, status = None, 200
    if form.is_bound and not form.is_valid():
        error = WrongCredentials().detail
    elif form.is_bound:
        try:
            pending = services.sign_in_with_password(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                next_url=next_url,
            )
        except SignInLocked as locked:
            return locked_page(request, locked)
        except (WrongCredentials, SignInBusy) as refused:
            error, status = refused.detail, _status_of(refused)
        else:
            if pending is None:
                return redirect(next_url)
            return redirect("two-factor" if pending.enrol else "sign-in-code")
    context = {"form": form, "next": next_url, "error": error}
    return render(request, "registration/login.html", context, status=status)


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """After the password, for staff who sign in with a code."""
    pending = services.pending_sign_in(request)
    if pending is None or pending.enrol:
        return redirect("login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    error, status = None, 200
    if form.is_bound and form.is_valid():
        try:
            services.sign_in_with_code(
                request=request, pending=pending, code=form.cleaned_data["otp_token"]
            )
        except SignInLocked as locked:
            return locked_page(request, locked)
        except SecondFactorNotEnrolled:
            return redirect("login")
        except (SecondFactorInvalid, SecondFactorThrottled) as refused:
            error, status = refused.detail, _status_of(refused)
        else:
            return redirect(pending.next_url)
    elif form.is_bound:
        error = SecondFactorInvalid().detail
    context = {"form": form, "error": error, "username": pending.user.get_username()}
    return render(request, "accounts/sign_in_code.html", context, status=status)


def _enrolling(request: HttpRequest) -> tuple[User | None, services.Pending | None]:
    """Who enrols here: head office right after its password, or signed-in staff.

    Raises PermissionDenied for an account of nobody's staff; (None, None) when nobody is signed in.
    """
    pending = services.pending_sign_in(request)
    if pending is not None and pending.enrol:
        return pending.user, pending
    user = request.user
    if not user.is_authenticated:
        return None, None
    assert isinstance(user, User)  # the project's user model
    if not user_is_staff_member(user):
        raise PermissionDenied("Only staff sign in with an authenticator app.")
    return user, None


def _grouped(secret: str) -> str:
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the key (or type it), confirm with its first code."""
    user, pending = _enrolling(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if pending is None and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return render(request, "accounts/two_factor.html", {"enrolled": True})
    device = services.two_factor_enrolling(user=user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    error, status = None, 200
    if form.is_bound and form.is_valid():
        try:
            services.two_factor_confirm(
                request=request, user=user, code=form.cleaned_data["otp_token"], pending=pending
            )
        except SignInLocked as locked:
            return locked_page(request, locked)
        except (SecondFactorInvalid, SecondFactorThrottled) as refused:
            error, status = refused.detail, _status_of(refused)
        else:
            return redirect(pending.next_url if pending is not None else "two-factor")
    elif form.is_bound:
        error = SecondFactorInvalid().detail
    context = {
        "form": form,
        "error": error,
        "secret": _grouped(b32encode(device.bin_key).decode()),
        "signing_in": pending is not None,
        "username": user.get_username(),
    }
    return render(request, "accounts/two_factor.html", context, status=status)


@never_cache
@require_http_methods(["GET"])
def two_factor_qr(request: HttpRequest) -> HttpResponse:
    """The enrolling key as a QR code for the authenticator app to scan: an otpauth:// URL."""
    user, pending = _enrolling(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if pending is None and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise PermissionDenied("The authenticator of this account is enrolled already.")
    image = qrcode.make(
        services.two_factor_enrolling(user=user).config_url,
        image_factory=PilImage,
        box_size=5,
        border=4,
    )
    png = BytesIO()
    image.save(png)
    return HttpResponse(png.getvalue(), content_type="image/png")
