"""Appointments: booking a slot, rescheduling, cancelling, checking in, and marking the missed.

Invariants, with the database constraints as backstop:
- a slot never holds more active appointments than its capacity: its `booked` count only moves
  in one conditional statement, which row-locks the slot until the booking commits;
- one active appointment per phone, branch and day (a partial unique constraint);
- a checked-in appointment has exactly one ticket, issued in the transaction of the check-in.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from branchsite.infra.audit import Actor, Origin, audit_fields, audit_record, origin_of
from branchsite.infra.errors import NotFound
from branchsite.infra.phones import normalize_phone
from branchsite.infra.rate_limits import limits_take
from branchsite.infra.text import clean_text

from .. import selectors
from ..devices import BranchDevice
from ..errors import QueueError
from ..models import Appointment, AppointmentSlot, Branch, Service, Ticket, clean_check_in_code
from ..presence import require_presence
from .devices import device_actor, require_device_of_branch
from .issuing import ticket_issue
from .notifications import appointment_reminders_subscribe

Status = Appointment.Status

CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
CHECK_IN_CLOSES_AFTER = timedelta(minutes=15)
BOOKING_LIMIT_WINDOW = timedelta(days=1)
MAX_NAME_LENGTH = 50

# Takes a place in the slot, creating the slot on its first booking. No row back: it was full.
# The capacity is the service's current one, so an administrator's change applies to later
# bookings without ever putting a slot over what it holds.
_TAKE_A_PLACE = """
INSERT INTO queueing_appointmentslot AS s (service_id, starts_at, capacity, booked)
VALUES (%(service)s, %(start)s, %(capacity)s, 1)
ON CONFLICT (service_id, starts_at)
DO UPDATE SET booked = s.booked + 1, capacity = %(capacity)s WHERE s.booked < %(capacity)s
RETURNING id
"""


def check_in_window(starts_at: datetime) -> tuple[datetime, datetime]:
    return starts_at - CHECK_IN_OPENS_BEFORE, starts_at + CHECK_IN_CLOSES_AFTER


def _local_moment(moment: datetime, service: Service) -> str:
    """The branch's wall-clock time, as customers read it on the branch page."""
    return service.branch.local_time(moment).strftime("%Y-%m-%d %H:%M")


def _check_slot(*, service: Service, start: datetime, now: datetime) -> None:
    """Raise unless `start` is a slot of `service` that may be booked at `now`.

    Each refusal is a rule's (409), not bad input: the request was well formed.
    """
    selectors.check_appointments_offered(service)
    if start <= now:
        raise QueueError("slot_in_past", _("That time has passed; choose a later slot."))
    day = service.branch.business_day(start)
    window = selectors.booking_window(service=service, now=now)
    if day < window.first_day:
        raise QueueError(
            "book_a_day_ahead",
            _("%(service)s must be booked at least one business day ahead.")
            % {"service": service.name},
        )
    if day > window.last_day:
        raise QueueError(
            "too_far_ahead",
            _("Appointments can be booked up to %(days)d days ahead.")
            % {"days": settings.APPOINTMENT_BOOKING_DAYS},
        )
    if start not in selectors.slot_starts(service=service, day=day):
        raise QueueError(
            "not_a_slot",
            _("%(service)s has no slot starting at %(time)s.")
            % {"service": service.name, "time": _local_moment(start, service)},
        )


def _check_cash(
    *, service: Service, amount: Decimal | None, currency: str
) -> tuple[Decimal | None, str]:
    if not service.reserves_cash:
        if amount is not None or currency:
            raise QueueError(
                "cash_not_applicable",
                _("%(service)s does not reserve cash.") % {"service": service.name},
            )
        return None, ""
    if amount is None or amount <= 0 or not currency:
        raise QueueError(
            "cash_amount_required",
            _("Enter the amount and currency to withdraw, so the branch can have it ready."),
        )
    return amount, currency


def _take_a_place(*, service: Service, start: datetime) -> AppointmentSlot:
    """Call inside a transaction: the slot stays locked until it commits."""
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE_A_PLACE,
            {
                "service": service.pk,
                "start": connection.ops.adapt_datetimefield_value(start),
                "capacity": service.appointment_capacity,
            },
        )
        row = cursor.fetchone()
    if row is None:
        # Nothing got updated: the slot is full, perhaps since the customer looked at it.
        raise QueueError(
            "slot_full",
            _("The %(time)s slot is fully booked; choose another.")
            % {"time": _local_moment(start, service)},
        )
    return AppointmentSlot(pk=row[0], service=service, starts_at=start)


def _give_back_a_place(slot_id: int) -> None:
    AppointmentSlot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _one_a_day(service: Service) -> QueueError:
    return QueueError(
        "already_booked",
        _("This phone already has an appointment at %(branch)s that day.")
        % {"branch": service.branch.code},
    )


