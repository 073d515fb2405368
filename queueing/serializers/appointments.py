"""Appointments, their slots and check-in, and the cash reserved per branch."""

from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from branchsite.infra.phones import mask_name, mask_phone

from ..appointment_files import card_version
from ..models import Appointment, Currency
from ..services import check_in_window
from .fields import MOMENT, BranchServiceField, CashAmountField, PhoneField, PrefixField


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
    reminders = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Text the phone a day and an hour before the start, in the request's language "
        "(the booking page offers it ticked; an API client asks for it)",
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
    reminders = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    qr_url = serializers.SerializerMethodField()
    calendar_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField())
    def get_end(self, appointment: Appointment) -> str:
        minutes = appointment.service.appointment_slot_minutes
        return MOMENT.to_representation(appointment.starts_at + timedelta(minutes=minutes))

    def get_phone(self, appointment: Appointment) -> str:
        return mask_phone(appointment.phone)

    def get_name(self, appointment: Appointment) -> str:
        return mask_name(appointment.name)

    @extend_schema_field(serializers.DateTimeField())
    def get_check_in_opens_at(self, appointment: Appointment) -> str:
        return MOMENT.to_representation(check_in_window(appointment.starts_at)[0])

    @extend_schema_field(serializers.DateTimeField())
    def get_check_in_closes_at(self, appointment: Appointment) -> str:
        return MOMENT.to_representation(check_in_window(appointment.starts_at)[1])

    @extend_schema_field(
        serializers.BooleanField(help_text="The phone is texted a day and an hour before")
    )
    def get_reminders(self, appointment: Appointment) -> bool:
        try:
            return appointment.reminder_subscription.is_active
        except ObjectDoesNotExist:
            return False

    def get_page_url(self, appointment: Appointment) -> str:
        return reverse("appointment-page", args=[appointment.token])

    def get_qr_url(self, appointment: Appointment) -> str:
        """Changes with what the card shows, so no browser cache shows an old card."""
        path = reverse("api-appointment-qr", args=[appointment.token])
        return f"{path}?v={card_version(appointment)}"

    def get_calendar_url(self, appointment: Appointment) -> str:
        path = reverse("api-appointment-calendar", args=[appointment.token])
        return f"{path}?v={card_version(appointment)}"


class PresenceSerializer(serializers.Serializer):
    presence_code = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        help_text="The code the branch's wall screens show now (changes every five minutes)",
    )


class CheckInByCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16, help_text="The code on the appointment page")


class ReservedCashSerializer(serializers.Serializer):
    branch = serializers.CharField(source="branch.code")
    branch_name = serializers.CharField(source="branch.name")
    currency = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    appointments = serializers.IntegerField()
