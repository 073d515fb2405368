"""One phone holds one waiting place in a branch's queues: a customer cannot take a ticket in
every queue "just in case" and leave the others to wait behind them."""

import threading

import pytest
from django.db import connections

from queueing import services
from queueing.errors import QueueError
from queueing.models import Ticket
from tests import factories

PHONE = "13812345678"


def take(service, phone=PHONE):
    return services.ticket_take_remote(service=service, phone=phone, client_address="10.0.0.1")


@pytest.mark.django_db
def test_a_phone_waiting_at_a_branch_cannot_take_a_second_ticket_there(cash, non_cash):
    (held,) = [take(cash)]
    with pytest.raises(QueueError) as refused:
        take(non_cash)
    assert (refused.value.code, refused.value.status) == ("phone_holds_a_ticket", 409)
    assert held.number in refused.value.detail
    assert Ticket.objects.count() == 1
    assert take(non_cash, phone="13900000000").number == "B001"


@pytest.mark.django_db
def test_the_phone_may_queue_again_once_its_ticket_no_longer_waits(cash, non_cash, counter, teller):
    first = take(cash)
    services.ticket_call_next(counter=counter, actor=teller)
    second = take(non_cash)
    services.ticket_cancel(ticket=second, actor=None)
    assert take(non_cash).number == "B002"
    first.refresh_from_db()
    # The number is forgotten as soon as the place is given up.
    assert first.holder_phone == ""


@pytest.mark.django_db
def test_another_branch_is_another_place(cash):
    take(cash)
    elsewhere = factories.make_service(factories.make_branch("GZ-YX02"), "A")
    assert take(elsewhere).number == "A001"


@pytest.mark.django_db
def test_a_ticket_moved_to_another_queue_keeps_the_phones_place(cash, non_cash, teller):
    held = take(cash)
    services.ticket_transfer(ticket=held, to_service=non_cash, actor=teller)
    with pytest.raises(QueueError):
        take(cash)


@pytest.mark.django_db
def test_with_the_rule_off_a_phone_may_wait_in_several_queues(settings, cash, non_cash):
    settings.ONE_WAITING_TICKET_PER_PHONE = False
    take(cash)
    assert take(non_cash).number == "B001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_phone_taking_tickets_from_eight_threads_at_once_gets_exactly_one(
    settings, branch, cash, non_cash
):
    settings.REMOTE_TICKETS_PER_PHONE_PER_HOUR = 0  # the holding rule alone decides
    queues = [cash, non_cash] + [factories.make_service(branch, p) for p in "CDEFGH"]
    start = threading.Barrier(len(queues))
    outcomes: list[str] = []
    lock = threading.Lock()

    def one(service):
        start.wait()
        try:
            take(service)
            outcome = "taken"
        except QueueError as refused:
            outcome = refused.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=one, args=(service,)) for service in queues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["phone_holds_a_ticket"] * 7 + ["taken"]
    assert Ticket.objects.filter(status="waiting").count() == 1
