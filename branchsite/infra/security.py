"""The policies every response carries: Content-Security-Policy (django-csp, configured in
settings.CONTENT_SECURITY_POLICY) and Permissions-Policy (settings.PERMISSIONS_POLICY), and the
endpoint where browsers report what the content policy blocked.

Pages run only the site's own script and style files: no inline <script>, no style="…" or
onclick="…" attributes, no `javascript:` links. Data for a script goes in `json_script`, words in
hidden elements, looks in CSS classes.
"""

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger(__name__)

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with the page's own WebSocket origin in `connect-src`.

    CSP Level 3 lets 'self' match ws:/wss: on the page's host; Chromium does since version 70
    (the browser tests pass without this), but WebKit only since 2022 (webkit.org bug 235873),
    so on an older iPhone the ticket page would never go live. Naming the origin costs nothing:
    `request.get_host()` is one of ALLOWED_HOSTS.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:  # the 400 for that very request: nothing to connect to
            return parts
        socket_origin = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", ()), socket_origin]
        parts.update = update
        return parts


def allow_features(*features: str) -> Callable:
    """Lets the page of a view use browser features that settings.PERMISSIONS_POLICY turns off
    everywhere else, for the site itself only (`feature=(self)`), never for anything embedded:
    `@allow_features("geolocation")`."""
    unknown = set(features) - set(settings.PERMISSIONS_POLICY)
    if unknown:
        raise ValueError(f"Not in settings.PERMISSIONS_POLICY: {', '.join(sorted(unknown))}")

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(*args, **kwargs)
            response.allowed_features = frozenset(features)  # type: ignore[attr-defined]
            return response

        return wrapped

    return decorator


def permissions_policy(allowed: frozenset[str] = frozenset()) -> str:
    """The header's value: every feature of settings.PERMISSIONS_POLICY with its allowlist,
    `self` added for the `allowed` ones. `camera=(), geolocation=(self)`."""
    parts = []
    for feature, allowlist in settings.PERMISSIONS_POLICY.items():
        origins = list(allowlist)
        if feature in allowed and "self" not in origins:
            origins.insert(0, "self")
        quoted = [origin if origin in ("self", "*") else f'"{origin}"' for origin in origins]
        parts.append(f"{feature}=({' '.join(quoted)})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware(MiddlewareMixin):
    """Sends Permissions-Policy on every response that has none yet. (MiddlewareMixin: it runs
    in the ASGI event loop as well, without a hop to a thread.)"""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if PERMISSIONS_POLICY_HEADER not in response:
            allowed: frozenset[str] = getattr(response, "allowed_features", frozenset())
            response[PERMISSIONS_POLICY_HEADER] = permissions_policy(allowed)
        return response


# Violation reports ---------------------------------------------------------------------------

# What a report may say about itself in the log, each field cut short: a report is written by
# whoever sends it.
REPORT_FIELDS = ("document-uri", "effective-directive", "blocked-uri", "source-file", "line-number")
REPORT_FIELD_LENGTH = 300


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """`report-uri` of the content policy: browsers POST what it blocked, and a violation on a
    page of the site is a bug to fix, so each is logged as a warning."""
    try:
        report = json.loads(request.body)["csp-report"]
        fields = {name: str(report.get(name, ""))[:REPORT_FIELD_LENGTH] for name in REPORT_FIELDS}
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponse(status=400)
    logger.warning(
        "Content-Security-Policy blocked %(blocked-uri)r (%(effective-directive)s) on "
        "%(document-uri)r at %(source-file)r line %(line-number)s",
        fields,
    )
    return HttpResponse(status=204)
