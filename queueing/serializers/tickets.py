"""Tickets as their holder and as staff see them, and what a ticket request sends."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from branchsite.infra.phones import mask_phone

from .. import lobby, selectors
from ..models import STAFF_ACTIONS_FROM, Service, Ticket, TicketEvent
from .branches import ServiceSerializer
from .fields import (
    DATE,
    MOMENT,
    BranchServiceField,
    OptionalPhoneField,
    PrefixField,
    moment_or_none,
)

TICKET_NOTIFICATIONS = inline_serializer(
    "TicketNotifications",
    {
        "subscribed": serializers.BooleanField(
            help_text="A text will come when the ticket is near the front and when it is called"
        ),
        "phone": serializers.CharField(
            allow_null=True, help_text="The number texted, masked (138****5678); null if none"
        ),
    },
)


def just_issued(ticket: Ticket) -> Ticket:
    """Note on a ticket issued in this request that nobody is texted about it yet, as
    select_related would have: its answer then reads no subscription (taking a ticket is the
    busiest write, and counts its queries)."""
    Ticket._meta.get_field("notification_subscription").set_cached_value(  # type: ignore[union-attr]
        ticket, None
    )
    return ticket


def ticket_notifications(ticket: Ticket) -> dict:
    """Whether the holder is texted about the ticket. Costs no query when the ticket was read
    with select_related("notification_subscription"), one otherwise."""
    try:
        subscription = ticket.notification_subscription
    except ObjectDoesNotExist:
        subscription = None
    if subscription is None or not subscription.is_active:
        return {"subscribed": False, "phone": None}
    return {"subscribed": True, "phone": mask_phone(subscription.phone)}


class TicketCreateSerializer(BranchServiceField):
    phone = OptionalPhoneField(
        help_text="Optional mobile number; remote tickets are limited per phone and network"
    )


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
    notifications = serializers.SerializerMethodField()

    def to_representation(self, ticket: Ticket) -> dict:
        return self._shared(ticket) | {"notifications": ticket_notifications(ticket)}

    def _shared(self, ticket: Ticket) -> dict:
        """What holder and staff both see."""
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
            "business_day": DATE.to_representation(ticket.business_day),
            "issued_at": MOMENT.to_representation(ticket.issued_at),
            "called_at": moment_or_none(ticket.called_at),
            "started_at": moment_or_none(ticket.started_at),
            "finished_at": moment_or_none(ticket.finished_at),
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

    @extend_schema_field(TICKET_NOTIFICATIONS)
    def get_notifications(self, ticket: Ticket) -> dict:
        return ticket_notifications(ticket)

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
    service = serializers.CharField(
        source="ticket.service.prefix", help_text="The queue the ticket was in at the time"
    )
    text = serializers.SerializerMethodField(
        help_text="What happened, in the reader's language (the request's)"
    )

    def get_text(self, event: TicketEvent) -> str:
        return describe_event(event, lineage=self.context.get("lineage", {}))


def _queue_name(service: Service) -> str:
    return f"{service.prefix} {service.name}"


def describe_event(event: TicketEvent, *, lineage: dict[int, Ticket]) -> str:
    """One line of a ticket's history in the active language. A transfer names the queues on
    both sides: the ticket moved away, and its successor's first line says where it came from
    (it was not issued again). `lineage` holds the tickets of the transfer chain by id."""
    ticket = lineage.get(event.ticket_id, event.ticket)
    counter = event.counter.number if event.counter is not None else None
    Action = TicketEvent.Action
    if event.action == Action.ISSUED and ticket.transferred_from_id in lineage:
        before = lineage[ticket.transferred_from_id]  # type: ignore[index]
        return _("Moved here from %(queue)s") % {"queue": _queue_name(before.service)}
    if event.action == Action.TRANSFERRED:
        after = next((t for t in lineage.values() if t.transferred_from_id == ticket.pk), None)
        if after is not None:
            return _("Moved to %(queue)s") % {"queue": _queue_name(after.service)}
    if event.action in (Action.CALLED, Action.RECALLED) and counter is not None:
        if event.action == Action.CALLED:
            return _("Called to counter %(counter)s") % {"counter": counter}
        return _("Called again to counter %(counter)s") % {"counter": counter}
    return str(Action(event.action).label).capitalize()


def ticket_lineage(ticket: Ticket) -> list[Ticket]:
    """The tickets one customer held through transfers, first to last, `ticket` among them.
    No query for a ticket that was never moved."""
    chain = [ticket]
    while chain[0].transferred_from_id is not None:
        earlier = Ticket.objects.select_related("service").get(pk=chain[0].transferred_from_id)
        chain.insert(0, earlier)
    while chain[-1].status == Ticket.Status.TRANSFERRED:
        later = Ticket.objects.select_related("service").filter(transferred_from=chain[-1]).first()
        if later is None:
            break
        chain.append(later)
    return chain


class StaffTicketSerializer(TicketSerializer):
    """What staff see: the holder's view plus the history, without the holder's texts (their
    phone is theirs, and calling the next customer costs no query for it)."""

    notifications = None  # type: ignore[assignment]
    events = serializers.SerializerMethodField()
    appointment = serializers.SerializerMethodField()
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(STAFF_ACTIONS_FROM)),
        source="staff_actions",
        help_text="What staff may do with the ticket now",
    )

    def to_representation(self, ticket: Ticket) -> dict:
        return self._shared(ticket) | {
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
        """The customer's whole history: a transferred ticket's successor keeps its
        predecessors' lines, and theirs run on to the successor's."""
        chain = ticket_lineage(ticket)
        events = (
            TicketEvent.objects.filter(ticket__in=chain)
            .select_related("counter", "actor", "ticket__service")
            .order_by("at", "pk")
        )
        context = {"lineage": {held.pk: held for held in chain}}
        return list(TicketEventSerializer(events, many=True, context=context).data)


class TransferSerializer(serializers.Serializer):
    service = PrefixField(help_text="Prefix of the queue to move to")


class RatingSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
