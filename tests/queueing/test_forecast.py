"""Position and estimate come from the order the counters serving a ticket will really call,
across all their queues: priority first, staffed counters only."""

import heapq
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from branchsite.infra.models import AuditEntry
from queueing import selectors, services
from queueing.lobby import lobby_snapshot
from queueing.models import Ticket
from queueing.selectors.forecast import HORIZON
from tests import factories

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MINUTE = timedelta(minutes=1)


@pytest.fixture
def priority(branch, counter):
    """The priority queue, served at counter 1 beside cash and non-cash."""
    service = factories.make_service(branch, "V", is_priority=True)
    counter.services.add(service)
    return service


def in_branch(service, count=1, **kwargs):
    return factories.issue(service, count, channel=Ticket.Channel.KIOSK, **kwargs)


def test_a_ticket_waits_behind_the_older_tickets_its_counter_calls_from_another_queue(
    cash, non_cash, counter
):
    factories.issue(cash, 4)
    (mine,) = factories.issue(non_cash)
    # Counter 1 serves A and B and calls the four older A tickets first: 5 minutes each.
    assert selectors.ticket_progress(mine) == selectors.TicketProgress(5, 20)


def test_a_ticket_counts_only_the_calls_of_the_counters_that_serve_it(
    branch, cash, non_cash, counter
):
    factories.make_counter(branch, 2, [cash], staffed=True)
    factories.issue(cash, 4)
    (mine,) = factories.issue(non_cash)
    # Counter 2 takes two of the A tickets; counter 1 calls the other two, then this one.
    assert selectors.ticket_progress(mine) == selectors.TicketProgress(3, 10)


def test_an_open_counter_without_a_teller_neither_shortens_the_wait_nor_counts_as_open(
    branch, cash, counter
):
    factories.make_counter(branch, 2, [cash], teller=None)
    tickets = factories.issue(cash, 3)
    assert selectors.ticket_progress(tickets[2]).estimated_wait_minutes == 10
    (found,) = selectors.branches_with_waits()
    assert found.services[0].open_counters == 1
    board = lobby_snapshot(branch)
    assert [(c["number"], c["is_open"], c["staffed"]) for c in board["counters"]] == [
        (1, True, True),
        (2, True, False),
    ]
    assert board["queues"][0]["open_counters"] == 1


def test_a_busy_counter_is_free_once_its_customer_has_had_the_usual_time(cash, counter, teller):
    with time_machine.travel(NOON, tick=False):
        factories.issue(cash, 2)
        services.ticket_start(
            ticket=services.ticket_call_next(counter=counter, actor=teller), actor=teller
        )
    with time_machine.travel(NOON + 2 * MINUTE, tick=False):
        (waiting,) = Ticket.objects.filter(status=Ticket.Status.WAITING)
        assert selectors.ticket_progress(waiting) == selectors.TicketProgress(1, 3)


def test_priority_tickets_are_called_after_begun_appointments_and_before_everyone_else(
    cash, priority, counter, teller
):
    with time_machine.travel(NOON - 10 * MINUTE, tick=False):
        factories.issue(cash, 2)
        in_branch(priority)
        factories.issue(
            cash, channel=Ticket.Channel.APPOINTMENT, appointment_starts_at=NOON - MINUTE
        )
    with time_machine.travel(NOON, tick=False):
        called = []
        while (ticket := services.ticket_call_next(counter=counter, actor=teller)) is not None:
            called.append(ticket.number)
            services.ticket_finish(
                ticket=services.ticket_start(ticket=ticket, actor=teller), actor=teller
            )
    assert called == ["A003", "V001", "A001", "A002"]


def test_a_priority_ticket_is_first_in_line_though_older_tickets_wait(cash, priority, counter):
    factories.issue(cash, 4)
    (vip,) = in_branch(priority)
    assert selectors.ticket_progress(vip) == selectors.TicketProgress(1, 0)
    (found,) = selectors.branches_with_waits()
    waits = {queue.service.prefix: queue.estimated_wait_minutes for queue in found.services}
    # A newcomer to V waits for the V ticket ahead only; one to A for all five.
    assert (waits["V"], waits["A"]) == (5, 25)


