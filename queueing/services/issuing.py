"""Issuing tickets: the next number of a queue, from a kiosk, a phone or a checked-in appointment.

Invariant, with the database constraint as backstop: numbers run 1..N per (service, business
day) with no gap and no duplicate, under any concurrency: the sequence row is incremented in the
same transaction as the ticket insert.
"""

from contextlib import nullcontext
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchsite.infra.audit import Actor, acting_user, audit_record, origin_of
from branchsite.infra.phones import normalize_phone
from branchsite.infra.rate_limits import limits_take

from .. import selectors
from ..devices import BranchDevice
from ..errors import QueueError
from ..lobby import lobby_changed
from ..models import (
    Service,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from .devices import device_actor, require_device_of_branch

Status = Ticket.Status
Action = TicketEvent.Action


def format_ticket_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:03d}"


def _next_sequence(*, service: Service, business_day) -> int:
    """Take the next number of a queue. Holds the sequence row lock until the caller commits."""
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    # One statement for insert-or-increment: PostgreSQL and SQLite both speak it, and the row
    # lock it takes makes concurrent issuers of the same queue wait for this transaction.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (service_id, business_day, last_issued) VALUES (%s, %s, 1) "
            f"ON CONFLICT (service_id, business_day) "
            f"DO UPDATE SET last_issued = {table}.last_issued + 1 RETURNING last_issued",
            [service.pk, business_day],
        )
        return cursor.fetchone()[0]


# PostgreSQL only: number, ticket and its event in one statement. A busy queue's issuers all wait
# on its sequence row; this way the lock is held for one statement and the commit instead of
# five round trips (and the GIL waits between them). bench/README.md has the measurements.
# Every NOT NULL column of the two tables must appear here: a new one fails the test suite on
# PostgreSQL (CI) at once.
_ISSUE_IN_ONE_STATEMENT = """
WITH sequence AS (
    INSERT INTO queueing_ticketsequence AS s (service_id, business_day, last_issued)
    VALUES (%(service)s, %(day)s, 1)
    ON CONFLICT (service_id, business_day) DO UPDATE SET last_issued = s.last_issued + 1
    RETURNING last_issued
), ticket AS (
    INSERT INTO queueing_ticket (token, branch_id, service_id, business_day, number, channel,
                                 status, issued_at, recall_count, appointment_starts_at,
                                 rating_comment, holder_phone)
    SELECT %(token)s, %(branch)s, %(service)s, %(day)s,
           %(prefix)s || lpad(last_issued::text, greatest(3, length(last_issued::text)), '0'),
           %(channel)s, %(status)s, %(now)s, 0, %(appointment)s, '', %(holder_phone)s
    FROM sequence
    RETURNING id, number
), event AS (
    INSERT INTO queueing_ticketevent (ticket_id, action, from_status, to_status, actor_id, at, note)
    SELECT id, %(action)s, '', %(status)s, %(actor)s, %(now)s, '' FROM ticket
), lobby AS (
    UPDATE queueing_branch SET lobby_version = lobby_version + 1 WHERE id = %(branch)s
    RETURNING lobby_version
)
SELECT id, number, (SELECT lobby_version FROM lobby) FROM ticket
"""


# Where a priority ticket may come from: staff in the branch see who is entitled to it.
IN_BRANCH_CHANNELS = (Ticket.Channel.KIOSK, Ticket.Channel.LOBBY)


def _check_issuing(service: Service, *, channel: str, now: datetime) -> None:
    """Raise unless the service takes tickets at `now` by `channel`: offered, its branch open,
    and a priority ticket given in the branch."""
    if service.is_priority and channel not in IN_BRANCH_CHANNELS:
        raise QueueError(
            "priority_in_branch_only",
            _("%(service)s tickets are given in the branch: ask at the kiosk or the lobby manager.")
            % {"service": service.name},
            status=403,
        )
    branch = service.branch
    if not branch.is_active or not service.is_active:
        raise QueueError(
            "service_unavailable",
            _("%(service)s is not offered at %(branch)s.")
            % {"service": service.name, "branch": branch.code},
        )
    if not selectors.branch_is_open(branch=branch, at=now):
        raise QueueError("branch_closed", _("%(branch)s is closed now.") % {"branch": branch.code})


