"""Reads that several interfaces share: live waits, calling order, who may act where."""

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from .models import (
    Appointment,
    AppointmentSlot,
    Branch,
    Counter,
    Service,
    StaffMembership,
    Ticket,
)

Status = Ticket.Status
EARTH_RADIUS_KM = 6371.0


def branch_is_open(*, branch: Branch, at: datetime) -> bool:
    """Whether `at` falls in the branch's opening hours of that local weekday."""
    local = branch.local_time(at)
    # Iterate the (usually prefetched) hours rather than query by weekday.
    return any(
        hours.weekday == local.weekday() and hours.covers(local.time().replace(tzinfo=None))
        for hours in branch.opening_hours.all()
    )


# Every ticket taken looks up its branch, service and opening hours, which change a few times a
# year: each process keeps what it found for a few seconds. Its own saves clear it at once (see
# `forget_issuing_lookups`); other processes follow within ISSUING_LOOKUP_SECONDS. Only services
# that exist are kept, so made-up codes cannot grow it.
ISSUING_LOOKUP_SECONDS = 5.0
_issuing_lookups: dict[tuple[str, str], tuple[float, Service]] = {}


def service_for_issuing(*, branch_code: str, prefix: str) -> Service | None:
    """The service `prefix` of the active branch `branch_code`, with its branch and hours."""
    key = (branch_code, prefix)
    found = _issuing_lookups.get(key)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    service = (
        Service.objects.select_related("branch")
        .prefetch_related("branch__opening_hours")
        .filter(branch__code=branch_code, branch__is_active=True, prefix=prefix)
        .first()
    )
    if service is not None:
        _issuing_lookups[key] = (time.monotonic() + ISSUING_LOOKUP_SECONDS, service)
    return service


def forget_issuing_lookups(**_signal_arguments) -> None:
    _issuing_lookups.clear()


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


@dataclass(frozen=True)
class ServiceWait:
    service: Service
    waiting: int
    open_counters: int
    estimated_wait_minutes: int

    @property
    def over_threshold(self) -> bool:
        """A newcomer would wait longer than the service's threshold."""
        return self.service.is_over_time(self.estimated_wait_minutes)


@dataclass(frozen=True)
class BranchWithWaits:
    branch: Branch
    is_open: bool
    services: list[ServiceWait]
    distance_km: float | None = None


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def branches_with_waits(
    *,
    code: str | None = None,
    city: str | None = None,
    search: str | None = None,
    near: tuple[float, float] | None = None,
    now: datetime | None = None,
) -> list[BranchWithWaits]:
    """Active branches with each service's waiting count and estimate, in four queries.

    `city` matches the Chinese or English name; `search` finds words in a branch's code, names,
    city or address; `near` sorts by distance and adds it.
    """
    now = now or timezone.now()
    branches = Branch.objects.filter(is_active=True).prefetch_related("opening_hours", "services")
    if code is not None:
        branches = branches.filter(code=code)
    if city:
        branches = branches.filter(
            Q(city_zh__iexact=city.strip()) | Q(city_en__iexact=city.strip())
        )
    for word in (search or "").split():
        branches = branches.filter(
            Q(code__icontains=word)
            | Q(name_zh__icontains=word)
            | Q(name_en__icontains=word)
            | Q(city_zh__icontains=word)
            | Q(city_en__icontains=word)
            | Q(address_zh__icontains=word)
            | Q(address_en__icontains=word)
        )
    branch_list = list(branches)
    service_ids = [s.pk for b in branch_list for s in b.services.all()]
    # Only today's tickets queue; leftovers of an earlier day wait for the expiry task.
    today_by_branch = {b.pk: b.business_day(now) for b in branch_list}
    waiting_by_service: dict[int, int] = defaultdict(int)
    for service_id, branch_id, day, count in (
        Ticket.objects.filter(
            service_id__in=service_ids,
            status=Status.WAITING,
            business_day__gte=min(today_by_branch.values(), default=now.date()),
        )
        .values("service_id", "branch_id", "business_day")
        .annotate(n=Count("pk"))
        .values_list("service_id", "branch_id", "business_day", "n")
    ):
        if today_by_branch.get(branch_id) == day:
            waiting_by_service[service_id] += count
    open_by_service: dict[int, int] = defaultdict(int)
    for service_id in Counter.objects.filter(is_open=True, services__in=service_ids).values_list(
        "services", flat=True
    ):
        open_by_service[service_id] += 1

    results = []
    for branch in branch_list:
        waits = []
        for service in branch.services.all():
            if not service.is_active:
                continue
            waiting = waiting_by_service.get(service.pk, 0)
            open_counters = open_by_service.get(service.pk, 0)
            waits.append(
                ServiceWait(
                    service=service,
                    waiting=waiting,
                    open_counters=open_counters,
                    estimated_wait_minutes=estimated_wait_minutes(
                        service=service, ahead=waiting, open_counters=open_counters
                    ),
                )
            )
        distance = None
        if near is not None:
            distance = distance_km(
                near[0], near[1], float(branch.latitude), float(branch.longitude)
            )
        results.append(
            BranchWithWaits(
                branch=branch,
                is_open=branch_is_open(branch=branch, at=now),
                services=waits,
                distance_km=distance,
            )
        )
    if near is not None:
        results.sort(key=lambda b: b.distance_km or 0.0)
    return results


