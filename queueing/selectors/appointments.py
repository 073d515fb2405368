"""Bookable slots, the booking window and the cash reserved for withdrawal."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import QueueError
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


@dataclass(frozen=True)
class BookingWindow:
    """The branch's business days on which a service may be booked, both included."""

    first_day: date
    last_day: date

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def booking_window(*, service: Service, now: datetime) -> BookingWindow:
    """From today up to APPOINTMENT_BOOKING_DAYS ahead, in the branch's business days. Large
    cash is ordered the day before: such services book from tomorrow on. The slots list and
    every booking or rescheduling read it here."""
    today = service.branch.business_day(now)
    return BookingWindow(
        first_day=today + timedelta(days=1) if service.reserves_cash else today,
        last_day=today + timedelta(days=settings.APPOINTMENT_BOOKING_DAYS),
    )


def bookable_slots(
    *, service: Service, day: date, now: datetime | None = None
) -> list[SlotAvailability]:
    """What the slots list shows for `day`: the slots that have not begun, with the places left,
    or none when `day` is outside the booking window. A service that cannot be booked is
    `appointments_not_offered` (409), as booking it would be."""
    now = now or timezone.now()
    check_appointments_offered(service)
    if day not in booking_window(service=service, now=now):
        return []
    return slots_for_day(service=service, day=day, now=now)


def check_appointments_offered(service: Service) -> None:
    """Raise `appointments_not_offered` (409) unless `service` takes appointments at an active
    branch."""
    if not service.takes_appointments or not service.branch.is_active:
        raise QueueError(
            "appointments_not_offered",
            _("%(service)s cannot be booked at %(branch)s.")
            % {"service": service.name, "branch": service.branch.code},
        )


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


def reserved_cash(*, day: date | None = None) -> list[ReservedCash]:
    """Cash booked for withdrawal on `day`, per branch and currency: what each branch orders.
    `day` is tomorrow where head office works unless given. Head office only reads it
    (`staff.user_may_see_reserved_cash`)."""
    day = day if day is not None else tomorrow_at_head_office()
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
