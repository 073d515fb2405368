"""Tickets still open when the branch closes expire; the periodic task does it idempotently."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from queueing import services, tasks
from queueing.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db
MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday
EVENING = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai


@pytest.fixture
def nine_to_five(db):
    branch = factories.make_branch("FS-NH02", hours=(time(9), time(17)))
    service = factories.make_service(branch, "A")
    counter = factories.make_counter(branch, 1, [service])
    factories.make_counter(branch, 2, [service])
    factories.make_counter(branch, 3, [service])
    return branch, service, counter


def test_open_tickets_expire_after_closing_and_served_ones_stay(nine_to_five):
    branch, service, _ = nine_to_five
    with time_machine.travel(MORNING, tick=False):
        factories.issue(service, 4)
        # Three counters call one customer each: a counter holds one customer at a time.
        _called, done, serving = (
            services.ticket_call_next(counter=counter, actor=None)
            for counter in branch.counters.order_by("number")
        )
        services.ticket_finish(ticket=services.ticket_start(ticket=done, actor=None), actor=None)
        services.ticket_start(ticket=serving, actor=None)
    with time_machine.travel(EVENING, tick=False):
        assert tasks.expire_tickets_after_closing() == 2
        assert tasks.expire_tickets_after_closing() == 0
    statuses = dict(Ticket.objects.values_list("number", "status"))
    assert statuses == {"A001": "expired", "A002": "done", "A003": "serving", "A004": "expired"}
    assert Ticket.objects.get(number="A001").events.last().action == "expired"


def test_nothing_expires_while_the_branch_is_open(nine_to_five):
    _, service, _ = nine_to_five
    with time_machine.travel(MORNING, tick=False):
        factories.issue(service, 2)
        assert services.tickets_expire_after_closing() == 0
    assert set(Ticket.objects.values_list("status", flat=True)) == {"waiting"}


def test_yesterdays_leftovers_expire_even_in_opening_hours(cash):
    with time_machine.travel(datetime(2026, 3, 1, 4, 0, tzinfo=UTC), tick=False):
        factories.issue(cash)
    with time_machine.travel(datetime(2026, 3, 2, 4, 0, tzinfo=UTC), tick=False):
        factories.issue(cash)
        assert services.tickets_expire_after_closing() == 1
    assert list(Ticket.objects.order_by("business_day").values_list("status", flat=True)) == [
        "expired",
        "waiting",
    ]
