"""Tickets after they are issued: the state machine from waiting to done, transfers, rating,
and expiring the leftovers. Issuing is in `issuing`; opening and closing counters in `counters`.

Invariant: a state change happens once. Each is a compare-and-swap on the current status, and a
lost race is an `InvalidTransition`, never a second change; each writes its TicketEvent (and, for
staff and devices, its audit entry) in its own transaction."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from branchsite.infra.audit import Actor, acting_user, audit_record, origin_of
from branchsite.infra.text import clean_text

from .. import selectors
from ..errors import InvalidTransition, QueueError, status_label
from ..lobby import lobby_changed
from ..models import (
    MAX_RECALLS,
    STAFF_ACTIONS_FROM,
    Appointment,
    Branch,
    Counter,
    Service,
    Ticket,
    TicketEvent,
)
from .counters import lock_counter, refuse_if_busy, seat_teller
from .notifications import notify_after_change

Status = Ticket.Status
Action = TicketEvent.Action

# Weight of the newest handling time in the moving average (about the last ten tickets count).
HANDLING_AVERAGE_WEIGHT = 0.2
# A ticket left "serving" over lunch must not wreck every estimate: clamp what one ticket adds.
HANDLING_SAMPLE_BOUNDS = (0.2, 4.0)


def _transition(
    ticket: Ticket,
    *,
    allowed_from: Iterable[str],
    to: str,
    action: str,
    verb: str,
    actor: Actor | None,
    counter: Counter | None = None,
    to_service: Service | None = None,
    extra_condition: Q | None = None,
    note: str = "",
    now: datetime | None = None,
    **changes,
) -> Ticket:
    """Compare-and-swap the ticket from one of `allowed_from` to `to` and log it: in its history
    always, and in the audit trail when staff or a device acted ("ticket.<action>", with the
    status before and after, the counter when `counter` is given, and the queue when the ticket
    moves `to_service`).

    Call inside `transaction.atomic()` when other writes must share its fate.
    """
    now = now or timezone.now()
    allowed_from = list(allowed_from)
    if to != Status.WAITING:
        changes.setdefault("holder_phone", "")  # the place is given up: forget the phone
    condition = Q(pk=ticket.pk, status__in=allowed_from)
    if extra_condition is not None:
        condition &= extra_condition
    with transaction.atomic():
        updated = Ticket.objects.filter(condition).update(status=to, **changes)
        if not updated:
            # Nothing got updated: the state forbids it, or another request got there first.
            current = Ticket.objects.filter(pk=ticket.pk).values_list("status", flat=True).first()
            raise InvalidTransition(number=ticket.number, status=current or "gone", action=verb)
        from_status = ticket.status if ticket.status in allowed_from else allowed_from[0]
        counter_before = ticket.counter_id
        TicketEvent.objects.create(
            ticket=ticket,
            action=action,
            from_status=from_status,
            to_status=to,
            actor=acting_user(actor),
            counter=counter,
            at=now,
            note=note,
        )
        _reload_state(ticket, counter=counter)
        origin = origin_of(actor)
        if origin.is_staff_or_device:
            before: dict[str, object] = {"status": from_status}
            after: dict[str, object] = {"status": to}
            if counter is not None:
                before["counter"], after["counter"] = counter_before, ticket.counter_id
            if to_service is not None:
                before["service"], after["service"] = ticket.service_id, to_service.pk
            audit_record(
                f"ticket.{action}",
                subject=ticket,
                by=origin,
                branch=ticket.branch.code,
                before=before,
                after=after,
                at=now,
            )
        called = action in (Action.CALLED, Action.RECALLED)
        lobby_changed(
            ticket.branch_id,
            tickets=[ticket],
            counters=[counter.pk] if counter is not None else [],
            call=ticket if called else None,
        )
        notify_after_change(ticket, action)
    return ticket


def _reload_state(ticket: Ticket, *, counter: Counter | None) -> None:
    """Read the ticket's new state. Its branch and service never change in a transition and its
    counter is at hand, so the objects already loaded stay: answers need no query for them."""
    kept = {
        name: getattr(ticket, name)
        for name in ("branch", "service")
        if getattr(Ticket, name).is_cached(ticket)
    }
    ticket.refresh_from_db()
    for name, value in kept.items():
        setattr(ticket, name, value)
    if counter is not None and ticket.counter_id == counter.pk:
        ticket.counter = counter


def ticket_call_next(
    *, counter: Counter, actor: Actor | None, now: datetime | None = None
) -> Ticket | None:
    """Call the first waiting ticket of the counter's services in calling order, or None.
    A counter with a customer called or being served calls nobody else (`counter_busy`).

    Rows another counter is calling right now are skipped, not waited for, so two counters
    calling at once get two different tickets.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The counter's row lock orders this call with an opening or closing of the same
        # counter: a counter that is closing now is either still open for this whole call (and
        # the close then finds its customer), or closed before it reads anything.
        if not lock_counter(counter).is_open:
            raise QueueError(
                "counter_closed", _("Counter %(number)s is closed.") % {"number": counter.number}
            )
        refuse_if_busy(counter)
        service_ids = list(counter.services.values_list("pk", flat=True))
        waiting = Ticket.objects.filter(
            service_id__in=service_ids,
            status=Status.WAITING,
            business_day=counter.branch.business_day(now),
        )
        candidate = (
            selectors.in_calling_order(waiting, now=now)
            .select_related("branch", "service")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if candidate is None:
            return None
        seat_teller(counter, actor)
        return _transition(
            candidate,
            allowed_from=[Status.WAITING],
            to=Status.CALLED,
            action=Action.CALLED,
            verb="called",
            actor=actor,
            counter=counter,
            now=now,
            counter_id=counter.pk,
            called_at=now,
        )


def ticket_recall(*, ticket: Ticket, actor: Actor | None, now: datetime | None = None) -> Ticket:
    """Announce a called ticket again, at most MAX_RECALLS times."""
    if ticket.status == Status.CALLED and ticket.recall_count >= MAX_RECALLS:
        raise QueueError(
            "recall_limit_reached",
            ngettext(
                "Ticket %(number)s was recalled %(count)d time; mark it no-show instead.",
                "Ticket %(number)s was recalled %(count)d times; mark it no-show instead.",
                MAX_RECALLS,
            )
            % {"number": ticket.number, "count": MAX_RECALLS},
        )
    now = now or timezone.now()
    return _transition(
        ticket,
        allowed_from=STAFF_ACTIONS_FROM["recall"],
        to=Status.CALLED,
        action=Action.RECALLED,
        verb="recalled",
        actor=actor,
        counter=ticket.counter,
        extra_condition=Q(recall_count__lt=MAX_RECALLS),
        now=now,
        # `called_at` stays the first call: the wait ended then, and the history has the recall.
        recall_count=F("recall_count") + 1,
    )


def ticket_start(*, ticket: Ticket, actor: Actor | None, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    return _transition(
        ticket,
        allowed_from=STAFF_ACTIONS_FROM["start"],
        to=Status.SERVING,
        action=Action.STARTED,
        verb="started",
        actor=actor,
        counter=ticket.counter,
        now=now,
        started_at=now,
    )


def ticket_finish(*, ticket: Ticket, actor: Actor | None, now: datetime | None = None) -> Ticket:
    """Finish serving; the handling time feeds the service's moving average."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _transition(
            ticket,
            allowed_from=STAFF_ACTIONS_FROM["finish"],
            to=Status.DONE,
            action=Action.FINISHED,
            verb="finished",
            actor=actor,
            counter=ticket.counter,
            now=now,
            finished_at=now,
        )
        _record_handling_time(ticket)
    return ticket


def _record_handling_time(ticket: Ticket) -> None:
    assert ticket.started_at is not None and ticket.finished_at is not None
    service = ticket.service
    default_seconds = service.default_handling_minutes * 60
    low, high = HANDLING_SAMPLE_BOUNDS
    seconds = (ticket.finished_at - ticket.started_at).total_seconds()
    sample = min(max(seconds, default_seconds * low), default_seconds * high)
    weight = HANDLING_AVERAGE_WEIGHT
    # In SQL, so two counters finishing at once both count.
    Service.objects.filter(pk=service.pk).update(
        live_handling_seconds=Coalesce(F("live_handling_seconds"), Value(sample)) * (1 - weight)
        + Value(sample * weight)
    )


def ticket_mark_no_show(
    *, ticket: Ticket, actor: Actor | None, now: datetime | None = None
) -> Ticket:
    return _transition(
        ticket,
        allowed_from=STAFF_ACTIONS_FROM["no_show"],
        to=Status.NO_SHOW,
        action=Action.NO_SHOW,
        verb="marked no-show",
        actor=actor,
        counter=ticket.counter,
        now=now,
    )


def ticket_cancel(
    *, ticket: Ticket, actor: Actor | None = None, now: datetime | None = None
) -> Ticket:
    """The holder (or lobby staff) withdraws a ticket that is still waiting."""
    return _transition(
        ticket,
        allowed_from=STAFF_ACTIONS_FROM["cancel"],
        to=Status.CANCELLED,
        action=Action.CANCELLED,
        verb="cancelled",
        actor=actor,
        now=now,
    )


def ticket_transfer(
    *, ticket: Ticket, to_service: Service, actor: Actor | None, now: datetime | None = None
) -> Ticket:
    """Move a waiting or called ticket to another queue of the same branch.

    The ticket ends as `transferred` and a successor waits in the new queue with the same number
    and the original issue time, so the customer does not lose their place in line.
    """
    now = now or timezone.now()
    if to_service.branch_id != ticket.branch_id:
        raise QueueError(
            "service_not_in_branch", _("A ticket moves only within its branch."), status=400
        )
    if to_service.pk == ticket.service_id:
        raise QueueError(
            "same_service",
            _("Ticket %(number)s is already in that queue.") % {"number": ticket.number},
        )
    if not to_service.is_active:
        raise QueueError(
            "service_unavailable",
            _("%(service)s is not offered now.") % {"service": to_service.name},
        )
    held_by = ticket.holder_phone  # the customer keeps their place in the new queue
    with transaction.atomic():
        _transition(
            ticket,
            allowed_from=STAFF_ACTIONS_FROM["transfer"],
            to=Status.TRANSFERRED,
            action=Action.TRANSFERRED,
            verb="transferred",
            actor=actor,
            counter=ticket.counter,
            to_service=to_service,
            note=f"to {to_service.prefix}",
            now=now,
        )
        successor = Ticket.objects.create(
            branch_id=ticket.branch_id,
            service=to_service,
            business_day=ticket.business_day,
            number=ticket.number,
            channel=ticket.channel,
            issued_at=ticket.issued_at,
            appointment_starts_at=ticket.appointment_starts_at,
            holder_phone=held_by,
            transferred_from=ticket,
        )
        TicketEvent.objects.create(
            ticket=successor,
            action=Action.ISSUED,
            to_status=Status.WAITING,
            actor=acting_user(actor),
            at=now,
            note=f"from {ticket.service.prefix}",
        )
        # The booking (and any cash ordered for it) follows the customer into the new queue.
        Appointment.objects.filter(ticket=ticket).update(ticket=successor)
        lobby_changed(ticket.branch_id, tickets=[successor])
    return successor


def ticket_rate(
    *, ticket: Ticket, stars: int, comment: str = "", now: datetime | None = None
) -> Ticket:
    """The customer rates a finished ticket 1–5, once."""
    if not 1 <= stars <= 5:
        raise QueueError("invalid_rating", _("A rating is 1 to 5 stars."), status=400)
    if ticket.status != Status.DONE:
        raise QueueError(
            "not_rateable",
            _("Ticket %(number)s is %(status)s; rate it once served.")
            % {"number": ticket.number, "status": status_label(ticket.status)},
        )
    now = now or timezone.now()
    with transaction.atomic():
        updated = Ticket.objects.filter(
            pk=ticket.pk, status=Status.DONE, rating__isnull=True
        ).update(rating=stars, rating_comment=clean_text(comment, multiline=True))
        if not updated:
            raise QueueError(
                "already_rated",
                _("Ticket %(number)s was rated already.") % {"number": ticket.number},
            )
        TicketEvent.objects.create(
            ticket=ticket,
            action=Action.RATED,
            from_status=Status.DONE,
            to_status=Status.DONE,
            at=now,
            note=f"{stars}/5",
        )
    ticket.refresh_from_db()
    return ticket


def tickets_expire_after_closing(*, now: datetime | None = None) -> int:
    """Expire tickets still waiting or called once their branch has closed for the day.

    Idempotent: running it twice expires nothing more. Returns how many tickets expired.
    """
    now = now or timezone.now()
    expired = 0
    for branch in Branch.objects.prefetch_related("opening_hours"):
        today = branch.business_day(now)
        past_days = Q(business_day__lt=today)
        stale = (
            past_days
            if selectors.branch_is_open(branch=branch, at=now)
            else past_days | Q(business_day=today)
        )
        for ticket in Ticket.objects.filter(
            stale, branch=branch, status__in=[Status.WAITING, Status.CALLED]
        ):
            try:
                _transition(
                    ticket,
                    allowed_from=[Status.WAITING, Status.CALLED],
                    to=Status.EXPIRED,
                    action=Action.EXPIRED,
                    verb="expired",
                    actor=None,
                    now=now,
                )
            except InvalidTransition:
                continue  # Served or cancelled since the query ran: nothing to expire.
            expired += 1
    return expired
