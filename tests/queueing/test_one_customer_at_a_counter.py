"""A counter holds one customer at a time: called, then served. A second call while one is there
would announce a customer the counter page never shows."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from queueing import services
from queueing.models import Ticket
from tests import factories

CALL_NEXT = "/api/branches/GZ-TH01/counters/1/call-next/"


def test_calling_again_while_a_customer_is_called_is_refused_and_calls_nobody(
    teller_api, cash, counter
):
    factories.issue(cash, 2)
    first = teller_api.post(CALL_NEXT)
    assert first.status_code == 200
    again = teller_api.post(CALL_NEXT)
    assert (again.status_code, again.json()["code"]) == (409, "counter_busy")
    at_counter = Ticket.objects.filter(counter=counter, status__in=["called", "serving"])
    assert list(at_counter.values_list("number", flat=True)) == [first.json()["number"]]
    assert Ticket.objects.filter(status="waiting").count() == 1


def test_the_next_customer_is_called_once_the_last_is_served(teller_api, cash, counter, teller):
    factories.issue(cash, 2)
    first = services.ticket_call_next(counter=counter, actor=teller)
    services.ticket_finish(ticket=services.ticket_start(ticket=first, actor=teller), actor=teller)
    assert teller_api.post(CALL_NEXT).json()["number"] == "A002"


def test_the_database_refuses_a_second_customer_at_one_counter(cash, counter, teller):
    _called, waiting = factories.issue(cash, 2)
    services.ticket_call_next(counter=counter, actor=teller)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=waiting.pk).update(status="called", counter=counter)


@pytest.mark.django_db(transaction=True)
def test_upgrading_puts_an_extra_customer_at_a_counter_back_at_the_front_of_the_queue(
    branch, cash, counter
):
    """Databases of the old code may hold two called tickets at one counter."""
    executor = MigrationExecutor(connection)
    executor.migrate([("queueing", "0006_idempotency_and_limits_move_to_infra")])
    old = executor.loader.project_state(
        [("queueing", "0006_idempotency_and_limits_move_to_infra")]
    ).apps
    OldTicket = old.get_model("queueing", "Ticket")
    now = timezone.now()
    for number, status in [("A001", "called"), ("A002", "called"), ("A003", "waiting")]:
        OldTicket.objects.create(
            token=number,
            branch_id=branch.pk,
            service_id=cash.pk,
            business_day=now.date(),
            number=number,
            channel="remote",
            status=status,
            issued_at=now,
            called_at=now if status == "called" else None,
            counter_id=counter.pk if status == "called" else None,
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    statuses = dict(Ticket.objects.values_list("number", "status"))
    assert statuses == {"A001": "waiting", "A002": "called", "A003": "waiting"}
    returned = Ticket.objects.get(number="A001")
    assert (returned.counter, returned.events.get().to_status) == (None, "waiting")
