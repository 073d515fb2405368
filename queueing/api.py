"""The queue API: thin views that parse, check who may act, call a service and shape the answer."""

import re

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchsite.accounts import services as sign_in
from branchsite.accounts.errors import WrongCredentials
from branchsite.accounts.serializers import TokenRequestSerializer
from branchsite.infra.clients import client_address
from branchsite.infra.dates import parse_day
from branchsite.infra.errors import InvalidInput, NamesNothing, NotFound
from branchsite.infra.idempotency import HEADER as IDEMPOTENCY_HEADER
from branchsite.infra.idempotency import KEY_PATTERN as IDEMPOTENCY_KEY_PATTERN
from branchsite.infra.idempotency import respond_idempotently
from kiosks.models import Kiosk

from . import lobby, selectors, services
from .appointment_files import appointment_calendar, appointment_qr_png
from .errors import QueueError
from .models import Appointment, Branch, Counter, Service, Ticket
from .serializers import (
    AppointmentCreateSerializer,
    AppointmentSerializer,
    BranchSerializer,
    CheckInByCodeSerializer,
    ErrorSerializer,
    PreQueueAdviceSerializer,
    RatingSerializer,
    RescheduleSerializer,
    ReservedCashSerializer,
    SlotQuerySerializer,
    SlotSerializer,
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
        Ticket.objects.select_related("branch", "service", "counter"), token=token
    )


