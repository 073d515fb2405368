"""Branches with their live waits, and the advice on a quicker branch."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .fields import HourMinuteField


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
    open_counters = serializers.IntegerField(help_text="Open counters with a teller seated")
    estimated_wait_minutes = serializers.IntegerField(
        help_text="How long a ticket taken now would wait, as the counters serving it will call"
    )
    overtime_threshold_minutes = serializers.IntegerField(
        source="service.overtime_threshold_minutes"
    )
    is_priority = serializers.BooleanField(
        source="service.is_priority",
        help_text="Called before ordinary tickets; given in the branch only (kiosk, lobby manager)",
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
