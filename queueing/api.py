"""The queue API: thin views that parse, check who may act, call a service and shape the answer."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchsite.errors import InvalidInput
from branchsite.idempotency import HEADER as IDEMPOTENCY_HEADER
from branchsite.idempotency import respond_idempotently
from kiosks.models import Kiosk

from . import selectors, services
from .models import Branch, Counter, Service, Ticket
from .serializers import (
    BranchSerializer,
    ErrorSerializer,
    RatingSerializer,
    StaffTicketSerializer,
    TicketCreateSerializer,
    TicketSerializer,
    TransferSerializer,
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
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A retried POST with the same key gets the first answer; nothing new is created.",
)


def require_branch_staff(request: Request, branch: Branch) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    if not selectors.user_may_act_for_branch(request.user, branch):
        raise exceptions.PermissionDenied(
            _("You are not staff of %(branch)s.") % {"branch": branch.code},
            code="not_branch_staff",
        )


def parse_near(raw: str) -> tuple[float, float]:
    try:
        lat, lng = (float(part) for part in raw.split(","))
    except ValueError:
        raise InvalidInput("invalid_near", _("near must be '<latitude>,<longitude>'.")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput("invalid_near", _("near is outside the range of coordinates."))
    return lat, lng


def ticket_by_token(token: str) -> Ticket:
    return get_object_or_404(
        Ticket.objects.select_related("branch", "service", "counter"), token=token
    )


class BranchListView(APIView):
    @extend_schema(
        summary="Branches with live waits",
        parameters=[
            OpenApiParameter("city", OpenApiTypes.STR, description="City name, Chinese or English"),
            OpenApiParameter(
                "near", OpenApiTypes.STR, description="'<lat>,<lng>': sort by distance"
            ),
        ],
        responses={200: BranchSerializer(many=True), 400: ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        near = request.query_params.get("near")
        branches = selectors.branches_with_waits(
            city=request.query_params.get("city"), near=parse_near(near) if near else None
        )
        return Response(BranchSerializer(branches, many=True).data)


class BranchDetailView(APIView):
    @extend_schema(
        summary="One branch with live waits", responses={200: BranchSerializer, 404: ERRORS[404]}
    )
    def get(self, request: Request, code: str) -> Response:
        found = selectors.branches_with_waits(code=code)
        if not found:
            raise exceptions.NotFound(_("No branch %(code)s.") % {"code": code})
        return Response(BranchSerializer(found[0]).data)


class TicketCreateView(APIView):
    @extend_schema(
        summary="Take a ticket",
        description=(
            "Anyone may take a remote ticket; a kiosk authenticates with `Authorization: Kiosk "
            "<device key>` and takes tickets of its own branch."
        ),
        request=TicketCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: TicketSerializer,
            403: OpenApiResponse(ErrorSerializer, description="A kiosk of another branch"),
            422: OpenApiResponse(
                ErrorSerializer, description="Idempotency-Key reused for another body"
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service: Service = payload.validated_data["service"]
        channel = Ticket.Channel.REMOTE
        if isinstance(request.auth, Kiosk):
            if request.auth.branch_id != service.branch_id:
                raise exceptions.PermissionDenied(
                    _("A kiosk issues tickets of its own branch only."),
                    code="kiosk_wrong_branch",
                )
            channel = Ticket.Channel.KIOSK

        def issue() -> tuple[int, dict]:
            ticket = services.ticket_issue(service=service, channel=channel, actor=request.user)
            return status.HTTP_201_CREATED, TicketSerializer(ticket).data

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
        ticket = services.ticket_cancel(ticket=ticket_by_token(token), actor=request.user)
        return Response(TicketSerializer(ticket).data)


class TicketRatingView(APIView):
    @extend_schema(
        summary="Rate a finished ticket 1–5, once",
        request=RatingSerializer,
        responses={200: TicketSerializer, **ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        ticket = ticket_by_token(token)
        payload = RatingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = services.ticket_rate(
            ticket=ticket,
            stars=payload.validated_data["stars"],
            comment=payload.validated_data["comment"],
        )
        return Response(TicketSerializer(ticket).data)


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
        ticket = self.actions[self.action](ticket=ticket, actor=request.user)
        return Response(StaffTicketSerializer(ticket).data)


class TicketTransferView(APIView):
    @extend_schema(
        summary="Move a waiting or called ticket to another queue of its branch",
        description="The ticket ends `transferred`; the answer is its successor in the new queue.",
        request=TransferSerializer,
        responses={200: StaffTicketSerializer, **STAFF_ERRORS},
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
            raise exceptions.ValidationError({"service": [_("This branch has no such service.")]})
        successor = services.ticket_transfer(
            ticket=ticket, to_service=to_service, actor=request.user
        )
        return Response(StaffTicketSerializer(successor).data)


class CallNextView(APIView):
    @extend_schema(
        summary="Call the next ticket to a counter",
        request=None,
        responses={
            200: StaffTicketSerializer,
            204: OpenApiResponse(description="Nobody is waiting for this counter's services"),
            **STAFF_ERRORS,
        },
    )
    def post(self, request: Request, code: str, number: int) -> Response:
        counter = get_object_or_404(
            Counter.objects.select_related("branch"), branch__code=code, number=number
        )
        require_branch_staff(request, counter.branch)
        ticket = services.ticket_call_next(counter=counter, actor=request.user)
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(StaffTicketSerializer(ticket).data)


class CounterSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    is_open = serializers.BooleanField()
    teller = serializers.CharField(source="teller.get_username", allow_null=True, default=None)
    services = serializers.SerializerMethodField()

    def get_services(self, counter: Counter) -> list[str]:
        return sorted(service.prefix for service in counter.services.all())


class CounterStateView(APIView):
    """open, close: one view, the action named in the URL."""

    actions = {"open": services.counter_open, "close": services.counter_close}
    action: str = ""

    @extend_schema(
        summary="Open or close a counter",
        description=(
            "A teller who opens a counter takes it. A counter with a called or served ticket "
            "does not close (409 `counter_busy`)."
        ),
        request=None,
        responses={200: CounterSerializer, **STAFF_ERRORS},
    )
    def post(self, request: Request, code: str, number: int) -> Response:
        counter = get_object_or_404(
            Counter.objects.select_related("branch"), branch__code=code, number=number
        )
        require_branch_staff(request, counter.branch)
        counter = self.actions[self.action](counter=counter, actor=request.user)
        return Response(CounterSerializer(counter).data)


class LobbyView(APIView):
    @extend_schema(
        summary="The live lobby of a branch, as the lobby board shows it",
        description=(
            "The same snapshot `/ws/lobby/<code>/` sends on connect: queues, counters, active "
            "tickets and recent calls, with the branch's lobby `version`."
        ),
        responses={200: OpenApiTypes.OBJECT, **STAFF_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        branch = get_object_or_404(Branch, code=code, is_active=True)
        require_branch_staff(request, branch)
        return Response(selectors.lobby_snapshot(branch))


class StaffTicketView(APIView):
    @extend_schema(
        summary="A ticket with its history, for staff of its branch",
        responses={200: StaffTicketSerializer, **STAFF_ERRORS},
    )
    def get(self, request: Request, token: str) -> Response:
        ticket = ticket_by_token(token)
        require_branch_staff(request, ticket.branch)
        return Response(StaffTicketSerializer(ticket).data)


class AuthTokenView(APIView):
    authentication_classes: list = []

    @extend_schema(
        summary="A token for staff API clients",
        description="Send it as `Authorization: Token <token>`.",
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: ERRORS[400],
            403: OpenApiResponse(ErrorSerializer, description="Not a staff member"),
        },
    )
    def post(self, request: Request) -> Response:
        credentials = AuthTokenSerializer(data=request.data, context={"request": request})
        credentials.is_valid(raise_exception=True)
        user = credentials.validated_data["user"]
        if not selectors.user_is_staff_member(user):
            raise exceptions.PermissionDenied(
                _("Only branch staff get API tokens."), code="not_staff"
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
