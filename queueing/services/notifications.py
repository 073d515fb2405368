"""Text messages customers asked for: opting in and out, what each event says, and sending it.

A customer opts in with a phone number for one waiting ticket (a message when it is a few places
from the front, NOTIFY_PLACES_BEFORE_FRONT, and one when it is called) or, when booking, for an
appointment's reminders (a day before and an hour before its start). Messages are in the
language the customer used when opting in, link to the customer's page and end with the stop
instruction; replying TD (or STOP) stops every message to that phone.

Invariants:
- one message per event: each is a `Notification` with a unique `key` ("ticket:12:called"), so
  writing it twice writes it once; sending locks its row, sends only a pending one and marks it
  sent in the same transaction, so two tasks sending it at once send it once, and a failed send
  rolls back and leaves it pending for the task's retry;
- nothing is sent inside a request: requests store the opt-in; messages are written and sent by
  Celery tasks, enqueued once the change that calls for them has committed;
- a stopped subscription gets no further message, not even one already written;
- a message that is no longer true when its turn comes (the ticket was called before its
  near-the-front message left, the appointment was cancelled or moved) is withdrawn, not sent.
"""

import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from branchsite.infra.errors import DomainError
from branchsite.infra.notifications import TextMessage, send_text
from branchsite.infra.phones import mask_phone, normalize_phone
from branchsite.infra.rate_limits import limits_take

from .. import selectors
from ..errors import QueueError
from ..models import (
    NOTIFICATION_LANGUAGES,
    Appointment,
    Notification,
    NotificationEvent,
    NotificationSubscription,
    Ticket,
    TicketEvent,
)

logger = logging.getLogger(__name__)

Event = NotificationEvent
Status = Notification.Status

# After these changes a subscribed ticket of the branch may be nearer the front, or called.
CHANGES_THAT_MOVE_THE_QUEUE = frozenset(
    {
        TicketEvent.Action.CALLED,
        TicketEvent.Action.RECALLED,
        TicketEvent.Action.CANCELLED,
        TicketEvent.Action.NO_SHOW,
        TicketEvent.Action.TRANSFERRED,
    }
)
# The reminders of an appointment, longest lead first: each is due from `lead` before the start
# until the next one is, for appointments booked before that moment.
REMINDERS = ((Event.DAY_BEFORE, timedelta(days=1)), (Event.HOUR_BEFORE, timedelta(hours=1)))
OPT_IN_LIMIT_WINDOW = timedelta(days=1)
# A reply that stops every message to its phone, as Chinese carriers require (退订: unsubscribe).
STOP_WORDS = frozenset({"TD", "T", "STOP", "UNSUBSCRIBE", "退订"})
_NOT_A_LETTER = re.compile(r"[\W_]+")


# Opting in and out ------------------------------------------------------------------------------


def notification_language(requested: str) -> str:
    """The language messages go out in: the customer's, as far as messages are written in it."""
    known = [code for code, _name in NOTIFICATION_LANGUAGES]
    try:
        language = translation.get_supported_language_variant(requested or settings.LANGUAGE_CODE)
    except LookupError:
        language = settings.LANGUAGE_CODE
    return language if language in known else known[-1]


