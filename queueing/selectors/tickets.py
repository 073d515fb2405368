"""Where a waiting ticket stands: the calling order, its position and its estimated wait."""

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from ..models import (
    Counter,
    Service,
    Ticket,
)

Status = Ticket.Status


# The calling order, written once. Each waiting ticket of a queue falls in the first tier that
# holds it, and is called by its tier, then the tier's moment, then id (the issue order of tickets
# sharing that moment):
#   0. checked-in appointments whose slot has begun by now, by slot start;
#   1. everyone else (walk-ins, remote tickets, appointments checked in early), by issue time.
# `calling_key` reads it for one ticket in Python, `in_calling_order` sorts by it with the ORM,
# and `_AHEAD_SQL` counts the tickets with a lower key in plain comparisons, all three derived
# from CALLING_ORDER; tests/queueing/test_calling_order.py holds them to one another.


@dataclass(frozen=True)
class CallingTier:
    """`by`: the ticket field the tier is called by. `begun`: the tier holds the tickets whose
    `begun` field is at or before now; None for the last tier, which holds every ticket left."""

    by: str
    begun: str | None = None


CALLING_ORDER = (
    CallingTier(by="appointment_starts_at", begun="appointment_starts_at"),
    CallingTier(by="issued_at"),
)
assert all(tier.begun for tier in CALLING_ORDER[:-1]) and CALLING_ORDER[-1].begun is None, (
    "every tier but the last holds the tickets whose moment has begun; the last holds the rest"
)


def _holds(tier: CallingTier, ticket: Ticket, now: datetime) -> bool:
    if tier.begun is None:
        return True
    moment = getattr(ticket, tier.begun)
    return moment is not None and moment <= now


def calling_key(ticket: Ticket, *, now: datetime) -> tuple[int, datetime, int]:
    """(tier, moment, id): of two waiting tickets of a queue, the lower key is called first."""
    rank = next(rank for rank, tier in enumerate(CALLING_ORDER) if _holds(tier, ticket, now))
    return rank, getattr(ticket, CALLING_ORDER[rank].by), ticket.pk


def in_calling_order(tickets: QuerySet[Ticket], *, now: datetime) -> QuerySet[Ticket]:
    """`tickets` sorted by `calling_key`, next to be called first."""
    *tiers, last = CALLING_ORDER
    held = [Q(**{f"{tier.begun}__lte": now}) for tier in tiers]
    return tickets.annotate(
        calling_tier=Case(
            *(When(condition, then=Value(rank)) for rank, condition in enumerate(held)),
            default=Value(len(tiers)),
            output_field=IntegerField(),
        ),
        calling_moment=Case(
            *(
                When(condition, then=F(tier.by))
                for condition, tier in zip(held, tiers, strict=True)
            ),
            default=F(last.by),
        ),
    ).order_by("calling_tier", "calling_moment", "pk")


# Position and estimate are part of every ticket answer, the issuing one included, so they are one
# hand-written statement: the ORM took twice as long to build this query as PostgreSQL took to run
# it (bench/README.md). The statement for each tier is built here once, at import, from
# CALLING_ORDER: "ahead" is a lower `calling_key`, spelt without CASE as plain comparisons on the
# rows of the partial index of waiting tickets. For a ticket of tier t:
#   a lower tier holds the row, or (tier t holds it, and its moment is earlier, or the same and
#   its id lower).
# The last tier needs no "holds": a row that no lower tier holds is in it.
_PROGRESS_SQL = """
SELECT
    (SELECT count(*) FROM queueing_ticket
     WHERE service_id = %s AND business_day = %s AND status = 'waiting' AND ({ahead})),
    (SELECT count(*) FROM queueing_counter c
     JOIN queueing_counter_services cs ON cs.counter_id = c.id
     WHERE cs.service_id = %s AND c.is_open)
"""


def _column(field: str) -> str:
    column = Ticket._meta.get_field(field).column  # type: ignore[union-attr]
    assert isinstance(column, str)
    return column


def _ahead_sql(rank: int) -> str:
    """What puts a row ahead of a ticket of tier `rank`, with `_ahead_params`' placeholders."""
    tier = CALLING_ORDER[rank]
    held_by_lower = [
        f"{_column(lower.begun)} <= %s" for lower in CALLING_ORDER[:rank] if lower.begun
    ]
    moment = _column(tier.by)
    earlier = f"{moment} < %s OR ({moment} = %s AND id < %s)"
    if tier.begun:
        earlier = f"{_column(tier.begun)} <= %s AND ({earlier})"
    return " OR ".join([*held_by_lower, f"({earlier})"])


def _ahead_params(rank: int, *, moment: Any, ticket_id: int, now: Any) -> list[Any]:
    """The values of `_ahead_sql(rank)`'s placeholders, in its order (database-adapted)."""
    held_here = [now] if CALLING_ORDER[rank].begun else []
    return [*[now] * rank, *held_here, moment, moment, ticket_id]


_AHEAD_SQL = tuple(
    _PROGRESS_SQL.format(ahead=_ahead_sql(rank)) for rank in range(len(CALLING_ORDER))
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
    rank, moment, _ = calling_key(ticket, now=now)
    ahead_params = _ahead_params(
        rank,
        moment=ops.adapt_datetimefield_value(moment),
        ticket_id=ticket.pk,
        now=ops.adapt_datetimefield_value(now),
    )
    day = ops.adapt_datefield_value(ticket.business_day)
    with connection.cursor() as cursor:
        cursor.execute(_AHEAD_SQL[rank], [ticket.service_id, day, *ahead_params, ticket.service_id])
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
