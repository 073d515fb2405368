"""Shapes of the queue API. Validation of input shape only; rules live in services."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from branchsite.infra.errors import NamesNothing
from branchsite.infra.openapi import ErrorSerializer  # noqa: F401  (the API's error body, re-exported)
from branchsite.infra.phones import PHONE_PATTERN, mask_name, mask_phone, normalize_phone

from . import lobby, selectors
from .models import STAFF_ACTIONS_FROM, Appointment, Branch, Counter, Currency, Ticket
from .services import check_in_window


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
        "example": "09:00",
        "description": "The branch's local time, HH:MM",
    }
)
class HourMinuteField(serializers.TimeField):
    """A clock time as the API writes it. OpenAPI's `format: time` is RFC 3339's full time, with
    seconds and an offset (09:00:00+08:00), which this is not."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%H:%M", **kwargs)


_PREFIX = re.compile("[A-Z]")


@extend_schema_field({"type": "string", "pattern": "^[A-Z]$", "example": "A"})
class PrefixField(serializers.CharField):
    """A service prefix: one capital letter, as typed (" A" and "A\\n" are not prefixes)."""

    default_error_messages = {"invalid": _("A service prefix is one capital letter, A to Z.")}

    def __init__(self, **kwargs) -> None:
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> str:
        prefix = super().to_internal_value(data)
        if not _PREFIX.fullmatch(prefix):
            self.fail("invalid")
        return prefix


_PHONE = {"type": "string", "pattern": PHONE_PATTERN, "maxLength": 32, "example": "138 1234 5678"}


@extend_schema_field(_PHONE)
class PhoneField(serializers.CharField):
    """A phone number as `branchsite.infra.phones.normalize_phone` reads it, which checks it against
    the pattern the schema publishes. Not trimmed: the pattern says where spaces may be."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=32, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> str:
        typed = super().to_internal_value(data)
        if typed:
            normalize_phone(typed)  # an `invalid_phone` 400, also where the number goes unused
        return typed


class OptionalPhoneField(PhoneField):
    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, allow_blank=True, default="", **kwargs)


# An amount of money as text: 0.01 up to 10 whole digits, at most 2 decimals ("80000", "0.50").
CASH_AMOUNT_PATTERN = r"^(?:0*[1-9][0-9]{0,9}(?:\.[0-9]{1,2})?|0*\.(?:0[1-9]|[1-9][0-9]?))$"
_CASH_AMOUNT = re.compile(CASH_AMOUNT_PATTERN.removeprefix("^").removesuffix("$"))


@extend_schema_field({"type": "string", "pattern": CASH_AMOUNT_PATTERN, "example": "80000.00"})
class CashAmountField(serializers.DecimalField):
    """Text exactly as the pattern says, not whatever `Decimal` reads ("1e5", " 5", 5.0)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), **kwargs)

    def validate_empty_values(self, data):
        if data == "":  # DRF would read it as null; the pattern says it is no amount
            self.fail("invalid")
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> Decimal:
        if not isinstance(data, str) or not _CASH_AMOUNT.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class ServiceSerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField(help_text="In the language of the request")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    default_handling_minutes = serializers.IntegerField()
    overtime_threshold_minutes = serializers.IntegerField()


class ServiceWaitSerializer(serializers.Serializer):
    prefix = serializers.CharField(source="service.prefix")
    name = serializers.CharField(source="service.name")
    name_zh = serializers.CharField(source="service.name_zh")
    name_en = serializers.CharField(source="service.name_en")
    waiting = serializers.IntegerField()
    open_counters = serializers.IntegerField()
    estimated_wait_minutes = serializers.IntegerField()
    overtime_threshold_minutes = serializers.IntegerField(
        source="service.overtime_threshold_minutes"
    )
    over_threshold = serializers.BooleanField(
        help_text="A newcomer's estimated wait is over the service's over-time threshold"
    )
    takes_appointments = serializers.BooleanField(source="service.takes_appointments")
    appointment_slot_minutes = serializers.IntegerField(source="service.appointment_slot_minutes")
    reserves_cash = serializers.BooleanField(
        source="service.reserves_cash",
        help_text="Large cash withdrawal: booked a business day ahead, with amount and currency",
    )


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday")
    opens = HourMinuteField()
    closes = HourMinuteField()