def ticket_notifications_subscribe(
    *,
    ticket: Ticket,
    phone: str,
    language: str,
    client_address: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Text `phone` when the waiting `ticket` is near the front and when it is called.

    Subscribing again replaces the phone and language; a message already sent is not sent
    again. Opting in a new phone counts against the opt-in limits of the phone and the client
    address (each costs the bank messages). Stores only: a task checks the queue once this
    commits, so a ticket already near the front is told at once.
    """
    now = now or timezone.now()
    phone = normalize_phone(phone)
    language = notification_language(language)
    # Read again, not locked: a row lock here would make a counter calling now skip the ticket.
    # A call that commits first is found by the check this enqueues.
    status = Ticket.objects.filter(pk=ticket.pk).values_list("status", flat=True).first()
    if status != Ticket.Status.WAITING:
        raise QueueError(
            "ticket_not_waiting",
            _("Ticket %(number)s is no longer waiting; there is nothing to text you about.")
            % {"number": ticket.number},
        )
    with transaction.atomic():
        subscription = (
            NotificationSubscription.objects.select_for_update().filter(ticket=ticket).first()
        )
        unchanged = (
            subscription is not None
            and subscription.is_active
            and (subscription.phone, subscription.language) == (phone, language)
        )
        if not unchanged:
            if subscription is None or subscription.phone != phone:
                limits_take(
                    scope="notification_opt_in",
                    phone=phone,
                    client_address=client_address,
                    per_phone=settings.NOTIFICATION_OPT_INS_PER_PHONE_PER_DAY,
                    per_address=settings.NOTIFICATION_OPT_INS_PER_ADDRESS_PER_DAY,
                    window=OPT_IN_LIMIT_WINDOW,
                    now=now,
                )
            subscription, _created = NotificationSubscription.objects.update_or_create(
                ticket=ticket,
                defaults={
                    "phone": phone,
                    "language": language,
                    "subscribed_at": now,
                    "stopped_at": None,
                },
            )
            # Messages written for the old phone or language and never sent are written anew.
            subscription.notifications.exclude(status=Status.SENT).delete()
            _soon("notify_after_ticket_change", ticket.pk, "subscribed")
    ticket.notification_subscription = subscription
    return ticket


def ticket_notifications_stop(*, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """No more messages about `ticket`, including those written and not sent yet. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = (
            NotificationSubscription.objects.select_for_update().filter(ticket=ticket).first()
        )
        if subscription is not None and subscription.is_active:
            _stop(subscription, now=now)
    if subscription is not None:
        ticket.notification_subscription = subscription
    return ticket


def appointment_reminders_subscribe(
    *, appointment: Appointment, language: str, now: datetime | None = None
) -> NotificationSubscription:
    """Remind the appointment's phone a day and an hour before its start (call inside the
    booking's transaction: the reminders come with the appointment or not at all)."""
    subscription, _created = NotificationSubscription.objects.update_or_create(
        appointment=appointment,
        defaults={
            "phone": appointment.phone,
            "language": notification_language(language),
            "subscribed_at": now or timezone.now(),
            "stopped_at": None,
        },
    )
    return subscription


def notification_reply_received(*, phone: str, text: str, now: datetime | None = None) -> int:
    """A customer replied to a message. A stop word (TD, STOP, 退订…) ends every subscription
    of the phone, for tickets and appointments alike, and withdraws what it is still owed;
    anything else changes nothing. Returns how many subscriptions it stopped."""
    if _NOT_A_LETTER.sub("", text).upper() not in STOP_WORDS:
        return 0
    try:
        phone = normalize_phone(phone)
    except DomainError:
        return 0  # no subscriber has a number that cannot be read
    now = now or timezone.now()
    with transaction.atomic():
        subscriptions = list(
            NotificationSubscription.objects.select_for_update().filter(
                phone=phone, stopped_at__isnull=True
            )
        )
        for subscription in subscriptions:
            _stop(subscription, now=now)
    if subscriptions:
        logger.info(
            "%s replied stop: %d subscriptions ended", mask_phone(phone), len(subscriptions)
        )
    return len(subscriptions)


def _stop(subscription: NotificationSubscription, *, now: datetime) -> None:
    """Call holding the subscription's row lock."""
    subscription.stopped_at = now
    subscription.save(update_fields=["stopped_at"])
    # A send holding a row's lock finishes first; the row is then sent and stays so.
    subscription.notifications.filter(status=Status.PENDING).update(status=Status.WITHDRAWN)


# What a ticket's change calls for ---------------------------------------------------------------


def notify_after_change(ticket: Ticket, action: str) -> None:
    """Call inside the transaction of a change of `ticket` (`action`: its TicketEvent action).

    Once the change commits, and only if an open ticket of the branch that day has a subscriber,
    one task checks the branch: who is now near the front, whether the ticket was called. The
    request itself costs one small query after the commit, and sends nothing.
    """
    if action not in CHANGES_THAT_MOVE_THE_QUEUE:
        return
    branch_id, day, ticket_id = ticket.branch_id, ticket.business_day, ticket.pk

    def check_branch() -> None:
        _check_branch_soon(branch_id=branch_id, day=day, ticket_id=ticket_id, action=action)

    transaction.on_commit(check_branch, robust=True)


def _check_branch_soon(*, branch_id: int, day: date, ticket_id: int, action: str) -> None:
    still_open = Q(ticket__status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED])
    followed = NotificationSubscription.objects.filter(
        still_open | Q(ticket_id=ticket_id),
        stopped_at__isnull=True,
        ticket__branch_id=branch_id,
        ticket__business_day=day,
    )
    if followed.exists():
        _soon("notify_after_ticket_change", ticket_id, action)


