"""Before queueing: is the wait here over the threshold, and is a nearby branch quicker?"""

from dataclasses import dataclass
from datetime import datetime

from ..models import (
    Branch,
    Service,
    Ticket,
)
from .branches import branches_with_waits, distance_km
from .forecast import ticket_progress

MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class ShorterWait:
    branch: Branch
    distance_km: float
    waiting: int
    estimated_wait_minutes: int


@dataclass(frozen=True)
class PreQueueAdvice:
    service: Service
    estimated_wait_minutes: int
    over_threshold: bool
    alternatives: list[ShorterWait]


def pre_queue_advice(
    *,
    branch: Branch,
    prefix: str,
    wait_minutes: int | None = None,
    now: datetime | None = None,
) -> PreQueueAdvice | None:
    """Whether the wait for `prefix` at `branch` is over the service's threshold, and if so the
    nearest open branches of the same city whose queue for it is shorter.

    `wait_minutes` is the customer's own remaining wait once they hold a ticket; before that it is
    the wait of a newcomer. None when the branch offers no such service.
    """
    city = branches_with_waits(city=branch.city_zh, now=now)
    here = next((found for found in city if found.branch.pk == branch.pk), None)
    if here is None:
        return None
    queue_here = next((wait for wait in here.services if wait.service.prefix == prefix), None)
    if queue_here is None:
        return None
    wait = queue_here.estimated_wait_minutes if wait_minutes is None else wait_minutes
    over = queue_here.service.is_over_time(wait)
    alternatives = []
    if over:
        for other in city:
            if other is here or not other.is_open:
                continue
            queue = next((w for w in other.services if w.service.prefix == prefix), None)
            if queue is None or queue.estimated_wait_minutes >= wait:
                continue
            alternatives.append(
                ShorterWait(
                    branch=other.branch,
                    distance_km=round(
                        distance_km(
                            float(branch.latitude),
                            float(branch.longitude),
                            float(other.branch.latitude),
                            float(other.branch.longitude),
                        ),
                        1,
                    ),
                    waiting=queue.waiting,
                    estimated_wait_minutes=queue.estimated_wait_minutes,
                )
            )
        alternatives.sort(key=lambda shorter: shorter.distance_km)
    return PreQueueAdvice(
        service=queue_here.service,
        estimated_wait_minutes=wait,
        over_threshold=over,
        alternatives=alternatives[:MAX_ALTERNATIVES],
    )


def ticket_advice(ticket: Ticket, *, now: datetime | None = None) -> PreQueueAdvice | None:
    """`pre_queue_advice` for the holder of `ticket`: the wait is the rest of theirs, none once
    the ticket no longer waits. None when the branch no longer offers the ticket's service."""
    progress = ticket_progress(ticket, now=now)
    return pre_queue_advice(
        branch=ticket.branch,
        prefix=ticket.service.prefix,
        wait_minutes=progress.estimated_wait_minutes or 0,
        now=now,
    )
