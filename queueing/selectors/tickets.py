"""Where a waiting ticket stands: the calling order, its position and its estimated wait."""

import math
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from ..models import (
    Counter,
    Service,
    Ticket,
)

Status = Ticket.Status


def in_calling_order(tickets: QuerySet[Ticket], *, now: datetime) -> QuerySet[Ticket]:
    """Checked-in appointments whose slot has begun come first (by slot), then issue order."""
    return tickets.annotate(
        appointment_due=Case(
            When(appointment_starts_at__lte=now, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        order_key=Case(
            When(appointment_starts_at__lte=now, then=F("appointment_starts_at")),
            default=F("issued_at"),
        ),
    ).order_by("appointment_due", "order_key", "pk")


# Position and estimate are part of every ticket answer, the issuing one included, so they are one
# hand-written statement: the ORM took twice as long to build this query as PostgreSQL took to run
# it (bench/README.md). "Ahead" follows `in_calling_order` as plain comparisons that the partial
# index of waiting tickets serves: appointments whose slot has begun, then issue order.
_PROGRESS_SQL = """
SELECT
    (SELECT count(*) FROM queueing_ticket
     WHERE service_id = %s AND business_day = %s AND status = 'waiting' AND ({ahead})),
    (SELECT count(*) FROM queueing_counter c
     JOIN queueing_counter_services cs ON cs.counter_id = c.id
     WHERE cs.service_id = %s AND c.is_open)
"""
_AHEAD_OF_A_DUE_APPOINTMENT = _PROGRESS_SQL.format(
    ahead="appointment_starts_at < %s OR (appointment_starts_at = %s AND id < %s)"
)
_AHEAD_OF_THE_REST = _PROGRESS_SQL.format(
    ahead="appointment_starts_at <= %s OR issued_at < %s OR (issued_at = %s AND id < %s)"
)


def ticket_position(ticket: Ticket, *, now: datetime | None = None) -> int | None:
    """1 for the next to be called in its queue; None once the ticket no longer waits."""
    return ticket_progress(ticket, now=now).position


def open_counters_serving(service: Service) -> int:
    return Counter.objects.filter(services=service, is_open=True).count()


def estimated_wait_minutes(*, service: Service, ahead: int, open_counters: int) -> int:
    """Minutes until a ticket with `ahead` tickets before it is called.

    The tickets ahead are shared over the open counters that serve the queue; with none open the
    estimate assumes one will open, rather than promising nothing.
    """
    if ahead <= 0:
        return 0
    return math.ceil(ahead * service.handling_minutes / max(open_counters, 1))


@dataclass(frozen=True)
class TicketProgress:
    position: int | None
    estimated_wait_minutes: int | None


def ticket_progress(ticket: Ticket, *, now: datetime | None = None) -> TicketProgress:
    """Position and estimated wait of a waiting ticket, in one query."""
    if ticket.status != Status.WAITING:
        return TicketProgress(position=None, estimated_wait_minutes=None)
    now = now or timezone.now()
    ops = connection.ops
    if ticket.appointment_starts_at is not None and ticket.appointment_starts_at <= now:
        slot = ops.adapt_datetimefield_value(ticket.appointment_starts_at)
        sql, ahead_params = _AHEAD_OF_A_DUE_APPOINTMENT, [slot, slot, ticket.pk]
    else:
        issued = ops.adapt_datetimefield_value(ticket.issued_at)
        sql = _AHEAD_OF_THE_REST
        ahead_params = [ops.adapt_datetimefield_value(now), issued, issued, ticket.pk]
    day = ops.adapt_datefield_value(ticket.business_day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [ticket.service_id, day, *ahead_params, ticket.service_id])
        ahead, counters = cursor.fetchone()
    estimate = estimated_wait_minutes(service=ticket.service, ahead=ahead, open_counters=counters)
    return TicketProgress(position=ahead + 1, estimated_wait_minutes=estimate)


def queue_progress(
    *, service: Service, day: date, now: datetime | None = None
) -> dict[int, TicketProgress]:
    """Position and estimate of every waiting ticket of a queue, by ticket id, in two queries:
    what all the customers following one queue need after each change in it."""
    now = now or timezone.now()
    waiting = in_calling_order(
        Ticket.objects.filter(service=service, business_day=day, status=Status.WAITING), now=now
    ).values_list("pk", flat=True)
    counters = open_counters_serving(service)
    return {
        ticket_id: TicketProgress(
            position=ahead + 1,
            estimated_wait_minutes=estimated_wait_minutes(
                service=service, ahead=ahead, open_counters=counters
            ),
        )
        for ahead, ticket_id in enumerate(waiting)
    }