def appointment_book(
    *,
    service: Service,
    start: datetime,
    phone: str,
    name: str = "",
    cash_amount: Decimal | None = None,
    cash_currency: str = "",
    reminders: bool = False,
    language: str = "",
    client_address: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book a place in the slot of `service` that begins at `start`.

    Counts against the booking limits of the phone and the client address; a full slot is a
    `slot_full` error and changes nothing. With `reminders`, the phone is texted a day and an
    hour before the start, in `language`.
    """
    now = now or timezone.now()
    phone = normalize_phone(phone)
    name = clean_text(name)[:MAX_NAME_LENGTH]
    _check_slot(service=service, start=start, now=now)
    cash_amount, cash_currency = _check_cash(
        service=service, amount=cash_amount, currency=cash_currency
    )
    branch = service.branch
    day = branch.business_day(start)
    with transaction.atomic():
        limits_take(
            scope="booking",
            phone=phone,
            client_address=client_address,
            per_phone=settings.BOOKINGS_PER_PHONE_PER_DAY,
            per_address=settings.BOOKINGS_PER_ADDRESS_PER_DAY,
            window=BOOKING_LIMIT_WINDOW,
            now=now,
        )
        if Appointment.objects.filter(
            phone=phone, branch=branch, day=day, status__in=Appointment.ACTIVE_STATUSES
        ).exists():
            raise _one_a_day(service)
        slot = _take_a_place(service=service, start=start)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    slot=slot,
                    branch=branch,
                    service=service,
                    starts_at=start,
                    day=day,
                    phone=phone,
                    name=name,
                    booked_at=now,
                    cash_amount=cash_amount,
                    cash_currency=cash_currency,
                )
        except IntegrityError:
            # The same phone booked that day in a parallel request, which committed first.
            raise _one_a_day(service) from None
        if reminders:
            appointment_reminders_subscribe(appointment=appointment, language=language, now=now)
        audit_record(
            "appointment.booked",
            subject=appointment,
            by=Origin(address=client_address or None),
            branch=branch.code,
            after=audit_fields(
                appointment, ["service", "starts_at", "cash_amount", "cash_currency"]
            ),
            at=now,
        )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    """The appointment re-read under its row lock (call inside a transaction)."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service__branch", "branch")
        .get(pk=appointment.pk)
    )


def _not_booked(appointment: Appointment, refusal: str) -> QueueError:
    """`refusal`: a translated sentence with %(status)s, the appointment's status now."""
    return QueueError(
        "appointment_not_booked",
        refusal % {"status": appointment.get_status_display()},
        status_now=appointment.status,
    )


def _recorded(
    appointment: Appointment,
    action: str,
    *,
    by: Actor | None,
    before: dict,
    after: dict,
    at: datetime | None = None,
) -> None:
    """Record a change of the appointment in the audit trail (inside the change's transaction).
    `by`: staff, a device, the customer by their address (an `Origin` without a user), or None
    for the system."""
    audit_record(
        action,
        subject=appointment,
        by=by,
        branch=appointment.branch.code,
        before=before,
        after=after,
        at=at,
    )


def appointment_cancel(*, appointment: Appointment, actor: Actor | None = None) -> Appointment:
    """Cancel a booked appointment and free its place; recorded in the audit trail."""
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status != Status.BOOKED:
            raise _not_booked(
                appointment, _("This appointment is %(status)s; it cannot be cancelled.")
            )
        appointment.status = Status.CANCELLED
        appointment.save(update_fields=["status"])
        _give_back_a_place(appointment.slot_id)
        _recorded(
            appointment,
            "appointment.cancelled",
            by=actor,
            before={"status": Status.BOOKED},
            after={"status": Status.CANCELLED},
        )
    return appointment


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment to another slot of its service; its old place is freed only
    once the new one is taken, so a full slot leaves the appointment as it was. Recorded in the
    audit trail with both times, in the branch's time zone."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _locked(appointment)
        service = appointment.service
        if appointment.status != Status.BOOKED:
            raise _not_booked(
                appointment, _("This appointment is %(status)s; it cannot be rescheduled.")
            )
        if start == appointment.starts_at:
            raise QueueError("same_slot", _("The appointment is already at that time."))
        _check_slot(service=service, start=start, now=now)
        day = service.branch.business_day(start)
        if (
            day != appointment.day
            and Appointment.objects.filter(
                phone=appointment.phone,
                branch=appointment.branch,
                day=day,
                status__in=Appointment.ACTIVE_STATUSES,
            ).exists()
        ):
            raise _one_a_day(service)
        # Slots are locked in time order, so two customers swapping slots cannot deadlock.
        old_slot_id, old_start = appointment.slot_id, appointment.starts_at
        if appointment.starts_at < start:
            _give_back_a_place(old_slot_id)
            slot = _take_a_place(service=service, start=start)
        else:
            slot = _take_a_place(service=service, start=start)
            _give_back_a_place(old_slot_id)
        appointment.slot = slot
        appointment.starts_at = start
        appointment.day = day
        try:
            with transaction.atomic():
                appointment.save(update_fields=["slot", "starts_at", "day"])
        except IntegrityError:
            raise _one_a_day(service) from None
        _recorded(
            appointment,
            "appointment.rescheduled",
            by=actor,
            before={"starts_at": service.branch.local_time(old_start)},
            after={"starts_at": service.branch.local_time(start)},
            at=now,
        )
    return appointment