class BranchListView(APIView):
    @extend_schema(
        summary="Branches with live waits",
        parameters=[
            OpenApiParameter("city", OpenApiTypes.STR, description="City name, Chinese or English"),
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Words to find in code, name, city or address"
            ),
            OpenApiParameter(
                "near",
                {"type": "string", "pattern": NEAR_PATTERN, "example": "23.135,113.320"},
                description="`<latitude>,<longitude>` in decimal degrees: nearest first, with "
                "`distance_km`. Empty: not sorted.",
            ),
        ],
        responses={200: BranchSerializer(many=True), 400: ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        near = request.query_params.get("near")
        branches = selectors.branches_with_waits(
            city=request.query_params.get("city"),
            search=request.query_params.get("q"),
            near=parse_near(near) if near else None,
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
            422: ERRORS_ON_CREATE[422],
            429: ERRORS_ON_CREATE[429],
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
            if channel == Ticket.Channel.KIOSK:
                ticket = services.ticket_issue(service=service, channel=channel)
            else:
                ticket = services.ticket_take_remote(
                    service=service,
                    phone=payload.validated_data["phone"],
                    client_address=client_address(request),
                )
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
        ticket = self.actions[self.action](ticket=ticket, actor=request.user)
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
        return Response(lobby.lobby_snapshot(branch))


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
        description=(
            "Send it as `Authorization: Token <token>`. Head office, and staff who have enrolled "
            "an authenticator app, also send its current code as `otp_token`. Wrong passwords "
            "and codes count towards a lockout per account and per network address, shared "
            "with the staff login page."
        ),
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: OpenApiResponse(
                ErrorSerializer,
                description="Wrong user name or password (`invalid`); the account's code "
                "missing (`second_factor_required`) or wrong (`second_factor_invalid`)",
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="Not a staff member (`not_staff`), or head office without an "
                "authenticator app yet (`second_factor_not_enrolled`)",
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failures for the account or from the network "
                "(`sign_in_locked`), too many sign-ins at once (`sign_in_busy`), or a code "
                "right after a wrong one (`second_factor_throttled`); `Retry-After` says when "
                "to retry",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            token = sign_in.api_token_sign_in(
                request=request,
                username=payload.validated_data["username"],
                password=payload.validated_data["password"],
                otp_token=payload.validated_data.get("otp_token"),
            )
        except WrongCredentials as wrong:
            # The answer API clients have always had for a wrong password.
            raise serializers.ValidationError(
                {"non_field_errors": [wrong.detail]}, code="authorization"
            ) from None
        return Response({"token": token.key})


# Appointments -----------------------------------------------------------------------------------


def appointment_by_token(token: str) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("branch", "service__branch", "ticket").prefetch_related(
            "service__branch__opening_hours"
        ),
        token=token,
    )


class SlotListView(APIView):
    @extend_schema(
        summary="A day's appointment slots of a service, with the places left",
        description="Slots that have begun are left out; a day that cannot be booked has none.",
        parameters=[SlotQuerySerializer],
        responses={200: SlotSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        service = selectors.service_for_issuing(
            branch_code=code, prefix=query.validated_data["service"]
        )
        if service is None:
            raise exceptions.NotFound(_("This branch has no such service."))
        if not service.takes_appointments:
            raise QueueError(
                "appointments_not_offered",
                _("%(service)s cannot be booked at %(branch)s.")
                % {"service": service.name, "branch": code},
            )
        day = query.validated_data["date"]
        now = timezone.now()
        bookable = (
            selectors.first_booking_day(service=service, now=now)
            <= day
            <= selectors.last_booking_day(service=service, now=now)
        )
        slots = selectors.slots_for_day(service=service, day=day, now=now) if bookable else []
        return Response(SlotSerializer(slots, many=True).data)


class AppointmentCreateView(APIView):
    @extend_schema(
        summary="Book an appointment",
        description=(
            "A full slot is a 409 `slot_full`; a second active appointment of the same phone at "
            "the branch that day is a 409 `already_booked`."
        ),
        request=AppointmentCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: AppointmentSerializer, **ERRORS_ON_CREATE, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        payload = AppointmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data

        def book() -> tuple[int, dict]:
            appointment = services.appointment_book(
                service=data["service"],
                start=data["start"],
                phone=data["phone"],
                name=data["name"],
                cash_amount=data["cash_amount"],
                cash_currency=data["cash_currency"],
                client_address=client_address(request),
            )
            return status.HTTP_201_CREATED, AppointmentSerializer(appointment).data

        return respond_idempotently(request, scope="appointments.create", create=book)


class AppointmentDetailView(APIView):
    @extend_schema(
        summary="An appointment, for its holder",
        responses={200: AppointmentSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response(AppointmentSerializer(appointment_by_token(token)).data)


class AppointmentCancelView(APIView):
    @extend_schema(
        summary="Cancel a booked appointment; its place is freed",
        request=None,
        responses={200: AppointmentSerializer, **ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        appointment = services.appointment_cancel(appointment=appointment_by_token(token))
        return Response(AppointmentSerializer(appointment).data)


class AppointmentRescheduleView(APIView):
    @extend_schema(
        summary="Move a booked appointment to another slot of its service",
        description="A full slot is a 409 `slot_full` and leaves the appointment where it was.",
        request=RescheduleSerializer,
        responses={200: AppointmentSerializer, **ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        appointment = appointment_by_token(token)
        payload = RescheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = services.appointment_reschedule(
            appointment=appointment, start=payload.validated_data["start"]
        )
        return Response(AppointmentSerializer(appointment).data)


def _checked_in_answer(request: Request, appointment: Appointment) -> Response:
    def check_in() -> tuple[int, dict]:
        ticket = services.appointment_check_in(appointment=appointment, actor=request.user)
        return status.HTTP_201_CREATED, TicketSerializer(ticket).data

    return respond_idempotently(request, scope="appointments.check-in", create=check_in)


class AppointmentCheckInView(APIView):
    @extend_schema(
        summary="Check in: the appointment becomes a priority ticket",
        description=(
            "From 30 minutes before the start to 15 minutes after, while the branch is open. "
            "Too early is a 409 `check_in_not_yet`, too late `check_in_closed`."
        ),
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: TicketSerializer, 422: KEY_REUSED, **ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        return _checked_in_answer(request, appointment_by_token(token))


class BranchCheckInView(APIView):
    @extend_schema(
        summary="Check in an appointment by its code, at the branch",
        description=(
            "For the branch's kiosks (`Authorization: Kiosk <device key>`) and staff: the code "
            "from the appointment page or its QR code."
        ),
        request=CheckInByCodeSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: TicketSerializer, 422: KEY_REUSED, **STAFF_ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        branch = get_object_or_404(Branch, code=code, is_active=True)
        kiosk = request.auth if isinstance(request.auth, Kiosk) else None
        if kiosk is not None:
            if kiosk.branch_id != branch.pk:
                raise exceptions.PermissionDenied(
                    _("A kiosk checks in appointments of its own branch only."),
                    code="kiosk_wrong_branch",
                )
        else:
            require_branch_staff(request, branch)
        payload = CheckInByCodeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        typed = "".join(payload.validated_data["code"].split()).upper()
        appointment = (
            Appointment.objects.select_related("branch", "service__branch", "ticket")
            .filter(branch=branch, code=typed)
            .first()
        )
        if appointment is None:
            raise NotFound(
                "unknown_check_in_code",
                _("No appointment at %(branch)s has the code %(code)s.")
                % {"branch": branch.code, "code": typed},
            )
        return _checked_in_answer(request, appointment)


class AppointmentCalendarView(APIView):
    @extend_schema(
        summary="The appointment as an .ics file for a calendar",
        responses={(200, "text/calendar"): OpenApiTypes.BINARY, 404: ERRORS[404]},
    )
    def get(self, request: Request, token: str) -> HttpResponse:
        appointment = appointment_by_token(token)
        page = request.build_absolute_uri(reverse("appointment-page", args=[token]))
        response = HttpResponse(
            appointment_calendar(appointment, url=page), content_type="text/calendar; charset=utf-8"
        )
        filename = f"appointment-{appointment.branch.code}-{appointment.code}.ics"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class AppointmentQrView(APIView):
    @extend_schema(
        summary="The check-in QR code as a PNG",
        responses={(200, "image/png"): OpenApiTypes.BINARY, 404: ERRORS[404]},
    )
    def get(self, request: Request, token: str) -> HttpResponse:
        appointment = appointment_by_token(token)
        response = HttpResponse(appointment_qr_png(appointment), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class ReservedCashView(APIView):
    @extend_schema(
        summary="Cash booked for withdrawal on a day, per branch and currency (head office)",
        parameters=[
            OpenApiParameter(
                "date", OpenApiTypes.DATE, description="YYYY-MM-DD; tomorrow (Beijing) if left out"
            )
        ],
        responses={200: ReservedCashSerializer(many=True), **STAFF_ERRORS},
    )
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not selectors.user_is_head_office(request.user):
            raise exceptions.PermissionDenied(
                _("Only head office sees reserved cash."), code="not_head_office"
            )
        raw = request.query_params.get("date")
        day = parse_day(raw) if raw is not None else selectors.tomorrow_at_head_office()
        return Response(ReservedCashSerializer(selectors.reserved_cash(day=day), many=True).data)


# Pre-queue --------------------------------------------------------------------------------------


class BranchAlternativesView(APIView):
    @extend_schema(
        summary="Before taking a ticket: is the wait long, and where is it shorter?",
        parameters=[OpenApiParameter("service", OpenApiTypes.STR, required=True)],
        responses={200: PreQueueAdviceSerializer, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        branch = get_object_or_404(Branch, code=code, is_active=True)
        advice = selectors.pre_queue_advice(
            branch=branch, prefix=request.query_params.get("service", "")
        )
        if advice is None:
            raise exceptions.NotFound(_("This branch has no such service."))
        return Response(PreQueueAdviceSerializer(advice).data)


class TicketAlternativesView(APIView):
    @extend_schema(
        summary="While waiting: is the rest of the wait long, and where is it shorter?",
        responses={200: PreQueueAdviceSerializer, **ERRORS},
    )
    def get(self, request: Request, token: str) -> Response:
        ticket = ticket_by_token(token)
        progress = selectors.ticket_progress(ticket)
        advice = selectors.pre_queue_advice(
            branch=ticket.branch,
            prefix=ticket.service.prefix,
            wait_minutes=progress.estimated_wait_minutes or 0,
        )
        if advice is None:
            raise exceptions.NotFound(_("This branch no longer offers this service."))
        return Response(PreQueueAdviceSerializer(advice).data)
