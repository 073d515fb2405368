"""What the views of the queue API share: the documented errors, the Idempotency-Key
parameter, the staff check, and the lookups by token."""

import re

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
)
from rest_framework import exceptions
from rest_framework.request import Request

from branchsite.infra.errors import InvalidInput
from branchsite.infra.idempotency import HEADER as IDEMPOTENCY_HEADER
from branchsite.infra.idempotency import KEY_PATTERN as IDEMPOTENCY_KEY_PATTERN

from .. import selectors
from ..models import Appointment, Branch, Ticket
from ..serializers import (
    ErrorSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input"),
    404: OpenApiResponse(ErrorSerializer, description="Not found"),
    409: OpenApiResponse(ErrorSerializer, description="The ticket's state or a rule forbids it"),
}
STAFF_ERRORS = {
    **ERRORS,
    401: OpenApiResponse(ErrorSerializer, description="Not logged in"),
    403: OpenApiResponse(ErrorSerializer, description="Not staff of this branch"),
}
KEY_REUSED = OpenApiResponse(
    ErrorSerializer, description="Idempotency-Key used for another body (`idempotency_key_reused`)"
)
ERRORS_ON_CREATE = {
    422: OpenApiResponse(
        ErrorSerializer,
        description="The body names no open branch (`unknown_branch`) or no service of it "
        "(`unknown_service`), or its Idempotency-Key was used for another body "
        "(`idempotency_key_reused`)",
    ),
    429: OpenApiResponse(
        ErrorSerializer,
        description="Over the limit for this phone or network; `Retry-After` says when to retry",
    ),
}
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
    OpenApiParameter.HEADER,
    description=(
        "A retried POST with the same key gets the first answer; nothing new is created. "
        "1 to 255 visible ASCII characters, such as a UUID; anything else is a 400 "
        "`invalid_idempotency_key`."
    ),
)


def require_branch_staff(request: Request, branch: Branch) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    if not selectors.user_may_act_for_branch(request.user, branch):
        raise exceptions.PermissionDenied(
            _("You are not staff of %(branch)s.") % {"branch": branch.code},
            code="not_branch_staff",
        )


# '<latitude>,<longitude>' in decimal degrees, each within its range, as the schema publishes it.
_LATITUDE = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LONGITUDE = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
NEAR_PATTERN = rf"^$|^{_LATITUDE},{_LONGITUDE}$"
_NEAR = re.compile(rf"({_LATITUDE}),({_LONGITUDE})")


def parse_near(raw: str) -> tuple[float, float]:
    """The point of `?near=`, exactly as NEAR_PATTERN says: not whatever float() would read."""
    point = _NEAR.fullmatch(raw)
    if point is None:
        raise InvalidInput(
            "invalid_near",
            _("near must be '<latitude>,<longitude>' in degrees, e.g. 23.135,113.320."),
        )
    return float(point.group(1)), float(point.group(2))


def ticket_by_token(token: str) -> Ticket:
    return get_object_or_404(
        Ticket.objects.select_related("branch", "service", "counter", "notification_subscription"),
        token=token,
    )


def appointment_by_token(token: str) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("branch", "service__branch", "ticket").prefetch_related(
            "service__branch__opening_hours"
        ),
        token=token,
    )