class BranchSerializer(serializers.Serializer):
    """A branch with its live waits (`selectors.BranchWithWaits`)."""

    code = serializers.CharField(source="branch.code")
    name = serializers.CharField(source="branch.name")
    name_zh = serializers.CharField(source="branch.name_zh")
    name_en = serializers.CharField(source="branch.name_en")
    city = serializers.CharField(source="branch.city")
    address = serializers.CharField(source="branch.address")
    latitude = serializers.FloatField(source="branch.latitude")
    longitude = serializers.FloatField(source="branch.longitude")
    time_zone = serializers.CharField(source="branch.time_zone")
    is_open = serializers.BooleanField()
    opening_hours = OpeningHoursSerializer(source="branch.opening_hours.all", many=True)
    services = ServiceWaitSerializer(many=True)
    distance_km = serializers.FloatField(allow_null=True, help_text="Only with ?near=")
    peak_notice = serializers.SerializerMethodField(
        help_text="The peak-hour notice; null until the peak-hour task has computed one"
    )
    umbrellas_available = serializers.SerializerMethodField(
        help_text="Umbrellas to borrow here; null until the branch lends umbrellas"
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_peak_notice(self, found) -> str | None:
        return None  # computed by the peak-hours feature, which is not built yet

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_umbrellas_available(self, found) -> int | None:
        return None  # counted by the umbrellas feature, which is not built yet


class BranchServiceField(serializers.Serializer):
    """`branch` (code) and `service` (prefix) in, the active `Service` out as `service`."""

    branch = serializers.CharField(
        max_length=16, trim_whitespace=False, help_text="Branch code, e.g. GZ-TH01"
    )
    service = PrefixField(help_text="Service prefix letter, e.g. A")

    def validate(self, attrs):
        service = selectors.service_for_issuing(
            branch_code=attrs["branch"], prefix=attrs["service"]
        )
        if service is not None:
            attrs["service"] = service
            return attrs
        if not Branch.objects.filter(code=attrs["branch"], is_active=True).exists():
            raise NamesNothing("unknown_branch", gettext("No open branch has this code."))
        raise NamesNothing("unknown_service", gettext("This branch has no such service."))


class TicketCreateSerializer(BranchServiceField):
    phone = OptionalPhoneField(
        help_text="Optional mobile number; remote tickets are limited per phone and network"
    )


# Unbound fields used only to format values exactly as DRF's declared fields would.
_DATE = serializers.DateField()
_MOMENT = serializers.DateTimeField()


def _moment_or_none(moment: datetime | None) -> str | None:
    return _MOMENT.to_representation(moment) if moment is not None else None


class TicketSerializer(serializers.Serializer):
    """A ticket as its holder sees it. Position and estimate only while it waits.

    The declared fields document the shape (OpenAPI, and DRF's generic rendering in the tests);
    `to_representation` builds the same dict by hand, because this answers every ticket request
    and DRF would deep-copy all declared fields for each one. A test keeps the two equal.
    """

    token = serializers.CharField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices)
    branch = serializers.CharField(source="branch.code")
    service = ServiceSerializer()
    business_day = serializers.DateField()
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    counter = serializers.IntegerField(source="counter.number", allow_null=True, default=None)
    recall_count = serializers.IntegerField()
    position = serializers.SerializerMethodField()
    estimated_wait_minutes = serializers.SerializerMethodField()
    transferred_to = serializers.SerializerMethodField()
    rating = serializers.IntegerField(allow_null=True)
    rating_comment = serializers.CharField(allow_blank=True)
    can_cancel = serializers.BooleanField(
        source="can_be_cancelled", help_text="Still waiting: the holder may cancel it"
    )
    can_rate = serializers.BooleanField(
        source="can_be_rated", help_text="Served and not rated yet: the customer may rate"
    )

    def to_representation(self, ticket: Ticket) -> dict:
        service = ticket.service
        progress = self._progress(ticket)
        return {
            "token": ticket.token,
            "number": ticket.number,
            "status": ticket.status,
            "channel": ticket.channel,
            "branch": ticket.branch.code,
            "service": {
                "prefix": service.prefix,
                "name": service.name,
                "name_zh": service.name_zh,
                "name_en": service.name_en,
                "default_handling_minutes": service.default_handling_minutes,
                "overtime_threshold_minutes": service.overtime_threshold_minutes,
            },
            "business_day": _DATE.to_representation(ticket.business_day),
            "issued_at": _MOMENT.to_representation(ticket.issued_at),
            "called_at": _moment_or_none(ticket.called_at),
            "started_at": _moment_or_none(ticket.started_at),
            "finished_at": _moment_or_none(ticket.finished_at),
            "counter": ticket.counter.number if ticket.counter is not None else None,
            "recall_count": ticket.recall_count,
            "position": progress.position,
            "estimated_wait_minutes": progress.estimated_wait_minutes,
            "transferred_to": self.get_transferred_to(ticket),
            "rating": ticket.rating,
            "rating_comment": ticket.rating_comment,
            "can_cancel": ticket.can_be_cancelled,
            "can_rate": ticket.can_be_rated,
        }

    def _progress(self, ticket: Ticket) -> selectors.TicketProgress:
        if not hasattr(ticket, "_progress"):
            ticket._progress = selectors.ticket_progress(ticket)  # type: ignore[attr-defined]
        return ticket._progress  # type: ignore[attr-defined]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_position(self, ticket: Ticket) -> int | None:
        return self._progress(ticket).position

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_estimated_wait_minutes(self, ticket: Ticket) -> int | None:
        return self._progress(ticket).estimated_wait_minutes

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_transferred_to(self, ticket: Ticket) -> str | None:
        if ticket.status != Ticket.Status.TRANSFERRED:
            return None
        successor = Ticket.objects.filter(transferred_from=ticket).values_list("token", flat=True)
        return successor.first()


class TicketEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    counter = serializers.IntegerField(source="counter.number", allow_null=True, default=None)
    actor = serializers.CharField(source="actor.get_username", allow_null=True, default=None)
    note = serializers.CharField()


class StaffTicketSerializer(TicketSerializer):
    """What staff see: the holder's view plus the history."""

    events = serializers.SerializerMethodField()
    appointment = serializers.SerializerMethodField()
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(STAFF_ACTIONS_FROM)),
        source="staff_actions",
        help_text="What staff may do with the ticket now",
    )

    def to_representation(self, ticket: Ticket) -> dict:
        return super().to_representation(ticket) | {
            "events": self.get_events(ticket),
            "appointment": self.get_appointment(ticket),
            "actions": ticket.staff_actions,
        }

    @extend_schema_field(
        inline_serializer(
            "TicketAppointment",
            {
                "starts_at": serializers.DateTimeField(),
                "name": serializers.CharField(allow_blank=True),
                "cash_amount": serializers.DecimalField(
                    max_digits=12, decimal_places=2, allow_null=True
                ),
                "cash_currency": serializers.CharField(allow_blank=True),
            },
            allow_null=True,
        )
    )
    def get_appointment(self, ticket: Ticket) -> dict | None:
        return lobby.ticket_appointment(ticket)

    @extend_schema_field(TicketEventSerializer(many=True))
    def get_events(self, ticket: Ticket) -> list[dict]:
        events = ticket.events.select_related("counter", "actor")
        return list(TicketEventSerializer(events, many=True).data)


class TransferSerializer(serializers.Serializer):
    service = PrefixField(help_text="Prefix of the queue to move to")


class RatingSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# Appointments -----------------------------------------------------------------------------------


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    remaining = serializers.IntegerField(help_text="Places still free")


class SlotQuerySerializer(serializers.Serializer):
    service = PrefixField(help_text="Service prefix letter")
    date = serializers.DateField(help_text="The branch's local date, YYYY-MM-DD")


