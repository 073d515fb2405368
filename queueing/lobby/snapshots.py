"""What wall screens, the lobby board and the counter pages show, as JSON-ready dicts.

Pages render their first state from these and the sockets send the same shapes, so both always
agree. Every snapshot reads the branch's lobby version before anything else: a change committed
meanwhile is then both in the snapshot and in the next change, which clients apply idempotently.
Other apps add their own parts through `sections` (a kiosk's carts, the umbrella stock).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from ..models import (
    Appointment,
    Branch,
    Counter,
    Ticket,
)
from ..presence import presence_code
from ..selectors.branches import branch_is_open
from ..selectors.forecast import lobby_forecast
from .sections import build_sections

Status = Ticket.Status
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
    """Each active service's waiting count and the wait of a ticket taken now (the forecast);
    staff also see the staffed counters serving it, the longest wait and how many waits are over
    the service's threshold."""
    waiting_since: dict[int, list[datetime]] = defaultdict(list)
    for service_id, issued_at in Ticket.objects.filter(
        branch=branch, business_day=branch.business_day(now), status=Status.WAITING
    ).values_list("service_id", "issued_at"):
        waiting_since[service_id].append(issued_at)
    forecast = lobby_forecast(branch.pk, day=branch.business_day(now), now=now)
    queues = []
    for service in sorted(branch.services.all(), key=lambda s: s.prefix):
        if not service.is_active:
            continue
        issued = waiting_since.get(service.pk, [])
        expected = forecast.queue(service.pk)
        queue = {
            "prefix": service.prefix,
            "name_zh": service.name_zh,
            "name_en": service.name_en,
            "waiting": len(issued),
            "estimated_wait_minutes": expected.newcomer_wait_minutes,
        }
        if for_staff:
            queue |= {
                "open_counters": expected.staffed_counters,
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


def _presence(branch: Branch, *, now: datetime) -> dict:
    """The code a customer checking in from their phone types, and when the screens change it
    (they ask for a fresh snapshot then)."""
    shown = presence_code(branch, now=now)
    return {"code": shown.code, "until": _iso(shown.until)}


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
        "presence": _presence(branch, now=now),
        "notice": None,
        **build_sections(branch, now=now, screens=True),
    }


def screen_change(
    *, branch_id: int, version: int, called_ticket_id: int | None, sections: Iterable[str] = ()
) -> dict:
    now = timezone.now()
    branch = _lobby_branch(branch_id)
    return {
        "type": "change",
        "version": version,
        "queues": _queues(branch, now=now, for_staff=False),
        "call": _called_ticket(called_ticket_id),
        **build_sections(branch, now=now, screens=True, only=list(sections)),
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
        "actions": ticket.staff_actions,
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
                # Open with nobody seated calls nobody: the forecast counts staffed counters only.
                "staffed": counter.is_open and teller is not None,
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
        **build_sections(branch, now=now, screens=False),
    }


def lobby_change(
    *,
    branch_id: int,
    version: int,
    ticket_ids: list[int],
    called_ticket_id: int | None,
    sections: Iterable[str] = (),
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
        **build_sections(branch, now=now, screens=False, only=list(sections)),
    }