def user_may_act_for_branch(user: User | AnonymousUser, branch: Branch) -> bool:
    """Staff act on their own branch only; head office and superusers on all."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return StaffMembership.objects.filter(
        Q(branch=branch) | Q(role=StaffMembership.Role.HEAD_OFFICE), user=user
    ).exists()


def user_is_head_office(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser
        or StaffMembership.objects.filter(user=user, role=StaffMembership.Role.HEAD_OFFICE).exists()
    )


def user_is_teller_of(user: User | AnonymousUser, branch_id: int) -> bool:
    return (
        user.is_authenticated
        and StaffMembership.objects.filter(
            user=user, branch_id=branch_id, role=StaffMembership.Role.TELLER
        ).exists()
    )


def user_is_staff_member(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or StaffMembership.objects.filter(user=user).exists()


# The live lobby ---------------------------------------------------------------------------------
# What wall screens, the lobby board and the counter pages show, as JSON-ready dicts. Pages render
# their first state from these and the sockets send the same shapes, so both always agree. Every
# snapshot reads the branch's lobby version before anything else: a change committed meanwhile is
# then both in the snapshot and in the next delta, which clients apply idempotently.

RECENT_CALLS = 8


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def _lobby_branch(branch_id: int) -> Branch:
    return Branch.objects.prefetch_related("opening_hours", "services").get(pk=branch_id)


def _branch_header(branch: Branch, *, now: datetime) -> dict:
    return {
        "code": branch.code,
        "name_zh": branch.name_zh,
        "name_en": branch.name_en,
        "time_zone": branch.time_zone,
        "announce_in": branch.announce_in.split(","),
        "is_open": branch_is_open(branch=branch, at=now),
    }


def _queues(branch: Branch, *, now: datetime, for_staff: bool) -> list[dict]:
    """Each active service's waiting count and estimate; staff also see the longest wait and how
    many waits are over the service's threshold."""
    waiting_since: dict[int, list[datetime]] = defaultdict(list)
    for service_id, issued_at in Ticket.objects.filter(
        branch=branch, business_day=branch.business_day(now), status=Status.WAITING
    ).values_list("service_id", "issued_at"):
        waiting_since[service_id].append(issued_at)
    open_counters: dict[int, int] = defaultdict(int)
    for service_id in Counter.objects.filter(branch=branch, is_open=True).values_list(
        "services", flat=True
    ):
        open_counters[service_id] += 1
    queues = []
    for service in sorted(branch.services.all(), key=lambda s: s.prefix):
        if not service.is_active:
            continue
        issued = waiting_since.get(service.pk, [])
        queue = {
            "prefix": service.prefix,
            "name_zh": service.name_zh,
            "name_en": service.name_en,
            "waiting": len(issued),
            "estimated_wait_minutes": estimated_wait_minutes(
                service=service, ahead=len(issued), open_counters=open_counters[service.pk]
            ),
        }
        if for_staff:
            queue |= {
                "open_counters": open_counters[service.pk],
                "longest_wait_minutes": max(
                    (_minutes_between(moment, now) for moment in issued), default=0
                ),
                "overtime_threshold_minutes": service.overtime_threshold_minutes,
                "over_time": sum(now > service.over_time_at(moment) for moment in issued),
            }
        queues.append(queue)
    return queues


def _call(ticket: Ticket) -> dict:
    """A call as screens show and speak it: no token, nothing personal."""
    return {
        "number": ticket.number,
        "service": ticket.service.prefix,
        "counter": ticket.counter.number if ticket.counter else None,
        "called_at": _iso(ticket.called_at),
        "recall_count": ticket.recall_count,
    }


