"""The calling order: which waiting ticket a counter calls next."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from ..models import Ticket

# The calling order, written once. Each waiting ticket of a counter's services falls in the first
# tier that holds it, and is called by its tier, then the tier's moment, then id (the issue order
# of tickets sharing that moment):
#   0. checked-in appointments whose slot has begun by now, by slot start;
#   1. tickets of priority services (elderly, disabled, pregnant customers, VIPs), by issue time;
#   2. everyone else (walk-ins, remote tickets, appointments checked in early), by issue time.
# `calling_key` reads it for one ticket in Python (the forecast replays the calling with it) and
# `in_calling_order` sorts by it with the ORM (the calling itself), both derived from
# CALLING_ORDER; tests/queueing/test_calling_order.py holds them to one another.


@dataclass(frozen=True)
class CallingTier:
    """`by`: the ticket field the tier is called by. The tier holds the tickets whose `begun`
    field is at or before now, or those of a priority service with `priority`; the last tier,
    with neither, holds every ticket left."""

    by: str
    begun: str | None = None
    priority: bool = False


CALLING_ORDER = (
    CallingTier(by="appointment_starts_at", begun="appointment_starts_at"),
    CallingTier(by="issued_at", priority=True),
    CallingTier(by="issued_at"),
)
assert all(tier.begun or tier.priority for tier in CALLING_ORDER[:-1]), (
    "every tier but the last says which tickets it holds"
)
assert not (CALLING_ORDER[-1].begun or CALLING_ORDER[-1].priority), "the last holds the rest"


class CalledTicket(Protocol):
    """What the calling order reads of a ticket: a Ticket, or the forecast's WaitingTicket."""

    @property
    def pk(self) -> int: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def appointment_starts_at(self) -> datetime | None: ...
    @property
    def is_priority(self) -> bool: ...


def _holds(tier: CallingTier, ticket: CalledTicket, now: datetime) -> bool:
    if tier.begun is not None:
        moment = getattr(ticket, tier.begun)
        return moment is not None and moment <= now
    if tier.priority:
        return ticket.is_priority
    return True


def _held(tier: CallingTier, now: datetime) -> Q:
    """`_holds` as a database condition."""
    if tier.begun is not None:
        return Q(**{f"{tier.begun}__lte": now})
    return Q(service__is_priority=True)


def calling_key(ticket: CalledTicket, *, now: datetime) -> tuple[int, datetime, int]:
    """(tier, moment, id): of two waiting tickets at a counter, the lower key is called first."""
    rank = next(rank for rank, tier in enumerate(CALLING_ORDER) if _holds(tier, ticket, now))
    return rank, getattr(ticket, CALLING_ORDER[rank].by), ticket.pk


def in_calling_order(tickets: QuerySet[Ticket], *, now: datetime) -> QuerySet[Ticket]:
    """`tickets` sorted by `calling_key`, next to be called first."""
    *tiers, last = CALLING_ORDER
    held = [_held(tier, now) for tier in tiers]
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