def appointment_check_in(
    *,
    appointment: Appointment,
    actor: Actor | None = None,
    presence_code: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Turn a booked appointment into a priority ticket, from 30 minutes before its start to
    15 minutes after. Once its slot has begun, the ticket is called before walk-in customers.
    Recorded in the audit trail, by whoever checked in: the customer, staff or a kiosk.

    A customer checking in from their phone proves they are in the lobby with the code its
    screens show (`presence.require_presence`); staff and the branch's kiosks see them there."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _locked(appointment)
        service = appointment.service
        if appointment.status != Status.BOOKED:
            raise _not_booked(
                appointment, _("This appointment is %(status)s; it cannot be checked in.")
            )
        opens, closes = check_in_window(appointment.starts_at)
        if now < opens:
            raise QueueError(
                "check_in_not_yet",
                _("Check-in opens at %(time)s, 30 minutes before the appointment.")
                % {"time": _local_moment(opens, service)},
            )
        if now > closes:
            raise QueueError(
                "check_in_closed",
                _("Check-in closed at %(time)s, 15 minutes after the appointment began.")
                % {"time": _local_moment(closes, service)},
            )
        if not origin_of(actor).is_staff_or_device:
            require_presence(appointment.branch, presence_code, now=now)
        ticket = ticket_issue(
            service=service,
            channel=Ticket.Channel.APPOINTMENT,
            actor=actor,
            appointment_starts_at=appointment.starts_at,
            now=now,
        )
        appointment.status = Status.CHECKED_IN
        appointment.ticket = ticket
        appointment.save(update_fields=["status", "ticket"])
        _recorded(
            appointment,
            "appointment.checked_in",
            by=actor,
            before={"status": Status.BOOKED, "ticket": None},
            after={"status": Status.CHECKED_IN, "ticket": ticket.pk},
            at=now,
        )
    return ticket


def appointment_check_in_by_code(
    *,
    branch: Branch,
    code: str,
    actor: Actor | None = None,
    kiosk: BranchDevice | None = None,
    now: datetime | None = None,
) -> Ticket:
    """At the branch, check in the appointment whose check-in code the customer typed or
    scanned, as `appointment_check_in` does.

    `code` is read as `clean_check_in_code` reads it; an appointment of another branch is as
    unknown as no appointment (`unknown_check_in_code`, 404). A kiosk checks in appointments of
    its own branch only (`kiosk_wrong_branch`, 403); without a kiosk the caller has made sure
    that `actor` is staff of `branch`.
    """
    if kiosk is not None:
        require_device_of_branch(
            kiosk,
            branch.pk,
            refusal=_("A kiosk checks in appointments of its own branch only."),
        )
        actor = device_actor(kiosk, actor)
    typed = clean_check_in_code(code)
    appointment = Appointment.objects.filter(branch=branch, code=typed).first()
    if appointment is None:
        raise NotFound(
            "unknown_check_in_code",
            _("No appointment at %(branch)s has the code %(code)s.")
            % {"branch": branch.code, "code": typed},
        )
    return appointment_check_in(appointment=appointment, actor=actor, now=now)


def appointments_mark_missed(*, now: datetime | None = None) -> int:
    """Booked appointments whose check-in window has closed become missed, each recorded in the
    audit trail as the system's doing. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        # Locked, so that none is cancelled or checked in between reading and marking it.
        missed = list(
            Appointment.objects.select_for_update(of=("self",))
            .select_related("branch")
            .filter(status=Status.BOOKED, starts_at__lt=now - CHECK_IN_CLOSES_AFTER)
        )
        Appointment.objects.filter(pk__in=[a.pk for a in missed]).update(status=Status.MISSED)
        for appointment in missed:
            _recorded(
                appointment,
                "appointment.missed",
                by=None,
                before={"status": Status.BOOKED},
                after={"status": Status.MISSED},
                at=now,
            )
    return len(missed)
