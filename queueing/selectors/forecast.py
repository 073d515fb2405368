"""The lobby forecast: who each staffed counter will call, in what order and when.

Counters call across their services in the calling order (`calling.CALLING_ORDER`), so a ticket's
place depends on every queue its counters serve: a priority ticket at a counter that also serves
cash waits behind nobody, a cash ticket waits behind the priority tickets too. Counting within one
queue told a customer "position 1" while their counter called four others first. The forecast
replays what `services.ticket_call_next` will do, so position, estimate and every queue's wait
come from one reading of the rule:

- only staffed open counters call (open with a teller seated); one with a customer called or
  being served is free once that customer's expected handling time has passed;
- each time a counter is free it takes the first waiting ticket of its services by the calling
  order at that moment (an appointment checked in early moves up when its slot begins);
- a queue that no staffed counter serves is forecast as if one counter opened for it alone,
  rather than promising nothing.

A ticket's position is one more than the tickets the counters serving it call before it; its
estimate is the time until its forecast call. A newcomer's wait for a queue is when a ticket
taken now would be called: the tickets already waiting are called as forecast until then, so
one replay answers for every queue.

The replay is exact for the first HORIZON tickets of each queue, which is every ticket of a real
lobby: it reads no more, so that a queue of thousands (a load test) costs what one of sixty does.
Past that, a queue moves on at the pace of the counters serving it: each further ticket one
handling time over their number later, and one place further back.
"""

import bisect
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from ..models import Counter, Service, Ticket
from .calling import calling_key

Status = Ticket.Status
AT_THE_COUNTER = (Status.CALLED, Status.SERVING)
# How many waiting tickets of each queue the replay reads (and as many checked-in appointments).
HORIZON = 60


@dataclass(frozen=True)
class TicketProgress:
    position: int | None
    estimated_wait_minutes: int | None


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    """What the calling order reads of a waiting ticket (`calling_key` takes it or a Ticket)."""

    pk: int
    service_id: int
    issued_at: datetime
    appointment_starts_at: datetime | None
    is_priority: bool


@dataclass(frozen=True, slots=True)
class StaffedCounter:
    """A staffed open counter: the services it calls and when it is next free."""

    pk: int
    service_ids: frozenset[int]
    free_at: datetime


@dataclass
class QueueForecast:
    waiting: int = 0
    staffed_counters: int = 0
    # When a ticket taken now would be called, in minutes from now.
    newcomer_wait_minutes: int = 0


@dataclass(frozen=True)
class Beyond:
    """A queue past the replay: its next ticket still to place is called at `first_call`, each
    further one `pace` later; `before` tickets were called ahead of them by its counters, and
    `placed` of its tickets still waiting were read (and are numbered first)."""

    first_call: datetime
    pace: timedelta
    before: int
    placed: int

    def progress(self, rank: int, now: datetime) -> TicketProgress:
        """The `rank`-th (from 0) ticket of the queue still to place."""
        return TicketProgress(
            position=self.before + rank + 1,
            estimated_wait_minutes=_minutes_until(self.first_call + rank * self.pace, now),
        )


@dataclass
class LobbyForecast:
    now: datetime
    tickets: dict[int, TicketProgress] = field(default_factory=dict)
    queues: dict[int, QueueForecast] = field(default_factory=dict)
    service_of: dict[int, int] = field(default_factory=dict)  # waiting ticket id → service id
    # The queues whose tickets the replay did not all read or place, by service id.
    beyond: dict[int, Beyond] = field(default_factory=dict)
    # With `lobby_forecast(ahead_of=…)`: the walk-ins of that ticket's queue ahead of it.
    ahead: int | None = None

    def progress(self, ticket_id: int) -> TicketProgress:
        return self.tickets.get(ticket_id, TicketProgress(None, None))

    def of_queue(self, service_id: int) -> dict[int, TicketProgress]:
        return {
            ticket_id: progress
            for ticket_id, progress in self.tickets.items()
            if self.service_of[ticket_id] == service_id
        }

    def queue(self, service_id: int) -> QueueForecast:
        return self.queues.get(service_id, QueueForecast())


def _minutes_until(moment: datetime, now: datetime) -> int:
    return max(0, math.ceil((moment - now).total_seconds() / 60 - 1e-9))


