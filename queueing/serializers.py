"""Shapes of the queue API. Validation of input shape only; rules live in services."""

from rest_framework import serializers

from . import selectors
from .models import Branch, Service, Ticket


class ServiceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "prefix",
            "name",
            "name_zh",
            "name_en",
            "default_handling_minutes",
            "overtime_threshold_minutes",
        ]


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


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday")
    opens = serializers.TimeField(format="%H:%M")
    closes = serializers.TimeField(format="%H:%M")


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


class TicketCreateSerializer(serializers.Serializer):
    branch = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Branch.objects.filter(is_active=True),
        help_text="Branch code, e.g. GZ-TH01",
    )
    service = serializers.RegexField(r"^[A-Z]$", help_text="Service prefix letter, e.g. A")

    def validate(self, attrs):
        service = (
            Service.objects.select_related("branch")
            .prefetch_related("branch__opening_hours")
            .filter(branch=attrs["branch"], prefix=attrs["service"])
            .first()
        )
        if service is None:
            raise serializers.ValidationError({"service": ["This branch has no such service."]})
        attrs["service"] = service
        return attrs


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as its holder sees it. Position and estimate only while it waits."""

    branch = serializers.CharField(source="branch.code")
    service = ServiceSerializer()
    counter = serializers.IntegerField(source="counter.number", allow_null=True, default=None)
    position = serializers.SerializerMethodField()
    estimated_wait_minutes = serializers.SerializerMethodField()
    transferred_to = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "token",
            "number",
            "status",
            "channel",
            "branch",
            "service",
            "business_day",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
            "counter",
            "recall_count",
            "position",
            "estimated_wait_minutes",
            "transferred_to",
            "rating",
            "rating_comment",
        ]

    def _progress(self, ticket: Ticket) -> selectors.TicketProgress:
        if not hasattr(ticket, "_progress"):
            ticket._progress = selectors.ticket_progress(ticket)  # type: ignore[attr-defined]
        return ticket._progress  # type: ignore[attr-defined]

    def get_position(self, ticket: Ticket) -> int | None:
        return self._progress(ticket).position

    def get_estimated_wait_minutes(self, ticket: Ticket) -> int | None:
        return self._progress(ticket).estimated_wait_minutes

    def get_transferred_to(self, ticket: Ticket) -> str | None:
        successor = Ticket.objects.filter(transferred_from=ticket).values_list("token", flat=True)
        return successor.first() if ticket.status == Ticket.Status.TRANSFERRED else None


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

    events = TicketEventSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "events"]


class TransferSerializer(serializers.Serializer):
    service = serializers.RegexField(r"^[A-Z]$", help_text="Prefix of the queue to move to")


class RatingSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable")
    detail = serializers.CharField(help_text="For people")
