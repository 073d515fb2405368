"""Estimated waits: tickets ahead × live handling time ÷ open counters."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from queueing import selectors
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_first_in_line_waits_nothing(cash, counter):
    (ticket,) = factories.issue(cash)
    assert selectors.ticket_progress(ticket) == selectors.TicketProgress(1, 0)


def test_the_wait_grows_with_the_tickets_ahead_at_the_default_time(cash, counter):
    tickets = factories.issue(cash, 4)  # default 5 minutes, one open counter
    assert [selectors.ticket_progress(t).estimated_wait_minutes for t in tickets] == [0, 5, 10, 15]


def test_more_open_counters_share_the_wait(branch, cash, counter):
    factories.make_counter(branch, 2, [cash], staffed=True)
    tickets = factories.issue(cash, 5)
    assert selectors.ticket_progress(tickets[4]).estimated_wait_minutes == 10  # 4 ahead × 5 ÷ 2


def test_closed_counters_do_not_shorten_the_wait(branch, cash, counter):
    factories.make_counter(branch, 2, [cash], is_open=False)
    tickets = factories.issue(cash, 3)
    assert selectors.ticket_progress(tickets[2]).estimated_wait_minutes == 10


def test_the_live_handling_time_replaces_the_default_once_known(cash, counter):
    cash.live_handling_seconds = 90
    cash.save()
    tickets = factories.issue(cash, 3)
    assert selectors.ticket_progress(tickets[2]).estimated_wait_minutes == 3  # 2 × 1.5 min


def test_with_no_counter_open_the_estimate_assumes_one(cash, counter):
    counter.is_open = False
    counter.save()
    tickets = factories.issue(cash, 3)
    assert selectors.ticket_progress(tickets[2]).estimated_wait_minutes == 10


def test_the_branch_list_reports_waiting_and_estimates_per_service(branch, cash, non_cash, counter):
    factories.issue(cash, 3)
    (entry,) = selectors.branches_with_waits()
    by_prefix = {w.service.prefix: w for w in entry.services}
    assert (by_prefix["A"].waiting, by_prefix["A"].estimated_wait_minutes) == (3, 15)
    # Nobody waits for B, but its only counter calls the three A tickets first.
    assert (by_prefix["B"].waiting, by_prefix["B"].estimated_wait_minutes) == (0, 15)
    assert by_prefix["A"].open_counters == 1


def test_the_branch_list_costs_the_same_queries_for_one_branch_or_many(
    django_assert_max_num_queries, db
):
    for code in ["GZ-A", "GZ-B", "GZ-C", "GZ-D"]:
        branch = factories.make_branch(code)
        service = factories.make_service(branch, "A")
        factories.make_counter(branch, 1, [service])
        factories.issue(service, 2)
    with django_assert_max_num_queries(5):
        assert len(selectors.branches_with_waits()) == 4


def test_the_branch_list_ignores_yesterdays_leftovers(cash, counter):
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        factories.issue(cash, 2)
    factories.issue(cash)
    (entry,) = selectors.branches_with_waits()
    assert entry.services[0].waiting == 1


def test_a_whole_queue_read_at_once_gives_each_ticket_the_place_it_would_get_alone(cash, counter):
    now = timezone.now()
    factories.issue(cash, 3)
    factories.issue(cash, channel="appointment", appointment_starts_at=now - timedelta(minutes=5))
    factories.issue(cash, channel="appointment", appointment_starts_at=now - timedelta(minutes=9))
    factories.issue(cash, channel="appointment", appointment_starts_at=now + timedelta(minutes=20))
    factories.issue(cash, 2)
    queue = selectors.queue_progress(service=cash, day=cash.branch.business_day(now), now=now)
    tickets = cash.tickets.all()
    assert len(queue) == tickets.count() == 8
    for ticket in tickets:
        assert queue[ticket.pk] == selectors.ticket_progress(ticket, now=now), ticket.number