def forecast(
    *,
    services: Iterable[Service],
    waiting: Iterable[WaitingTicket],
    counters: Iterable[StaffedCounter],
    now: datetime,
    unread: dict[int, int] | None = None,
) -> LobbyForecast:
    """Replay the calling of `waiting` by `counters` from `now`. Pure: no query.

    `unread` counts, per service, the waiting tickets left out of `waiting` because they come
    after all of its read ones (HORIZON): the replay stops where it would need one of them."""
    unread = unread or {}
    services = [service for service in services if service.is_active]
    handling = {service.pk: timedelta(minutes=service.handling_minutes) for service in services}
    priority = {service.pk: service.is_priority for service in services}
    counters = [counter for counter in counters if counter.service_ids & handling.keys()]
    served = {service_id for counter in counters for service_id in counter.service_ids}
    # A queue no staffed counter serves: as if one counter opened for it now.
    seats = [(counter.free_at, counter.service_ids) for counter in counters] + [
        (now, frozenset([service_id])) for service_id in handling if service_id not in served
    ]

    # The order of a ticket whose key cannot change is fixed now; an appointment checked in
    # before its slot moves up when the slot begins, so those few are compared at each call.
    fixed: dict[int, list[tuple[tuple, WaitingTicket]]] = defaultdict(list)
    timed: dict[int, list[WaitingTicket]] = defaultdict(list)
    waiting = [ticket for ticket in waiting if ticket.service_id in handling]
    for ticket in waiting:
        slot = ticket.appointment_starts_at
        if slot is not None and slot > now:
            timed[ticket.service_id].append(ticket)
        else:
            fixed[ticket.service_id].append((calling_key(ticket, now=now), ticket))
    for in_order in fixed.values():
        in_order.sort(key=lambda entry: entry[0], reverse=True)  # next to be called last: pop()

    def first_for(service_ids: frozenset[int], at: datetime) -> tuple[tuple, WaitingTicket] | None:
        """The next ticket a counter serving `service_ids` calls at `at`, and its key."""
        best = None
        for service_id in service_ids:
            in_order = fixed.get(service_id)
            if in_order and (best is None or in_order[-1][0] < best[0]):
                best = in_order[-1]
            for ticket in timed.get(service_id, ()):
                key = calling_key(ticket, now=at)
                if best is None or key < best[0]:
                    best = (key, ticket)
        return best

    called_at: dict[int, datetime] = {}
    order: dict[int, int] = {}  # ticket id → its place in the sequence of all calls
    calls_by_seat: list[list[int]] = [[] for _ in seats]  # the sequence places of each seat
    # Per seat, each call as (moment, key of the ticket called); then the moment it runs dry.
    picks: list[list[tuple[datetime, tuple]]] = [[] for _ in seats]
    idle_from: list[datetime] = [now] * len(seats)
    free = [(max(at, now), index) for index, (at, _) in enumerate(seats)]
    heapq.heapify(free)
    stopped_at: datetime | None = None
    while free:
        at, index = heapq.heappop(free)
        if any(not fixed.get(s) and unread.get(s) for s in seats[index][1]):
            # The next call here could be a ticket the replay has not read: stop exactly here.
            heapq.heappush(free, (at, index))
            stopped_at = at
            break
        found = first_for(seats[index][1], at)
        if found is None:
            idle_from[index] = at
            continue
        key, ticket = found
        queue = fixed[ticket.service_id]
        if queue and queue[-1][1] is ticket:
            queue.pop()
        else:
            timed[ticket.service_id].remove(ticket)
        called_at[ticket.pk] = at
        order[ticket.pk] = len(order)
        calls_by_seat[index].append(order[ticket.pk])
        picks[index].append((at, key))
        heapq.heappush(free, (at + handling[ticket.service_id], index))

    result = LobbyForecast(now=now)
    seats_serving: dict[int, list[int]] = defaultdict(list)
    for index, (_, service_ids) in enumerate(seats):
        for service_id in service_ids:
            seats_serving[service_id].append(index)
    for ticket in waiting:
        result.service_of[ticket.pk] = ticket.service_id
        if ticket.pk not in order:
            continue  # placed past the replay, below
        place = order[ticket.pk]
        ahead = sum(
            bisect.bisect_left(calls_by_seat[index], place)
            for index in seats_serving[ticket.service_id]
        )
        result.tickets[ticket.pk] = TicketProgress(
            position=ahead + 1, estimated_wait_minutes=_minutes_until(called_at[ticket.pk], now)
        )
    waiting_count: dict[int, int] = defaultdict(int)
    for ticket in waiting:
        waiting_count[ticket.service_id] += 1
    for service_id, count in unread.items():
        waiting_count[service_id] += count
    if stopped_at is not None:
        _place_beyond(
            result,
            stopped_at=stopped_at,
            left={s: [t for _, t in reversed(fixed[s])] + timed.get(s, []) for s in handling},
            unread=unread,
            handling=handling,
            seats_serving=seats_serving,
            calls_by_seat=calls_by_seat,
            now=now,
        )
    for service_id in handling:
        if service_id in result.beyond:
            beyond = result.beyond[service_id]
            rank = beyond.placed + unread.get(service_id, 0)  # after every one still waiting
            result.queues[service_id] = QueueForecast(
                waiting=waiting_count[service_id],
                staffed_counters=sum(1 for c in counters if service_id in c.service_ids),
                newcomer_wait_minutes=beyond.progress(rank, now).estimated_wait_minutes or 0,
            )
            continue
        # A ticket taken now comes after every waiting ticket of its tier.
        newcomer = WaitingTicket(0, service_id, now, None, priority[service_id])
        key = (calling_key(newcomer, now=now)[0], now, math.inf)
        moments = []
        for index in seats_serving[service_id]:
            later = next((at for at, picked in picks[index] if picked > key), idle_from[index])
            moments.append(later)
        result.queues[service_id] = QueueForecast(
            waiting=waiting_count[service_id],
            staffed_counters=sum(1 for c in counters if service_id in c.service_ids),
            newcomer_wait_minutes=_minutes_until(min(moments), now),
        )
    return result