def test_a_phone_cannot_take_a_priority_ticket_but_the_kiosk_can(api, priority):
    response = api.post("/api/tickets/", {"branch": "GZ-TH01", "service": "V"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "priority_in_branch_only"
    assert not Ticket.objects.exists()
    assert in_branch(priority)[0].number == "V001"


def test_a_priority_service_takes_no_bookings(priority):
    priority.appointment_capacity = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        priority.save()


def test_the_forecast_is_what_the_counters_then_really_do(branch, cash, non_cash, counter, teller):
    """Two staffed counters (1: A, B and V; 2: A only) and a mixed lobby: priority tickets, an
    appointment that began, one checked in early whose slot begins while others are served, and
    walk-ins of both queues. Serving everyone at the usual five minutes a customer calls each
    ticket at the moment and in the place the forecast gave it."""
    priority = factories.make_service(branch, "V", is_priority=True)
    counter.services.add(priority)
    other = factories.make_counter(branch, 2, [cash], staffed=True)
    with time_machine.travel(NOON - 20 * MINUTE, tick=False):
        factories.issue(cash, 3)
        factories.issue(non_cash, 2)
        factories.issue(
            cash, channel=Ticket.Channel.APPOINTMENT, appointment_starts_at=NOON + 12 * MINUTE
        )
        factories.issue(
            non_cash, channel=Ticket.Channel.APPOINTMENT, appointment_starts_at=NOON - MINUTE
        )
    with time_machine.travel(NOON - 5 * MINUTE, tick=False):
        in_branch(priority, 2)
        factories.issue(cash, 2)
        factories.issue(non_cash)
    waiting = list(Ticket.objects.filter(status=Ticket.Status.WAITING))
    forecast = {t.number: selectors.ticket_progress(t, now=NOON) for t in waiting}

    service_of = {t.number: t.service_id for t in waiting}
    served_by = {counter.pk: {cash.pk, non_cash.pk, priority.pk}, other.pk: {cash.pk}}
    called_at, calls = {}, []  # calls: (number, counter) in the order they happen
    free = [(NOON, counter.pk), (NOON, other.pk)]
    at_counter = {}
    desks = {counter.pk: (counter, teller), other.pk: (other, other.teller)}
    while free:
        moment, desk = heapq.heappop(free)
        at, staff = desks[desk]
        with time_machine.travel(moment, tick=False):
            if desk in at_counter:
                services.ticket_finish(ticket=at_counter.pop(desk), actor=staff)
            ticket = services.ticket_call_next(counter=at, actor=staff)
            if ticket is None:
                continue
            at_counter[desk] = services.ticket_start(ticket=ticket, actor=staff)
        called_at[ticket.number] = moment
        calls.append((ticket.number, desk))
        heapq.heappush(free, (moment + 5 * MINUTE, desk))

    assert set(called_at) == set(forecast)
    for number, progress in forecast.items():
        assert NOON + progress.estimated_wait_minutes * MINUTE == called_at[number], number
        place = next(i for i, (called, _) in enumerate(calls) if called == number)
        ahead = sum(1 for _, desk in calls[:place] if service_of[number] in served_by[desk])
        assert progress.position == ahead + 1, number


def test_the_lobby_manager_issues_a_priority_ticket_and_a_teller_cannot(branch, priority, teller):
    manager = factories.make_staff(branch, role="lobby_manager")
    body = {"branch": "GZ-TH01", "service": "V"}

    def take(user):
        client = APIClient()
        client.force_authenticate(user)
        return client.post("/api/tickets/", body, format="json")

    refused = take(teller)
    assert (refused.status_code, refused.json()["code"]) == (403, "priority_in_branch_only")
    issued = take(manager)
    assert issued.status_code == 201
    assert (issued.json()["number"], issued.json()["channel"]) == ("V001", "lobby")
    entry = AuditEntry.objects.get(action="ticket.issued")
    assert (entry.actor_name, entry.branch) == (manager.get_username(), "GZ-TH01")


def test_a_lobby_manager_of_another_branch_gives_no_priority_here(branch, priority):
    elsewhere = factories.make_staff(factories.make_branch("GZ-YX02"), role="lobby_manager")
    client = APIClient()
    client.force_authenticate(elsewhere)
    response = client.post("/api/tickets/", {"branch": "GZ-TH01", "service": "V"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "priority_in_branch_only")
    assert not Ticket.objects.exists()


def test_a_queue_longer_than_the_replay_reads_carries_on_at_its_counters_pace(
    branch, cash, counter
):
    """The replay reads the first HORIZON of a queue; the tickets past them keep their places,
    each one handling time (5 minutes at one counter) after the one before."""
    count = HORIZON + 10
    with time_machine.travel(NOON, tick=False):
        tickets = factories.issue(cash, count)
        progress = [selectors.ticket_progress(ticket) for ticket in tickets]
        (found,) = selectors.branches_with_waits()
    assert progress == [selectors.TicketProgress(n + 1, 5 * n) for n in range(count)]
    queue = next(wait for wait in found.services if wait.service == cash)
    assert (queue.waiting, queue.estimated_wait_minutes) == (count, 5 * count)


@pytest.mark.postgres
def test_the_one_branch_statement_reads_what_the_many_branch_queries_read(
    branch, cash, non_cash, counter, teller
):
    """Every ticket answer reads its branch in one hand-written statement on PostgreSQL; the
    finder reads many branches with the ORM. A lobby with a queue past the horizon, another
    counter, priority tickets, appointments due and early, and customers at the counters."""
    priority = factories.make_service(branch, "V", is_priority=True)
    counter.services.add(priority)
    factories.make_counter(branch, 2, [cash], staffed=True)
    factories.make_counter(branch, 3, [non_cash], teller=None)
    with time_machine.travel(NOON - 30 * MINUTE, tick=False):
        factories.issue(cash, HORIZON + 5)
        factories.issue(non_cash, 4)
        in_branch(priority, 2)
        factories.issue(
            cash, channel=Ticket.Channel.APPOINTMENT, appointment_starts_at=NOON - MINUTE
        )
        factories.issue(
            non_cash, channel=Ticket.Channel.APPOINTMENT, appointment_starts_at=NOON + 9 * MINUTE
        )
        services.ticket_start(
            ticket=services.ticket_call_next(counter=counter, actor=teller), actor=teller
        )
    day = branch.business_day(NOON)
    services_ = list(branch.services.all())
    by_orm = selectors.lobby_forecasts({branch.pk: services_}, days={branch.pk: day}, now=NOON)
    by_statement = selectors.lobby_forecast(branch.pk, day=day, now=NOON)
    assert by_statement.tickets == by_orm[branch.pk].tickets
    assert by_statement.queues == by_orm[branch.pk].queues
    assert by_statement.beyond == by_orm[branch.pk].beyond
    # The last of the five walk-ins past the horizon: the fifth still to place after those read.
    deepest = (
        Ticket.objects.filter(service=cash, status="waiting", appointment_starts_at=None)
        .order_by("-pk")
        .first()
    )
    beyond = by_orm[branch.pk].beyond[cash.pk]
    assert selectors.ticket_progress(deepest, now=NOON) == beyond.progress(beyond.placed + 4, NOON)