class AppointmentCreateSerializer(BranchServiceField):
    start = serializers.DateTimeField(help_text="The slot's start, as the slots list gives it")
    phone = PhoneField(help_text="Mobile number, for the check-in SMS")
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    cash_amount = CashAmountField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Large cash withdrawals only: the amount to have ready",
    )
    cash_currency = serializers.ChoiceField(
        choices=Currency.choices, required=False, allow_blank=True, default=""
    )


class RescheduleSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="The new slot's start")


class AppointmentBranchSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    address = serializers.CharField()
    time_zone = serializers.CharField()


class AppointmentServiceSerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    reserves_cash = serializers.BooleanField()
    appointment_slot_minutes = serializers.IntegerField()


class AppointmentSerializer(serializers.Serializer):
    """An appointment as its holder sees it: phone and name masked, as on every customer page."""

    token = serializers.CharField()
    code = serializers.CharField(help_text="Check-in code for the kiosk")
    status = serializers.ChoiceField(choices=Appointment.Status.choices)
    branch = AppointmentBranchSerializer()
    service = AppointmentServiceSerializer()
    start = serializers.DateTimeField(source="starts_at")
    end = serializers.SerializerMethodField()
    day = serializers.DateField()
    phone = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    cash_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    cash_currency = serializers.CharField(allow_blank=True)
    check_in_opens_at = serializers.SerializerMethodField()
    check_in_closes_at = serializers.SerializerMethodField()
    ticket = serializers.CharField(
        source="ticket.token", allow_null=True, default=None, help_text="Once checked in"
    )
    page_url = serializers.SerializerMethodField()
    qr_url = serializers.SerializerMethodField()
    calendar_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField())
    def get_end(self, appointment: Appointment) -> str:
        minutes = appointment.service.appointment_slot_minutes
        return _MOMENT.to_representation(appointment.starts_at + timedelta(minutes=minutes))

    def get_phone(self, appointment: Appointment) -> str:
        return mask_phone(appointment.phone)

    def get_name(self, appointment: Appointment) -> str:
        return mask_name(appointment.name)

    @extend_schema_field(serializers.DateTimeField())
    def get_check_in_opens_at(self, appointment: Appointment) -> str:
        return _MOMENT.to_representation(check_in_window(appointment.starts_at)[0])

    @extend_schema_field(serializers.DateTimeField())
    def get_check_in_closes_at(self, appointment: Appointment) -> str:
        return _MOMENT.to_representation(check_in_window(appointment.starts_at)[1])

    def get_page_url(self, appointment: Appointment) -> str:
        return reverse("appointment-page", args=[appointment.token])

    def get_qr_url(self, appointment: Appointment) -> str:
        return reverse("api-appointment-qr", args=[appointment.token])

    def get_calendar_url(self, appointment: Appointment) -> str:
        return reverse("api-appointment-calendar", args=[appointment.token])


class CheckInByCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16, help_text="The code on the appointment page")


class ShorterWaitSerializer(serializers.Serializer):
    code = serializers.CharField(source="branch.code")
    name = serializers.CharField(source="branch.name")
    address = serializers.CharField(source="branch.address")
    distance_km = serializers.FloatField()
    waiting = serializers.IntegerField()
    estimated_wait_minutes = serializers.IntegerField()


class PreQueueAdviceSerializer(serializers.Serializer):
    service = serializers.CharField(source="service.prefix")
    estimated_wait_minutes = serializers.IntegerField(help_text="Here, for this customer")
    threshold_minutes = serializers.IntegerField(source="service.overtime_threshold_minutes")
    over_threshold = serializers.BooleanField()
    alternatives = ShorterWaitSerializer(
        many=True, help_text="Open branches of the same city with shorter waits, nearest first"
    )


class ReservedCashSerializer(serializers.Serializer):
    branch = serializers.CharField(source="branch.code")
    branch_name = serializers.CharField(source="branch.name")
    currency = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    appointments = serializers.IntegerField()


class CounterSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    is_open = serializers.BooleanField()
    teller = serializers.CharField(source="teller.get_username", allow_null=True, default=None)
    services = serializers.SerializerMethodField()

    def get_services(self, counter: Counter) -> list[str]:
        return sorted(service.prefix for service in counter.services.all())
