"""Appointments: slots, booking, rescheduling, cancelling, checking in, and their files."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchsite.infra.audit import Origin
from branchsite.infra.clients import client_address
from branchsite.infra.dates import parse_day
from branchsite.infra.file_answers import FileAnswerMixin
from branchsite.infra.idempotency import respond_idempotently

from .. import selectors, services
from ..appointment_files import appointment_calendar, appointment_qr_png
from ..devices import device_of
from ..models import Appointment, Branch
from ..serializers import (
    AppointmentCreateSerializer,
    AppointmentSerializer,
    CheckInByCodeSerializer,
    PresenceSerializer,
    RescheduleSerializer,
    ReservedCashSerializer,
    SlotQuerySerializer,
    SlotSerializer,
    TicketSerializer,
    just_issued,
)
from .common import (
    ERRORS,
    ERRORS_ON_CREATE,
    IDEMPOTENCY_PARAMETER,
    KEY_REUSED,
    STAFF_ERRORS,
    appointment_by_token,
    require_branch_staff,
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
        slots = selectors.bookable_slots(service=service, day=query.validated_data["date"])
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
                reminders=data["reminders"],
                language=get_language(),
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
        appointment = services.appointment_cancel(
            appointment=appointment_by_token(token), actor=Origin.of_request(request)
        )
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
            appointment=appointment,
            start=payload.validated_data["start"],
            actor=Origin.of_request(request),
        )
        return Response(AppointmentSerializer(appointment).data)


def _checked_in_answer(
    request: Request, appointment: Appointment, *, presence_code: str | None = None
) -> Response:
    def check_in() -> tuple[int, dict]:
        ticket = services.appointment_check_in(
            appointment=appointment, actor=Origin.of_request(request), presence_code=presence_code
        )
        return status.HTTP_201_CREATED, TicketSerializer(just_issued(ticket)).data

    return respond_idempotently(request, scope="appointments.check-in", create=check_in)


class AppointmentCheckInView(APIView):
    @extend_schema(
        summary="Check in: the appointment becomes a priority ticket",
        description=(
            "From 30 minutes before the start to 15 minutes after, while the branch is open. "
            "Too early is a 409 `check_in_not_yet`, too late `check_in_closed`. The holder "
            "proves they are in the lobby with `presence_code`, the code its wall screens show "
            "(it changes every five minutes): missing, a 400 `presence_code_required`; wrong, a "
            "403 `presence_code_wrong`. Staff and the branch's kiosks need none."
        ),
        request=PresenceSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: TicketSerializer, 422: KEY_REUSED, **ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        payload = PresenceSerializer(data=request.data or {})
        payload.is_valid(raise_exception=True)
        return _checked_in_answer(
            request,
            appointment_by_token(token),
            presence_code=payload.validated_data.get("presence_code"),
        )


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
        kiosk = device_of(request.auth)
        if kiosk is None:
            require_branch_staff(request, branch)
        payload = CheckInByCodeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def check_in() -> tuple[int, dict]:
            ticket = services.appointment_check_in_by_code(
                branch=branch,
                code=payload.validated_data["code"],
                actor=Origin.of_request(request),
                kiosk=kiosk,
            )
            return status.HTTP_201_CREATED, TicketSerializer(just_issued(ticket)).data

        return respond_idempotently(request, scope="appointments.check-in", create=check_in)


class AppointmentCalendarView(FileAnswerMixin, APIView):
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


class AppointmentQrView(FileAnswerMixin, APIView):
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
        if not selectors.user_may_see_reserved_cash(request.user):
            raise exceptions.PermissionDenied(
                _("Only head office sees reserved cash."), code="not_head_office"
            )
        raw = request.query_params.get("date")
        day = parse_day(raw) if raw is not None else None
        return Response(ReservedCashSerializer(selectors.reserved_cash(day=day), many=True).data)
