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


def user_is_staff_member(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or StaffMembership.objects.filter(user=user).exists()