def _place_beyond(
    result: LobbyForecast,
    *,
    stopped_at: datetime,
    left: dict[int, list[WaitingTicket]],
    unread: dict[int, int],
    handling: dict[int, timedelta],
    seats_serving: dict[int, list[int]],
    calls_by_seat: list[list[int]],
    now: datetime,
) -> None:
    """Past the replay, each queue with tickets left moves at the pace of its counters."""
    for service_id, tickets in left.items():
        if not tickets and not unread.get(service_id):
            continue
        seats = seats_serving[service_id]
        beyond = Beyond(
            first_call=stopped_at,
            pace=handling[service_id] / max(len(seats), 1),
            before=sum(len(calls_by_seat[index]) for index in seats),
            placed=len(tickets),
        )
        result.beyond[service_id] = beyond
        for rank, ticket in enumerate(tickets):
            result.tickets[ticket.pk] = beyond.progress(rank, now)


# Loading what the forecast reads: three queries for any number of branches.


def _waiting_and_counters(
    branch_ids: list[int], days: dict[int, date], services: dict[int, Service], now: datetime
) -> tuple[
    dict[int, list[WaitingTicket]], dict[int, list[StaffedCounter]], dict[int, dict[int, int]]
]:
    day_filter = Q()
    for branch_id in branch_ids:
        day_filter |= Q(branch_id=branch_id, business_day=days[branch_id])
    waiting: dict[int, list[WaitingTicket]] = defaultdict(list)
    # (branch, service, a walk-in rather than an appointment) → tickets past the HORIZON
    unread_parts: dict[tuple[int, int, bool], int] = {}
    busy_until: dict[int, datetime] = {}
    if not branch_ids:
        return waiting, {}, {}
    # The first HORIZON of each queue by issue time (checked-in appointments and customers at
    # counters apart), and how many each part holds: the rest come after them in calling order.
    walk_in = ExpressionWrapper(Q(appointment_starts_at__isnull=True), output_field=BooleanField())
    part: list[Any] = [F("service_id"), F("status"), walk_in]
    rows = (
        Ticket.objects.filter(day_filter, status__in=[Status.WAITING, *AT_THE_COUNTER])
        .annotate(
            place=Window(RowNumber(), partition_by=part, order_by=[F("issued_at"), F("pk")]),
            in_part=Window(Count("pk"), partition_by=part),
        )
        .filter(place__lte=HORIZON)
        .values_list(
            "pk",
            "branch_id",
            "service_id",
            "status",
            "issued_at",
            "appointment_starts_at",
            "counter_id",
            "called_at",
            "started_at",
            "in_part",
        )
    )
    for pk, branch_id, service_id, status, issued, slot, counter_id, called, started, n in rows:
        service = services.get(service_id)
        if status == Status.WAITING and n > HORIZON:
            unread_parts[(branch_id, service_id, slot is None)] = n - HORIZON
        if status == Status.WAITING:
            priority = service is not None and service.is_priority
            waiting[branch_id].append(WaitingTicket(pk, service_id, issued, slot, priority))
        elif counter_id is not None and service is not None:
            # Free once the customer there has had the service's usual time.
            since = started or called or now
            busy_until[counter_id] = since + timedelta(minutes=service.handling_minutes)
    served: dict[int, set[int]] = defaultdict(set)
    branch_of: dict[int, int] = {}
    for counter_id, branch_id, service_id in Counter.objects.filter(
        branch_id__in=branch_ids, is_open=True, teller__isnull=False
    ).values_list("pk", "branch_id", "services"):
        branch_of[counter_id] = branch_id
        if service_id is not None:
            served[counter_id].add(service_id)
    counters: dict[int, list[StaffedCounter]] = defaultdict(list)
    for counter_id, branch_id in sorted(branch_of.items()):
        counters[branch_id].append(
            StaffedCounter(
                counter_id,
                frozenset(served[counter_id]),
                max(now, busy_until.get(counter_id, now)),
            )
        )
    # Past a queue's first HORIZON appointments (never seen in a branch) they count as unread too.
    unread: dict[int, dict[int, int]] = defaultdict(dict)
    for (branch_id, service_id, _walk_in), count in unread_parts.items():
        unread[branch_id][service_id] = unread[branch_id].get(service_id, 0) + count
    return waiting, counters, unread


