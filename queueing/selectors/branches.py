"""Branches as customers find them: open or not, and each queue's live wait."""

import math
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from branchsite.infra.caches import ExpiringCache

from ..models import (
    Branch,
    Service,
    Ticket,
)
from .forecast import lobby_forecasts

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
# year: each process keeps what it found for a few seconds. Saves in this process clear it at once
# (queueing/apps.py connects `forget_issuing_lookups` to them); other processes follow within
# ISSUING_LOOKUP_SECONDS. Only services that exist are kept, so made-up codes cannot grow it.
ISSUING_LOOKUP_SECONDS = 5.0
issuing_lookups: ExpiringCache[tuple[str, str], Service] = ExpiringCache(
    "issuing lookups", seconds=ISSUING_LOOKUP_SECONDS, max_entries=4096
)


def service_for_issuing(*, branch_code: str, prefix: str) -> Service | None:
    """The service `prefix` of the active branch `branch_code`, with its branch and hours."""
    key = (branch_code, prefix)
    service = issuing_lookups.get(key)
    if service is not None:
        return service
    service = (
        Service.objects.select_related("branch")
        .prefetch_related("branch__opening_hours")
        .filter(branch__code=branch_code, branch__is_active=True, prefix=prefix)
        .first()
    )
    if service is not None:
        issuing_lookups.put(key, service)
    return service


def forget_issuing_lookups(**_signal_arguments: object) -> None:
    """A branch, service or opening hours changed: look them up afresh."""
    issuing_lookups.clear()


@dataclass(frozen=True)
class ServiceWait:
    service: Service
    waiting: int
    open_counters: int  # staffed: open with a teller seated
    estimated_wait_minutes: int  # for a ticket taken now

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
    """Active branches with each service's waiting count and the wait of a newcomer, in six
    queries for any number of branches.

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
    # Only today's tickets queue; leftovers of an earlier day wait for the expiry task.
    forecasts = lobby_forecasts(
        {branch.pk: list(branch.services.all()) for branch in branch_list},
        days={branch.pk: branch.business_day(now) for branch in branch_list},
        now=now,
    )

    results = []
    for branch in branch_list:
        waits = []
        for service in branch.services.all():
            if not service.is_active:
                continue
            queue = forecasts[branch.pk].queue(service.pk)
            waits.append(
                ServiceWait(
                    service=service,
                    waiting=queue.waiting,
                    open_counters=queue.staffed_counters,
                    estimated_wait_minutes=queue.newcomer_wait_minutes,
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
