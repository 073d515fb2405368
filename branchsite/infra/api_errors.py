"""One place that turns every API failure into `{"code": ..., "detail": ...}` JSON."""

import logging

from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .errors import DomainError

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        set_rollback()
        retry_after = exc.extra.get("retry_after_seconds")
        return Response(
            {"code": exc.code, "detail": exc.detail, **exc.extra},
            status=exc.status,
            headers={"Retry-After": str(retry_after)} if retry_after is not None else None,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        # Services take locks so constraints are not hit; if one is, the request lost a race
        # the locks did not cover. Report a conflict rather than a crash.
        logger.warning("Constraint stopped a write: %s", exc)
        set_rollback()
        return Response(
            {
                "code": "conflict",
                "detail": _("The request conflicts with a concurrent change; retry."),
            },
            status=status.HTTP_409_CONFLICT,
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    set_rollback()
    headers = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth_header
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid", "detail": _("Some fields are not valid."), "errors": exc.detail}
    else:
        code = exc.get_codes()
        body = {
            "code": code if isinstance(code, str) else exc.default_code,
            "detail": str(exc.detail),
        }
    return Response(body, status=exc.status_code, headers=headers)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, *, status: int, code: str, detail: str) -> HttpResponse:
    """An error answered outside DRF: JSON with a `code` under /api/, a page elsewhere."""
    if _is_api(request):
        return JsonResponse({"code": code, "detail": detail}, status=status)
    try:
        return render(request, "400.html", {"detail": detail}, status=status)
    except Exception:
        # The page needs the request's host and session, which may be what was wrong.
        return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


def json_bad_request(request, exception=None):
    """400 for what Django refuses before any view: too large a body, too many fields, a host
    not in ALLOWED_HOSTS, other suspicious requests."""
    if isinstance(exception, RequestDataTooBig):
        code, detail = "request_too_large", _("The request's body is too large.")
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        code, detail = "too_many_fields", _("The request has too many fields.")
    elif isinstance(exception, DisallowedHost):
        code, detail = "disallowed_host", _("This server does not answer to that host name.")
    else:
        code, detail = "bad_request", _("The request could not be read.")
    return error_response(request, status=400, code=code, detail=detail)


def json_not_found(request, exception=None):
    """404 for paths that no URL matches: JSON under /api/, the normal page elsewhere."""
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": _("No such API endpoint.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def json_server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"code": "server_error", "detail": _("Something went wrong on our side.")}, status=500
        )
    from django.views.defaults import server_error

    return server_error(request)