def ticket_issue(
    *,
    service: Service,
    channel: str,
    actor: Actor | None = None,
    appointment_starts_at: datetime | None = None,
    holder_phone: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Issue the next number of `service`'s queue for today, while the branch is open.

    A ticket issued by staff or a device (a kiosk) is recorded in the audit trail in the issue's
    transaction. A customer's costs nothing more: the trail is not written, and on PostgreSQL the
    issue stays one statement outside any transaction. With `holder_phone`, the database refuses
    a second waiting ticket of that phone at the branch (`phone_holds_a_ticket`, 409), and the
    issue runs in a transaction (a savepoint inside another), so that the refusal leaves nothing.
    """
    origin = origin_of(actor)
    named = origin.is_staff_or_device
    try:
        with transaction.atomic() if named or holder_phone else nullcontext():
            ticket = _issue(
                service=service,
                channel=channel,
                actor=origin,
                appointment_starts_at=appointment_starts_at,
                holder_phone=holder_phone,
                now=now,
            )
            if named:
                audit_record(
                    "ticket.issued",
                    subject=ticket,
                    by=origin,
                    branch=service.branch.code,
                    after={"status": ticket.status, "service": service.pk, "channel": channel},
                    at=ticket.issued_at,
                )
    except IntegrityError as refused:
        # PostgreSQL names the constraint, SQLite its columns.
        if not holder_phone or not any(
            name in str(refused) for name in ("one_waiting_ticket_per_phone", "holder_phone")
        ):
            raise
        raise _holds_a_ticket(service, holder_phone) from None
    return ticket


def _held_by(service: Service, phone: str, *, now: datetime | None = None):
    """The waiting tickets of today that `phone` holds at the service's branch."""
    day = service.branch.business_day(now or timezone.now())
    return Ticket.objects.filter(
        branch_id=service.branch_id, business_day=day, holder_phone=phone, status=Status.WAITING
    )


def _holds_a_ticket(service: Service, phone: str) -> QueueError:
    held = _held_by(service, phone).values_list("number", flat=True).first()
    return QueueError(
        "phone_holds_a_ticket",
        _(
            "This phone already holds ticket %(number)s at %(branch)s; cancel it there before "
            "taking another."
        )
        % {"number": held or "?", "branch": service.branch.code},
    )


def _issue(
    *,
    service: Service,
    channel: str,
    actor: Actor | None,
    appointment_starts_at: datetime | None,
    holder_phone: str,
    now: datetime | None,
) -> Ticket:
    now = now or timezone.now()
    branch = service.branch
    _check_issuing(service, channel=channel, now=now)
    if channel not in Ticket.Channel.values:
        raise QueueError(
            "invalid_channel",
            _("Unknown channel %(channel)s.") % {"channel": repr(channel)},
            status=400,
        )
    business_day = branch.business_day(now)
    ticket = Ticket(
        branch=branch,
        service=service,
        business_day=business_day,
        channel=channel,
        issued_at=now,
        appointment_starts_at=appointment_starts_at,
        holder_phone=holder_phone,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _ISSUE_IN_ONE_STATEMENT,
                {
                    "service": service.pk,
                    "branch": branch.pk,
                    "day": business_day,
                    "token": ticket.token,
                    "prefix": service.prefix,
                    "channel": channel,
                    "status": Status.WAITING,
                    "now": now,
                    "appointment": appointment_starts_at,
                    "holder_phone": holder_phone,
                    "action": Action.ISSUED,
                    "actor": getattr(acting_user(actor), "pk", None),
                },
            )
            ticket.pk, ticket.number, version = cursor.fetchone()
        ticket._state.adding = False
        ticket._state.db = connection.alias
        lobby_changed(branch.pk, tickets=[ticket], version=version)
        return ticket
    with transaction.atomic():
        sequence = _next_sequence(service=service, business_day=business_day)
        ticket.number = format_ticket_number(service.prefix, sequence)
        ticket.save(force_insert=True)
        TicketEvent.objects.create(
            ticket=ticket,
            action=Action.ISSUED,
            to_status=Status.WAITING,
            actor=acting_user(actor),
            at=now,
        )
        lobby_changed(branch.pk, tickets=[ticket])
    return ticket


def ticket_issue_at_kiosk(
    *,
    service: Service,
    kiosk: BranchDevice,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Ticket:
    """A kiosk in the lobby prints the next ticket of `service`: a `kiosk` ticket, never counted
    against the remote-ticket limits.

    A kiosk prints tickets of its own branch only (`kiosk_wrong_branch`, 403, before anything is
    written). `actor` is the request's origin when the interface has one; the kiosk otherwise.
    """
    require_device_of_branch(
        kiosk, service.branch_id, refusal=_("A kiosk issues tickets of its own branch only.")
    )
    return ticket_issue(
        service=service,
        channel=Ticket.Channel.KIOSK,
        actor=device_actor(kiosk, actor),
        now=now,
    )


def ticket_issue_in_lobby(
    *,
    service: Service,
    manager: User | AnonymousUser,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Ticket:
    """The lobby manager issues a ticket for the customer in front of them: a `lobby` ticket,
    of a priority service too, never counted against the remote-ticket limits.

    Only a lobby manager of the service's branch (`not_lobby_manager`, 403, before anything is
    written). `actor` is the request's origin when the interface has one; the manager otherwise.
    """
    if not selectors.user_is_lobby_manager_of(manager, service.branch_id):
        raise QueueError(
            "not_lobby_manager",
            _("Only a lobby manager of %(branch)s issues tickets there.")
            % {"branch": service.branch.code},
            status=403,
        )
    return ticket_issue(
        service=service, channel=Ticket.Channel.LOBBY, actor=actor or manager, now=now
    )


REMOTE_LIMIT_WINDOW = timedelta(hours=1)


def ticket_take_remote(
    *,
    service: Service,
    phone: str = "",
    client_address: str = "",
    now: datetime | None = None,
) -> Ticket:
    """A customer takes a ticket from their phone before coming to the branch.

    Counts against the remote-ticket limits of the phone (when given) and the client address.
    What refuses a ticket (a closed branch) is checked before anything is counted; each count is
    one statement of its own, with no transaction around the issue: this is the busiest write of
    the product, and a transaction costs it a round trip.
    """
    now = now or timezone.now()
    phone = normalize_phone(phone) if phone else ""
    _check_issuing(service, channel=Ticket.Channel.REMOTE, now=now)
    holder_phone = phone if phone and settings.ONE_WAITING_TICKET_PER_PHONE else ""
    if holder_phone and _held_by(service, holder_phone, now=now).exists():
        raise _holds_a_ticket(service, holder_phone)  # before it counts against the limits
    limits_take(
        scope="remote_ticket",
        phone=phone,
        client_address=client_address,
        per_phone=settings.REMOTE_TICKETS_PER_PHONE_PER_HOUR,
        per_address=settings.REMOTE_TICKETS_PER_ADDRESS_PER_HOUR,
        window=REMOTE_LIMIT_WINDOW,
        now=now,
    )
    return ticket_issue(
        service=service, channel=Ticket.Channel.REMOTE, holder_phone=holder_phone, now=now
    )