def notifications_after_ticket_change(
    *, ticket_id: int, action: str, now: datetime | None = None
) -> int:
    """What a change of a ticket calls for, once it has committed (the body of one task per
    change): a subscription of a ticket that moved to another queue follows it there; the
    ticket, if called now, is told so with its counter; and every subscribed waiting ticket of
    the branch now NOTIFY_PLACES_BEFORE_FRONT places or fewer from the front is told so.

    Idempotent: each message has its key, and is written and enqueued once. Returns how many
    messages it wrote.
    """
    now = now or timezone.now()
    changed = (
        Ticket.objects.select_related("branch", "service", "counter").filter(pk=ticket_id).first()
    )
    if changed is None:
        return 0
    if changed.status == Ticket.Status.TRANSFERRED:
        _follow_transfer(changed, now=now)
    written = 0
    if changed.status == Ticket.Status.CALLED:
        written += _tell_called(changed)
    return written + _tell_near_front(branch_id=changed.branch_id, day=changed.business_day)


def _follow_transfer(ticket: Ticket, *, now: datetime) -> None:
    """The successor in the new queue is the customer's ticket now: the subscription moves
    there (as a new one: messages about the old ticket stay the old ticket's)."""
    with transaction.atomic():
        subscription = (
            NotificationSubscription.objects.select_for_update()
            .filter(ticket=ticket, stopped_at__isnull=True)
            .first()
        )
        if subscription is None:
            return
        _stop(subscription, now=now)
        successor = Ticket.objects.filter(transferred_from=ticket).first()
        if successor is not None:
            NotificationSubscription.objects.get_or_create(
                ticket=successor,
                defaults={
                    "phone": subscription.phone,
                    "language": subscription.language,
                    "subscribed_at": now,
                },
            )


def _tell_called(ticket: Ticket) -> int:
    subscription = NotificationSubscription.objects.filter(
        ticket=ticket, stopped_at__isnull=True
    ).first()
    if subscription is None:
        return 0
    return _owe(
        subscription,
        event=Event.CALLED,
        key=f"ticket:{ticket.pk}:{Event.CALLED}",
        text=partial(_called_text, ticket),
    )


def _called_text(ticket: Ticket) -> str:
    return _(
        "%(branch)s: ticket %(number)s is being called. Please go to counter %(counter)s now. "
        "%(url)s"
    ) % {
        "branch": ticket.branch.name,
        "number": ticket.number,
        "counter": ticket.counter.number if ticket.counter is not None else "",
        "url": _ticket_url(ticket),
    }


def _tell_near_front(*, branch_id: int, day: date) -> int:
    places = settings.NOTIFY_PLACES_BEFORE_FRONT
    if places <= 0:
        return 0
    untold = (
        NotificationSubscription.objects.filter(
            stopped_at__isnull=True,
            ticket__branch_id=branch_id,
            ticket__business_day=day,
            ticket__status=Ticket.Status.WAITING,
        )
        .exclude(notifications__event=Event.NEAR_FRONT)
        .select_related("ticket__branch", "ticket__service")
    )
    written = 0
    for subscription in untold:
        ticket = subscription.ticket
        assert ticket is not None
        position = selectors.ticket_progress(ticket).position
        if position is None or position > places:
            continue
        written += _owe(
            subscription,
            event=Event.NEAR_FRONT,
            key=f"ticket:{ticket.pk}:{Event.NEAR_FRONT}",
            text=partial(_near_front_text, ticket, position),
        )
    return written


def _near_front_text(ticket: Ticket, position: int) -> str:
    return _(
        "%(branch)s: ticket %(number)s is now number %(position)d in the queue. Please make your "
        "way to the branch. %(url)s"
    ) % {
        "branch": ticket.branch.name,
        "number": ticket.number,
        "position": position,
        "url": _ticket_url(ticket),
    }


# Appointment reminders --------------------------------------------------------------------------


def appointment_reminders_due(*, now: datetime | None = None) -> int:
    """Write and enqueue the reminders due now (the body of a task every five minutes): a day
    before an appointment's start and an hour before, each once, for booked appointments whose
    customer asked for reminders and booked before the reminder's moment. A reminder written
    earlier and still pending is enqueued again, so one whose sending gave up is retried while
    it is still true. Returns how many reminders it wrote."""
    now = now or timezone.now()
    written = 0
    for index, (event, lead) in enumerate(REMINDERS):
        next_lead = REMINDERS[index + 1][1] if index + 1 < len(REMINDERS) else timedelta(0)
        subscriptions = NotificationSubscription.objects.filter(
            stopped_at__isnull=True,
            appointment__status=Appointment.Status.BOOKED,
            appointment__starts_at__gt=now + next_lead,
            appointment__starts_at__lte=now + lead,
        ).select_related("appointment__branch", "appointment__service")
        for subscription in subscriptions:
            appointment = subscription.appointment
            assert appointment is not None
            if appointment.booked_at > appointment.starts_at - lead:
                continue  # booked after the reminder's moment: the customer knows
            key = _reminder_key(appointment, event)
            written += _owe(
                subscription,
                event=event,
                key=key,
                text=partial(_reminder_text, appointment, event),
                resend_pending=True,
            )
    return written