def lobby_forecasts(
    branches_services: dict[int, list[Service]], *, days: dict[int, date], now: datetime
) -> dict[int, LobbyForecast]:
    """The forecast of each branch, by branch id, from its services (loaded by the caller) and
    the business day to forecast (today, normally)."""
    services = {s.pk: s for group in branches_services.values() for s in group}
    branch_ids = list(branches_services)
    waiting, counters, unread = _waiting_and_counters(branch_ids, days, services, now)
    return {
        branch_id: forecast(
            services=branches_services[branch_id],
            waiting=waiting.get(branch_id, []),
            counters=counters.get(branch_id, []),
            now=now,
            unread=unread.get(branch_id, {}),
        )
        for branch_id in branch_ids
    }


# One branch on PostgreSQL, which every ticket answer asks for: what `_waiting_and_counters`
# reads, in one statement over the partial index of waiting tickets (a LATERAL scan of each
# queue's first HORIZON instead of sorting them all), and, for a ticket deeper than that, how
# many of its queue wait ahead of it. tests/queueing/test_forecast.py holds the two readings to
# one another. Row kinds: w a walk-in of a queue's first HORIZON, o another ticket the replay
# reads (a checked-in appointment, a customer at a counter), n a queue's walk-ins in all, c a
# staffed counter and a service it calls, a the walk-ins ahead of `ahead_of`.
_ONE_BRANCH = """
SELECT 'w', t.id, t.service_id, t.status, t.issued_at, t.appointment_starts_at, t.counter_id,
       t.called_at, t.started_at, NULL::bigint
FROM queueing_service s
CROSS JOIN LATERAL (
    SELECT * FROM queueing_ticket t
    WHERE t.service_id = s.id AND t.business_day = %(day)s AND t.status = 'waiting'
      AND t.appointment_starts_at IS NULL
    ORDER BY t.issued_at, t.id LIMIT %(horizon)s
) t
WHERE s.branch_id = %(branch)s
UNION ALL
SELECT 'o', id, service_id, status, issued_at, appointment_starts_at, counter_id, called_at,
       started_at, NULL
FROM queueing_ticket
WHERE branch_id = %(branch)s AND business_day = %(day)s
  AND (status IN ('called', 'serving')
       OR (status = 'waiting' AND appointment_starts_at IS NOT NULL))
UNION ALL
SELECT 'n', NULL, service_id, NULL, NULL, NULL, NULL, NULL, NULL, count(*)
FROM queueing_ticket
WHERE branch_id = %(branch)s AND business_day = %(day)s AND status = 'waiting'
  AND appointment_starts_at IS NULL
GROUP BY service_id
UNION ALL
SELECT 'c', c.id, cs.service_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM queueing_counter c LEFT JOIN queueing_counter_services cs ON cs.counter_id = c.id
WHERE c.branch_id = %(branch)s AND c.is_open AND c.teller_id IS NOT NULL
UNION ALL
SELECT 'a', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*)
FROM queueing_ticket
WHERE %(ahead_of)s::bigint IS NOT NULL AND service_id = %(service)s AND business_day = %(day)s
  AND status = 'waiting' AND appointment_starts_at IS NULL
  AND (issued_at, id) < (%(issued_at)s, %(ahead_of)s::bigint)
"""


