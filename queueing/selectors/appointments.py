"""Bookable slots, the booking window and the cash reserved for withdrawal."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from ..models import (
    Appointment,
    AppointmentSlot,
    Branch,
    Service,
)


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
