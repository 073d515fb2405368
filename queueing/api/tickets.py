"""Tickets: taking one, following it, cancelling and rating it, and what staff do with it."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchsite.infra.audit import Origin
from branchsite.infra.clients import client_address
from branchsite.infra.errors import NamesNothing
from branchsite.infra.idempotency import respond_idempotently

from .. import selectors, services
from ..devices import device_of
from ..models import Service
from ..serializers import (
    ErrorSerializer,
    PreQueueAdviceSerializer,
    RatingSerializer,
    StaffTicketSerializer,
    TicketCreateSerializer,
    TicketSerializer,
    TransferSerializer,
    just_issued,
)
from .common import (
    ERRORS,
    ERRORS_ON_CREATE,
    IDEMPOTENCY_PARAMETER,
    KEY_REUSED,
    STAFF_ERRORS,
    require_branch_staff,
    ticket_by_token,
)


class TicketCreateView(APIView):
    @extend_schema(
        summary="Take a ticket",
        description=(
            "Anyone may take a remote ticket; a kiosk authenticates with `Authorization: Kiosk "
            "<device key>` and takes tickets of its own branch; a lobby manager signed in issues "
            "`lobby` tickets of their branch. Priority services are given by a kiosk or the lobby "
            "manager only (403 `priority_in_branch_only`)."
        ),
        request=TicketCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: TicketSerializer,
            403: OpenApiResponse(ErrorSerializer, description="A kiosk of another branch"),
            422: ERRORS_ON_CREATE[422],
            429: ERRORS_ON_CREATE[429],
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service: Service = payload.validated_data["service"]
        kiosk = device_of(request.auth)

        in_lobby = kiosk is None and selectors.user_is_lobby_manager_of(
            request.user, service.branch_id
        )

        def issue() -> tuple[int, dict]:
            if kiosk is not None:
                ticket = services.ticket_issue_at_kiosk(
                    service=service, kiosk=kiosk, actor=Origin.of_request(request)
                )
            elif in_lobby:
                ticket = services.ticket_issue_in_lobby(
                    service=service, manager=request.user, actor=Origin.of_request(request)
                )
            else:
                ticket = services.ticket_take_remote(
                    service=service,
                    phone=payload.validated_data["phone"],
                    client_address=client_address(request),
                )
            return status.HTTP_201_CREATED, TicketSerializer(just_issued(ticket)).data

        return respond_idempotently(request, scope="tickets.create", create=issue)


class TicketDetailView(APIView):
    @extend_schema(summary="Follow a ticket", responses={200: TicketSerializer, 404: ERRORS[404]})
    def get(self, request: Request, token: str) -> Response:
        return Response(TicketSerializer(ticket_by_token(token)).data)


class TicketCancelView(APIView):
    @extend_schema(
        summary="Cancel a waiting ticket", request=None, responses={200: TicketSerializer, **ERRORS}
    )
    def post(self, request: Request, token: str) -> Response:
        ticket = services.ticket_cancel(
            ticket=ticket_by_token(token), actor=Origin.of_request(request)
        )
        return Response(TicketSerializer(ticket).data)


class TicketRatingView(APIView):
    @extend_schema(
        summary="Rate a finished ticket 1–5, once",
        description="A second rating is a 409 `already_rated`; a retry with the same "
        "`Idempotency-Key` gets the first answer instead.",
        request=RatingSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: TicketSerializer, 422: KEY_REUSED, **ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        ticket = ticket_by_token(token)
        payload = RatingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def rate() -> tuple[int, dict]:
            rated = services.ticket_rate(
                ticket=ticket,
                stars=payload.validated_data["stars"],
                comment=payload.validated_data["comment"],
            )
            return status.HTTP_200_OK, TicketSerializer(rated).data

        return respond_idempotently(request, scope="tickets.rating", create=rate)


class TicketStaffActionView(APIView):
    """recall, start, finish, no-show: one view, the action named in the URL."""

    actions = {
        "recall": services.ticket_recall,
        "start": services.ticket_start,
        "finish": services.ticket_finish,
        "no-show": services.ticket_mark_no_show,
    }
    action: str = ""

    @extend_schema(request=None, responses={200: StaffTicketSerializer, **STAFF_ERRORS})
    def post(self, request: Request, token: str) -> Response:
        ticket = ticket_by_token(token)
        require_branch_staff(request, ticket.branch)
        ticket = self.actions[self.action](ticket=ticket, actor=Origin.of_request(request))
        return Response(StaffTicketSerializer(ticket).data)


class TicketTransferView(APIView):
    @extend_schema(
        summary="Move a waiting or called ticket to another queue of its branch",
        description="The ticket ends `transferred`; the answer is its successor in the new queue.",
        request=TransferSerializer,
        responses={
            200: StaffTicketSerializer,
            422: OpenApiResponse(
                ErrorSerializer, description="The branch has no such service (`unknown_service`)"
            ),
            **STAFF_ERRORS,
        },
    )
    def post(self, request: Request, token: str) -> Response:
        ticket = ticket_by_token(token)
        require_branch_staff(request, ticket.branch)
        payload = TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        to_service = Service.objects.filter(
            branch=ticket.branch, prefix=payload.validated_data["service"]
        ).first()
        if to_service is None:
            raise NamesNothing("unknown_service", _("This branch has no such service."))
        successor = services.ticket_transfer(
            ticket=ticket, to_service=to_service, actor=Origin.of_request(request)
        )
        return Response(StaffTicketSerializer(successor).data)


class StaffTicketView(APIView):
    @extend_schema(
        summary="A ticket with its history, for staff of its branch",
        responses={200: StaffTicketSerializer, **STAFF_ERRORS},
    )
    def get(self, request: Request, token: str) -> Response:
        ticket = ticket_by_token(token)
        require_branch_staff(request, ticket.branch)
        return Response(StaffTicketSerializer(ticket).data)


class TicketAlternativesView(APIView):
    @extend_schema(
        summary="While waiting: is the rest of the wait long, and where is it shorter?",
        responses={200: PreQueueAdviceSerializer, **ERRORS},
    )
    def get(self, request: Request, token: str) -> Response:
        advice = selectors.ticket_advice(ticket_by_token(token))
        if advice is None:
            raise exceptions.NotFound(_("This branch no longer offers this service."))
        return Response(PreQueueAdviceSerializer(advice).data)
