"""A counter closing while its teller calls the next customer, against PostgreSQL.

What the lobby would notice if this failed: a customer called to a counter that has just closed,
with nobody at it and no screen showing it open, waiting until someone notices."""

import threading
from functools import partial

import pytest
from django.db import connections

from queueing import services
from queueing.errors import QueueError
from queueing.models import Counter, Ticket
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 40


def _in_thread(work, start: threading.Barrier, outcomes: list) -> threading.Thread:
    def run() -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(work())
        except QueueError as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_a_counter_closing_while_its_teller_calls_never_ends_closed_with_a_customer_called(
    branch, cash, teller
):
    counter = factories.make_counter(branch, 7, [cash], teller=teller)
    closed_with_a_customer = []
    for round_number in range(ROUNDS):
        Counter.objects.filter(pk=counter.pk).update(is_open=True, teller=teller)
        factories.issue(cash, 1)
        # Both requests loaded the open counter before either acted, as two requests do.
        calling, closing = Counter.objects.get(pk=counter.pk), Counter.objects.get(pk=counter.pk)
        start, outcomes = threading.Barrier(2), []
        call = partial(services.ticket_call_next, counter=calling, actor=teller)
        close = partial(services.counter_close, counter=closing, actor=teller)
        threads = [_in_thread(call, start, outcomes), _in_thread(close, start, outcomes)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        counter.refresh_from_db()
        at_counter = Ticket.objects.filter(counter=counter, status=Ticket.Status.CALLED)
        if not counter.is_open and at_counter.exists():
            closed_with_a_customer.append((round_number, sorted(map(str, outcomes))))
        # Either the call came first (the close is refused: counter_busy), or the close did
        # (the call is refused: counter_closed). Clear the lobby for the next round.
        at_counter.update(status=Ticket.Status.DONE)
        Ticket.objects.filter(status=Ticket.Status.WAITING).update(status=Ticket.Status.CANCELLED)
    assert closed_with_a_customer == []
