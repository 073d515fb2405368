"""Text messages: a ticket's holder opts in and out; the SMS gateway forwards replies."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchsite.infra.clients import client_address
from branchsite.infra.notifications import inbound_secret_matches

from .. import services
from ..serializers import (
    ErrorSerializer,
    InboundReplyAnswerSerializer,
    InboundReplySerializer,
    NotificationOptInSerializer,
    TicketSerializer,
)
from .common import ERRORS, ERRORS_ON_CREATE, ticket_by_token


class TicketNotificationsView(APIView):
    @extend_schema(
        summary="Text me when the ticket is near the front, and when it is called",
        description=(
            "Stores the phone; the messages come later, in the request's language, each with a "
            "link to the ticket's page and the stop instruction. Posting again replaces the "
            "phone. A ticket no longer waiting is a 409 `ticket_not_waiting`; a malformed phone "
            "a 400 `invalid_phone`."
        ),
        request=NotificationOptInSerializer,
        responses={200: TicketSerializer, 429: ERRORS_ON_CREATE[429], **ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        ticket = ticket_by_token(token)
        payload = NotificationOptInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = services.ticket_notifications_subscribe(
            ticket=ticket,
            phone=payload.validated_data["phone"],
            language=get_language(),
            client_address=client_address(request),
        )
        return Response(TicketSerializer(ticket).data)

    @extend_schema(
        summary="Stop the texts about this ticket",
        description="Also those written and not sent yet. Stopping twice is no error.",
        request=None,
        responses={200: TicketSerializer, 404: ERRORS[404]},
    )
    def delete(self, request: Request, token: str) -> Response:
        ticket = services.ticket_notifications_stop(ticket=ticket_by_token(token))
        return Response(TicketSerializer(ticket).data)


class InboundReplyView(APIView):
    """The SMS gateway's webhook for customers' replies. Not for browsers: no session, no CSRF;
    the gateway proves itself with the shared secret."""

    authentication_classes: list = []

    @extend_schema(
        summary="A customer's reply, forwarded by the SMS gateway",
        description=(
            "For the SMS gateway only: `Authorization: Bearer <NOTIFICATION_INBOUND_SECRET>`, "
            "anything else is a 403 `gateway_not_recognised`. A reply of TD, STOP or 退订 ends "
            "every subscription of the number (tickets and appointment reminders) and withdraws "
            "the messages it is still owed; any other reply changes nothing. Either way the "
            "answer is a 200, so that the gateway does not send it again."
        ),
        request=InboundReplySerializer,
        responses={
            200: InboundReplyAnswerSerializer,
            400: ERRORS[400],
            403: OpenApiResponse(ErrorSerializer, description="Not the gateway"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        if not inbound_secret_matches(request.headers.get("Authorization", "")):
            raise exceptions.PermissionDenied(
                _("Only the SMS gateway may send replies here."), code="gateway_not_recognised"
            )
        payload = InboundReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        stopped = services.notification_reply_received(
            phone=payload.validated_data["phone"], text=payload.validated_data["text"]
        )
        return Response(InboundReplyAnswerSerializer({"stopped": stopped}).data)