def _one_branch(
    branch_id: int, day: date, services: dict[int, Service], now: datetime, ahead_of: Ticket | None
) -> tuple[list[WaitingTicket], list[StaffedCounter], dict[int, int], int | None]:
    waiting: list[WaitingTicket] = []
    busy_until: dict[int, datetime] = {}
    walk_ins: dict[int, int] = {}
    read: dict[int, int] = defaultdict(int)
    served: dict[int, set[int]] = defaultdict(set)
    ahead = None
    with connection.cursor() as cursor:
        cursor.execute(
            _ONE_BRANCH,
            {
                "branch": branch_id,
                "day": day,
                "horizon": HORIZON,
                "ahead_of": ahead_of.pk if ahead_of is not None else None,
                "service": ahead_of.service_id if ahead_of is not None else None,
                "issued_at": ahead_of.issued_at if ahead_of is not None else None,
            },
        )
        rows = cursor.fetchall()
    for kind, pk, service_id, status, issued, slot, counter_id, called, started, n in rows:
        if kind == "n":
            walk_ins[service_id] = n
        elif kind == "a":
            ahead = n if ahead_of is not None else None
        elif kind == "c":
            served[pk]  # a staffed counter serving nothing still counts as one
            if service_id is not None:
                served[pk].add(service_id)
        elif status == Status.WAITING:
            service = services.get(service_id)
            priority = service is not None and service.is_priority
            waiting.append(WaitingTicket(pk, service_id, issued, slot, priority))
            if slot is None:
                read[service_id] += 1
        elif counter_id is not None and service_id in services:
            since = started or called or now
            handling = timedelta(minutes=services[service_id].handling_minutes)
            busy_until[counter_id] = since + handling
    counters = [
        StaffedCounter(pk, frozenset(served[pk]), max(now, busy_until.get(pk, now)))
        for pk in sorted(served)
    ]
    unread = {s: n - read[s] for s, n in walk_ins.items() if n > read[s]}
    return waiting, counters, unread, ahead


def lobby_forecast(
    branch_id: int, *, day: date, now: datetime, ahead_of: Ticket | None = None
) -> LobbyForecast:
    """The forecast of one branch's business day `day`. With `ahead_of`, a waiting ticket, the
    statement on PostgreSQL also counts the walk-ins ahead of it in its queue
    (`LobbyForecast.ahead`), for a ticket deeper than the replay reads."""
    services = list(Service.objects.filter(branch_id=branch_id))
    if connection.vendor != "postgresql":
        # No count here: `ticket_progress` counts only for a ticket past the horizon.
        return lobby_forecasts({branch_id: services}, days={branch_id: day}, now=now)[branch_id]
    waiting, counters, unread, ahead = _one_branch(
        branch_id, day, {s.pk: s for s in services}, now, ahead_of
    )
    found = forecast(services=services, waiting=waiting, counters=counters, now=now, unread=unread)
    found.ahead = ahead
    return found


def _walk_ins_ahead(ticket: Ticket) -> int:
    return (
        Ticket.objects.filter(
            service_id=ticket.service_id,
            business_day=ticket.business_day,
            status=Status.WAITING,
            appointment_starts_at__isnull=True,
        )
        .filter(Q(issued_at__lt=ticket.issued_at) | Q(issued_at=ticket.issued_at, pk__lt=ticket.pk))
        .count()
    )


def ticket_progress(ticket: Ticket, *, now: datetime | None = None) -> TicketProgress:
    """Position and estimated wait of a waiting ticket, from its branch's forecast."""
    if ticket.status != Status.WAITING:
        return TicketProgress(position=None, estimated_wait_minutes=None)
    now = now or timezone.now()
    walk_in = ticket.appointment_starts_at is None
    forecast = lobby_forecast(
        ticket.branch_id, day=ticket.business_day, now=now, ahead_of=ticket if walk_in else None
    )
    if ticket.pk in forecast.tickets or ticket.service_id not in forecast.beyond:
        return forecast.progress(ticket.pk)
    # Deeper in its queue than the replay reads: placed by the walk-ins of its queue ahead of it.
    ahead = forecast.ahead if forecast.ahead is not None else _walk_ins_ahead(ticket)
    beyond = forecast.beyond[ticket.service_id]
    return beyond.progress(beyond.placed + max(0, ahead - HORIZON), now)


def ticket_position(ticket: Ticket, *, now: datetime | None = None) -> int | None:
    """1 for the next to be called at the counters that serve it; None once it no longer waits."""
    return ticket_progress(ticket, now=now).position


def queue_progress(
    *, service: Service, day: date, now: datetime | None = None
) -> dict[int, TicketProgress]:
    """Position and estimate of every waiting ticket of a queue, by ticket id."""
    now = now or timezone.now()
    return lobby_forecast(service.branch_id, day=day, now=now).of_queue(service.pk)