def _reminder_key(appointment: Appointment, event: str) -> str:
    """Per start: an appointment moved to another time is reminded of its new time."""
    start = appointment.starts_at.astimezone(UTC)
    return f"appointment:{appointment.pk}:{event}:{start:%Y%m%dT%H%MZ}"


def _reminder_text(appointment: Appointment, event: str) -> str:
    local = appointment.branch.local_time(appointment.starts_at)
    values = {
        "branch": appointment.branch.name,
        "service": appointment.service.name,
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": local.strftime("%H:%M"),
        "code": appointment.code,
        "url": _page_url(reverse("appointment-page", args=[appointment.token])),
    }
    if event == Event.DAY_BEFORE:
        template = _(
            "Reminder: your appointment at %(branch)s (%(service)s) is on %(date)s at %(time)s. "
            "Check-in code %(code)s. %(url)s"
        )
    else:
        template = _(
            "Reminder: your appointment at %(branch)s (%(service)s) starts at %(time)s, in about "
            "an hour. Check-in code %(code)s. %(url)s"
        )
    return template % values


# Writing and sending ----------------------------------------------------------------------------


def _owe(
    subscription: NotificationSubscription,
    *,
    event: str,
    key: str,
    text: Callable[[], str],
    resend_pending: bool = False,
) -> int:
    """Write the message `key` once, in the subscriber's language, and enqueue its sending once
    written. Returns 1 if it was written now, 0 if it existed."""
    with translation.override(subscription.language):
        stop = _("Reply TD to stop.")
        words = f"{text()} {stop}"
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key,
            defaults={
                "subscription": subscription,
                "event": event,
                "phone": subscription.phone,
                "language": subscription.language,
                "text": words,
            },
        )
        if created or (resend_pending and notification.status == Status.PENDING):
            _soon("send_notification", notification.pk)
    return int(created)


def notification_send(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send one message, once (the body of the sending task).

    The row is locked for the whole send: a second task sending the same message waits, then
    finds it sent and does nothing. A message no longer pending, stopped, or no longer true is
    not sent. The backend's `NotificationNotSent` propagates, rolling back: the message stays
    pending for the task's retry. Returns whether this call sent it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",)).filter(pk=notification_id).first()
        )
        if notification is None or notification.status != Status.PENDING:
            return False
        # Read after the lock is held: a stop that committed meanwhile is seen.
        subscription = NotificationSubscription.objects.select_related("ticket", "appointment").get(
            pk=notification.subscription_id
        )
        if not subscription.is_active or not _still_true(notification, subscription, now=now):
            notification.status = Status.WITHDRAWN
            notification.save(update_fields=["status"])
            return False
        send_text(
            TextMessage(phone=notification.phone, text=notification.text, key=notification.key)
        )
        notification.status = Status.SENT
        notification.sent_at = now
        notification.save(update_fields=["status", "sent_at"])
    return True


def _still_true(
    notification: Notification, subscription: NotificationSubscription, *, now: datetime
) -> bool:
    ticket, appointment = subscription.ticket, subscription.appointment
    if notification.event == Event.NEAR_FRONT:
        return ticket is not None and ticket.status == Ticket.Status.WAITING
    if notification.event == Event.CALLED:
        return ticket is not None and ticket.status == Ticket.Status.CALLED
    return (
        appointment is not None
        and appointment.status == Appointment.Status.BOOKED
        and appointment.starts_at > now
        and notification.key == _reminder_key(appointment, notification.event)
    )


def _soon(task_name: str, *args: object) -> None:
    """Enqueue the task `task_name` of `queueing.tasks` once the current transaction commits
    (at once outside one). A broker that fails is logged, never raised into a request."""
    from .. import tasks  # the tasks call these services

    task = getattr(tasks, task_name)

    # A function, not a partial: Django names a robust callback that failed by its __qualname__.
    def enqueue() -> None:
        task.delay(*args)

    transaction.on_commit(enqueue, robust=True)


def _ticket_url(ticket: Ticket) -> str:
    return _page_url(reverse("ticket-tracking", args=[ticket.token]))


def _page_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
