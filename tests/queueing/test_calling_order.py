"""Who is called next: appointments whose slot has begun, then everyone by issue time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from queueing import selectors, services
from queueing.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


def call_all(counter, teller) -> list[str]:
    """Call and serve every waiting customer at one counter, one after another."""
    numbers = []
    while (ticket := services.ticket_call_next(counter=counter, actor=teller)) is not None:
        numbers.append(ticket.number)
        services.ticket_start(ticket=ticket, actor=teller)
        services.ticket_finish(ticket=ticket, actor=teller)
    return numbers


def test_tickets_are_called_in_order_of_issue_across_the_counters_services(
    cash, non_cash, counter, teller
):
    start = NOON - timedelta(minutes=30)
    for minutes, service in [(0, cash), (1, non_cash), (2, cash), (3, non_cash)]:
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            factories.issue(service)
    with time_machine.travel(NOON, tick=False):
        assert call_all(counter, teller) == ["A001", "B001", "A002", "B002"]


def test_a_checked_in_appointment_whose_slot_began_goes_first(cash, counter, teller):
    now = timezone.now()
    factories.issue(cash, 2)
    factories.issue(
        cash, channel=Ticket.Channel.APPOINTMENT, appointment_starts_at=now - timedelta(minutes=1)
    )
    assert call_all(counter, teller) == ["A003", "A001", "A002"]


def test_an_appointment_checked_in_early_waits_like_anyone_until_its_slot(cash, counter, teller):
    now = timezone.now()
    factories.issue(
        cash, channel=Ticket.Channel.APPOINTMENT, appointment_starts_at=now + timedelta(minutes=20)
    )
    factories.issue(cash)
    # Issued first, so first by issue time; it gains no priority before its slot.
    assert call_all(counter, teller) == ["A001", "A002"]


def test_appointments_that_began_go_in_order_of_their_slots(cash, counter, teller):
    now = timezone.now()
    factories.issue(cash)
    factories.issue(cash, channel="appointment", appointment_starts_at=now - timedelta(minutes=5))
    factories.issue(cash, channel="appointment", appointment_starts_at=now - timedelta(minutes=15))
    assert call_all(counter, teller) == ["A003", "A002", "A001"]


def test_a_counter_calls_only_the_services_it_serves(branch, cash, non_cash, teller):
    only_b = factories.make_counter(branch, 2, [non_cash])
    factories.issue(cash)
    factories.issue(non_cash)
    assert call_all(only_b, teller) == ["B001"]


def test_a_counter_calls_only_todays_tickets_of_its_own_branch(cash, counter, teller):
    other_branch = factories.make_branch("GZ-YX02")
    factories.issue(factories.make_service(other_branch, "A"))
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        factories.issue(cash)  # yesterday's, never expired
    (today,) = factories.issue(cash)
    assert call_all(counter, teller) == [today.number]


def test_position_counts_the_tickets_ahead_in_calling_order(cash, counter, teller):
    now = timezone.now()
    first, second = factories.issue(cash, 2)
    (vip,) = factories.issue(
        cash, channel="appointment", appointment_starts_at=now - timedelta(minutes=1)
    )
    assert [selectors.ticket_position(t) for t in (vip, first, second)] == [1, 2, 3]
    services.ticket_call_next(counter=counter, actor=teller)
    first.refresh_from_db()
    assert selectors.ticket_position(first) == 1
    vip.refresh_from_db()
    assert selectors.ticket_position(vip) is None


NOON = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_orm_order_and_the_rule_agree_on_a_mixed_queue(branch, cash, counter, teller):
    """One rule (`selectors.CALLING_ORDER`), two readings of it: the ORM's sort (calling the next
    ticket) and `calling_key` in Python (the forecast). Tickets of a counter's services with
    appointments due, an appointment due this very instant, appointments still to come, priority
    tickets, walk-ins, and tickets sharing an issue time or a slot."""
    minutes = timedelta(minutes=1)
    same_instant = NOON - 20 * minutes
    priority = factories.make_service(branch, "V", is_priority=True)
    counter.services.add(priority)

    def walk_in(at, service=cash):
        channel = Ticket.Channel.KIOSK if service.is_priority else Ticket.Channel.REMOTE
        return factories.issue(service, channel=channel, now=at)[0].number

    def appointment(at, slot):
        return factories.issue(
            cash, channel=Ticket.Channel.APPOINTMENT, appointment_starts_at=slot, now=at
        )[0].number

    a1, a2, a3 = (walk_in(same_instant) for _ in range(3))
    due_ten_minutes_ago = appointment(same_instant, NOON - 10 * minutes)
    due_later_today = appointment(same_instant, NOON + 15 * minutes)
    shared_slot_first = appointment(NOON - 5 * minutes, NOON - 30 * minutes)
    shared_slot_second = appointment(NOON - 5 * minutes, NOON - 30 * minutes)
    due_this_instant = appointment(NOON - 5 * minutes, NOON)
    a9 = walk_in(NOON - minutes)
    priority_later = walk_in(NOON - minutes, priority)
    priority_earlier = walk_in(same_instant, priority)
    a10 = walk_in(NOON)
    due_in_a_minute = appointment(NOON, NOON + minutes)

    begun = [shared_slot_first, shared_slot_second, due_ten_minutes_ago, due_this_instant]
    expected = {
        NOON: [
            *begun,
            priority_earlier,
            priority_later,
            a1,
            a2,
            a3,
            due_later_today,
            a9,
            a10,
            due_in_a_minute,
        ],
        NOON + 2 * minutes: [
            *begun,
            due_in_a_minute,
            priority_earlier,
            priority_later,
            a1,
            a2,
            a3,
            due_later_today,
            a9,
            a10,
        ],
    }
    waiting = Ticket.objects.filter(branch=branch, status=Ticket.Status.WAITING)
    for now, order in expected.items():
        by_orm = [t.number for t in selectors.in_calling_order(waiting, now=now)]
        by_rule = sorted(waiting, key=lambda t: selectors.calling_key(t, now=now))
        assert by_orm == order, now
        assert [t.number for t in by_rule] == order, now

    with time_machine.travel(NOON, tick=False):
        assert call_all(counter, teller) == expected[NOON]