def _recent_calls(branch: Branch, *, now: datetime) -> list[dict]:
    called = (
        Ticket.objects.filter(
            branch=branch, business_day=branch.business_day(now), called_at__isnull=False
        )
        .select_related("service", "counter")
        .order_by("-called_at", "-pk")[:RECENT_CALLS]
    )
    return [_call(ticket) for ticket in called]


def _called_ticket(ticket_id: int | None) -> dict | None:
    if ticket_id is None:
        return None
    ticket = Ticket.objects.select_related("service", "counter").filter(pk=ticket_id).first()
    return _call(ticket) if ticket is not None and ticket.called_at is not None else None


def screen_snapshot(branch: Branch, *, now: datetime | None = None) -> dict:
    """Everything a wall screen shows: public, with no token or personal data."""
    now = now or timezone.now()
    branch = _lobby_branch(branch.pk)
    return {
        "type": "snapshot",
        "version": branch.lobby_version,
        "branch": _branch_header(branch, now=now),
        "queues": _queues(branch, now=now, for_staff=False),
        "calls": _recent_calls(branch, now=now),
        "notice": None,
    }


def screen_change(*, branch_id: int, version: int, called_ticket_id: int | None) -> dict:
    now = timezone.now()
    branch = _lobby_branch(branch_id)
    return {
        "type": "change",
        "version": version,
        "queues": _queues(branch, now=now, for_staff=False),
        "call": _called_ticket(called_ticket_id),
    }


ACTIVE_STATUSES = [Status.WAITING, Status.CALLED, Status.SERVING]


def _staff_ticket(ticket: Ticket, *, now: datetime) -> dict:
    service = ticket.service
    waited = _minutes_between(ticket.issued_at, ticket.called_at or now)
    waiting = ticket.status == Status.WAITING
    over_time_at = service.over_time_at(ticket.issued_at) if waiting else None
    return {
        "token": ticket.token,
        "number": ticket.number,
        "service": service.prefix,
        "status": ticket.status,
        "channel": ticket.channel,
        "issued_at": _iso(ticket.issued_at),
        "called_at": _iso(ticket.called_at),
        "counter": ticket.counter.number if ticket.counter else None,
        "recall_count": ticket.recall_count,
        "waited_minutes": waited,
        # The board counts a waiting ticket over time from `over_time_at` on, without a change
        # of the lobby to tell it.
        "over_time": over_time_at is not None and now > over_time_at,
        "over_time_at": _iso(over_time_at),
        "appointment": ticket_appointment(ticket),
    }


def ticket_appointment(ticket: Ticket) -> dict | None:
    """What staff see of the appointment behind a ticket: when, who, and any cash ordered.
    Load the ticket with select_related("appointment")."""
    try:
        appointment = ticket.appointment
    except Appointment.DoesNotExist:
        return None
    return {
        "starts_at": _iso(appointment.starts_at),
        "name": appointment.name,
        "cash_amount": str(appointment.cash_amount) if appointment.cash_amount else None,
        "cash_currency": appointment.cash_currency,
    }


def _counters(branch: Branch, *, now: datetime) -> list[dict]:
    at_counter = {
        ticket.counter_id: ticket
        for ticket in Ticket.objects.filter(
            branch=branch,
            business_day=branch.business_day(now),
            status__in=[Status.CALLED, Status.SERVING],
        ).only("counter_id", "number", "status", "token")
    }
    counters = (
        Counter.objects.filter(branch=branch).select_related("teller").prefetch_related("services")
    )
    result = []
    for counter in counters:
        ticket = at_counter.get(counter.pk)
        teller = counter.teller
        result.append(
            {
                "number": counter.number,
                "is_open": counter.is_open,
                "teller": (teller.get_full_name() or teller.get_username()) if teller else None,
                "services": sorted(service.prefix for service in counter.services.all()),
                "ticket": {"number": ticket.number, "status": ticket.status, "token": ticket.token}
                if ticket is not None
                else None,
            }
        )
    return result


def lobby_snapshot(branch: Branch, *, now: datetime | None = None) -> dict:
    """The lobby board: every queue, counter and active ticket of today. Staff only."""
    now = now or timezone.now()
    branch = _lobby_branch(branch.pk)
    tickets = (
        Ticket.objects.filter(
            branch=branch, business_day=branch.business_day(now), status__in=ACTIVE_STATUSES
        )
        .select_related("service", "counter", "appointment")
        .order_by("issued_at", "pk")
    )
    return {
        "type": "snapshot",
        "version": branch.lobby_version,
        "branch": _branch_header(branch, now=now),
        "queues": _queues(branch, now=now, for_staff=True),
        "counters": _counters(branch, now=now),
        "tickets": [_staff_ticket(ticket, now=now) for ticket in tickets],
        "calls": _recent_calls(branch, now=now),
        # Filled by later features: over-time alerts, kiosk carts to review, umbrella stock.
        "alerts": [],
        "carts": [],
        "umbrellas": None,
    }


