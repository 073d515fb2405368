"""Reads that several interfaces share: live waits, calling order, who may act where."""

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from .models import Branch, Counter, Service, StaffMembership, Ticket

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


@dataclass(frozen=True)
class ServiceWait:
    service: Service
    waiting: int
    open_counters: int
    estimated_wait_minutes: int


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
    near: tuple[float, float] | None = None,
    now: datetime | None = None,
) -> list[BranchWithWaits]:
    """Active branches with each service's waiting count and estimate, in four queries.

    `city` matches the Chinese or English name; `near` sorts by distance and adds it.
    """
    now = now or timezone.now()
    branches = Branch.objects.filter(is_active=True).prefetch_related("opening_hours", "services")
    if code is not None:
        branches = branches.filter(code=code)
    if city:
        branches = branches.filter(
            Q(city_zh__iexact=city.strip()) | Q(city_en__iexact=city.strip())
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
            waits = [_minutes_between(moment, now) for moment in issued]
            queue |= {
                "open_counters": open_counters[service.pk],
                "longest_wait_minutes": max(waits, default=0),
                "overtime_threshold_minutes": service.overtime_threshold_minutes,
                "over_time": sum(wait > service.overtime_threshold_minutes for wait in waits),
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
        "over_time": ticket.status == Status.WAITING
        and waited > service.overtime_threshold_minutes,
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
        .select_related("service", "counter")
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
    tickets = Ticket.objects.filter(pk__in=ticket_ids).select_related("service", "counter")
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