def lobby_change(
    *, branch_id: int, version: int, ticket_ids: list[int], called_ticket_id: int | None
) -> dict:
    """What changed, for the lobby board: the changed tickets in any status (the board drops
    those no longer active) and the current queues and counters."""
    now = timezone.now()
    branch = _lobby_branch(branch_id)
    tickets = Ticket.objects.filter(pk__in=ticket_ids).select_related(
        "service", "counter", "appointment"
    )
    return {
        "type": "change",
        "version": version,
        "queues": _queues(branch, now=now, for_staff=True),
        "counters": _counters(branch, now=now),
        "tickets": [_staff_ticket(ticket, now=now) for ticket in tickets],
        "call": _called_ticket(called_ticket_id),
    }


def lobby_version(branch_id: int) -> int:
    return Branch.objects.values_list("lobby_version", flat=True).get(pk=branch_id)


# Appointments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotAvailability:
    start: datetime
    end: datetime
    capacity: int
    remaining: int


def slot_starts(*, service: Service, day: date) -> list[datetime]:
    """Every start of `service`'s slots on the branch's local `day`, from its opening hours.

    A slot fits whole between opening and closing; a closed weekday has none.
    """
    branch = service.branch
    length = timedelta(minutes=service.appointment_slot_minutes)
    starts = []
    for hours in branch.opening_hours.all():
        if hours.weekday != day.weekday():
            continue
        start = datetime.combine(day, hours.opens, tzinfo=branch.zone)
        closes = datetime.combine(day, hours.closes, tzinfo=branch.zone)
        while start + length <= closes:
            starts.append(start)
            start += length
    return sorted(starts)


def slots_for_day(
    *, service: Service, day: date, now: datetime | None = None
) -> list[SlotAvailability]:
    """The slots of `day` that have not begun, with the places left in each."""
    now = now or timezone.now()
    starts = [start for start in slot_starts(service=service, day=day) if start > now]
    booked = dict(
        AppointmentSlot.objects.filter(service=service, starts_at__in=starts).values_list(
            "starts_at", "booked"
        )
    )
    length = timedelta(minutes=service.appointment_slot_minutes)
    capacity = service.appointment_capacity
    return [
        SlotAvailability(
            start=start,
            end=start + length,
            capacity=capacity,
            remaining=max(0, capacity - booked.get(start, 0)),
        )
        for start in starts
    ]


def first_booking_day(*, service: Service, now: datetime) -> date:
    """Large cash is ordered the day before: such services book from tomorrow on."""
    today = service.branch.business_day(now)
    return today + timedelta(days=1) if service.reserves_cash else today


def last_booking_day(*, service: Service, now: datetime) -> date:
    return service.branch.business_day(now) + timedelta(days=settings.APPOINTMENT_BOOKING_DAYS)


HEAD_OFFICE_ZONE = ZoneInfo("Asia/Shanghai")


def tomorrow_at_head_office(now: datetime | None = None) -> date:
    """Tomorrow's date where head office works: cash is ordered for it today."""
    return (now or timezone.now()).astimezone(HEAD_OFFICE_ZONE).date() + timedelta(days=1)


@dataclass(frozen=True)
class ReservedCash:
    branch: Branch
    currency: str
    total: Decimal
    appointments: int


def reserved_cash(*, day: date) -> list[ReservedCash]:
    """Cash booked for withdrawal on `day`, per branch and currency: what each branch orders."""
    rows = (
        Appointment.objects.filter(
            day=day, status__in=Appointment.ACTIVE_STATUSES, cash_amount__isnull=False
        )
        .values("branch", "cash_currency")
        .annotate(total=Sum("cash_amount"), appointments=Count("pk"))
        .order_by("branch__code", "cash_currency")
    )
    branches = Branch.objects.in_bulk([row["branch"] for row in rows])
    return [
        ReservedCash(
            branch=branches[row["branch"]],
            currency=row["cash_currency"],
            total=row["total"],
            appointments=row["appointments"],
        )
        for row in rows
    ]


# Pre-queue --------------------------------------------------------------------------------------

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
