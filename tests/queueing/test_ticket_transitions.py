"""The ticket's life: every allowed step once, every forbidden step refused with a stable code."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from queueing import services
from queueing.errors import InvalidTransition, QueueError
from queueing.lobby import lobby_snapshot
from queueing.models import Ticket, TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db
Status = Ticket.Status


@pytest.fixture
def called(cash, counter, teller):
    factories.issue(cash)
    return services.ticket_call_next(counter=counter, actor=teller)


def test_a_ticket_goes_from_waiting_to_done_with_each_step_logged(cash, counter, teller):
    (ticket,) = factories.issue(cash)
    ticket = services.ticket_call_next(counter=counter, actor=teller)
    assert (ticket.status, ticket.counter, ticket.called_at is not None) == (
        Status.CALLED,
        counter,
        True,
    )
    ticket = services.ticket_start(ticket=ticket, actor=teller)
    assert ticket.status == Status.SERVING and ticket.started_at
    ticket = services.ticket_finish(ticket=ticket, actor=teller)
    assert ticket.status == Status.DONE and ticket.finished_at
    log = list(ticket.events.values_list("action", "from_status", "to_status", "actor"))
    assert log == [
        ("issued", "", "waiting", None),
        ("called", "waiting", "called", teller.pk),
        ("started", "called", "serving", teller.pk),
        ("finished", "serving", "done", teller.pk),
    ]


def test_a_recall_announces_again_up_to_the_limit(called, teller):
    for expected in range(1, services.MAX_RECALLS + 1):
        called = services.ticket_recall(ticket=called, actor=teller)
        assert called.recall_count == expected
        assert called.status == Status.CALLED
    with pytest.raises(QueueError) as refused:
        services.ticket_recall(ticket=called, actor=teller)
    assert refused.value.code == "recall_limit_reached"
    assert called.events.filter(action=TicketEvent.Action.RECALLED).count() == services.MAX_RECALLS


def test_a_recall_keeps_the_moment_of_the_call_so_the_wait_stops_counting_there(
    cash, counter, teller
):
    issued = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    with time_machine.travel(issued, tick=False):
        factories.issue(cash)
    with time_machine.travel(issued + timedelta(minutes=4), tick=False):
        ticket = services.ticket_call_next(counter=counter, actor=teller)
    with time_machine.travel(issued + timedelta(minutes=9), tick=False):
        ticket = services.ticket_recall(ticket=ticket, actor=teller)
        (on_board,) = lobby_snapshot(cash.branch)["tickets"]
    assert ticket.called_at == issued + timedelta(minutes=4)
    assert on_board["waited_minutes"] == 4
    assert list(ticket.events.values_list("action", "at")) == [
        ("issued", issued),
        ("called", issued + timedelta(minutes=4)),
        ("recalled", issued + timedelta(minutes=9)),
    ]


def test_a_called_customer_who_does_not_come_is_marked_no_show(called, teller):
    ticket = services.ticket_mark_no_show(ticket=called, actor=teller)
    assert ticket.status == Status.NO_SHOW
    assert ticket.events.last().action == "no_show"


def test_the_holder_cancels_a_waiting_ticket(cash):
    (ticket,) = factories.issue(cash)
    ticket = services.ticket_cancel(ticket=ticket)
    assert ticket.status == Status.CANCELLED
    assert ticket.events.last().actor is None


def test_a_transfer_keeps_the_number_and_the_place_by_issue_time(cash, non_cash, counter, teller):
    nine = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    with time_machine.travel(nine - timedelta(minutes=10)):  # the same business day
        (early,) = factories.issue(cash)
    with time_machine.travel(nine):
        (later_b,) = factories.issue(non_cash)
    successor = services.ticket_transfer(ticket=early, to_service=non_cash, actor=teller)
    early.refresh_from_db()
    assert early.status == Status.TRANSFERRED
    assert (successor.number, successor.service, successor.status) == (
        "A001",
        non_cash,
        Status.WAITING,
    )
    assert successor.issued_at == early.issued_at
    assert successor.transferred_from == early
    # Issued ten minutes before B001, the transferred ticket is called first in the B queue.
    counter.services.set([non_cash])
    with time_machine.travel(nine + timedelta(minutes=1)):
        assert services.ticket_call_next(counter=counter, actor=teller) == successor
        services.ticket_mark_no_show(ticket=successor, actor=teller)
        assert services.ticket_call_next(counter=counter, actor=teller) == later_b


def test_a_called_ticket_can_be_transferred(called, non_cash, teller):
    successor = services.ticket_transfer(ticket=called, to_service=non_cash, actor=teller)
    called.refresh_from_db()
    assert called.status == Status.TRANSFERRED
    assert successor.status == Status.WAITING


def test_a_transfer_stays_within_the_branch(cash, teller, db):
    elsewhere = factories.make_service(factories.make_branch("ST-LH01"), "B")
    (ticket,) = factories.issue(cash)
    with pytest.raises(QueueError) as refused:
        services.ticket_transfer(ticket=ticket, to_service=elsewhere, actor=teller)
    assert refused.value.code == "service_not_in_branch"
    with pytest.raises(QueueError) as refused:
        services.ticket_transfer(ticket=ticket, to_service=cash, actor=teller)
    assert refused.value.code == "same_service"
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING


def test_finishing_feeds_the_live_handling_time(cash, counter, teller):
    start = timezone.now()
    (ticket,) = factories.issue(cash)
    ticket = services.ticket_call_next(counter=counter, actor=teller)
    with time_machine.travel(start, tick=False):
        ticket = services.ticket_start(ticket=ticket, actor=teller)
    with time_machine.travel(start + timedelta(minutes=8), tick=False):
        services.ticket_finish(ticket=ticket, actor=teller)
    cash.refresh_from_db()
    assert cash.handling_minutes == pytest.approx(8)


def test_the_live_handling_time_moves_gradually(cash, counter, teller):
    cash.live_handling_seconds = 300
    cash.save()
    start = timezone.now()
    factories.issue(cash)
    ticket = services.ticket_call_next(counter=counter, actor=teller)
    with time_machine.travel(start, tick=False):
        ticket = services.ticket_start(ticket=ticket, actor=teller)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        services.ticket_finish(ticket=ticket, actor=teller)
    cash.refresh_from_db()
    assert cash.live_handling_seconds == pytest.approx(300 * 0.8 + 600 * 0.2)


def test_a_ticket_forgotten_in_serving_counts_at_most_four_times_the_default(cash, counter, teller):
    start = timezone.now()
    factories.issue(cash)
    ticket = services.ticket_call_next(counter=counter, actor=teller)
    with time_machine.travel(start, tick=False):
        ticket = services.ticket_start(ticket=ticket, actor=teller)
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        services.ticket_finish(ticket=ticket, actor=teller)
    cash.refresh_from_db()
    assert cash.handling_minutes == pytest.approx(4 * cash.default_handling_minutes)


def test_a_done_ticket_is_rated_once(called, teller):
    ticket = services.ticket_finish(
        ticket=services.ticket_start(ticket=called, actor=teller), actor=teller
    )
    ticket = services.ticket_rate(ticket=ticket, stars=5, comment="  Quick and kind  ")
    assert (ticket.rating, ticket.rating_comment) == (5, "Quick and kind")
    with pytest.raises(QueueError) as refused:
        services.ticket_rate(ticket=ticket, stars=1)
    assert refused.value.code == "already_rated"
    ticket.refresh_from_db()
    assert ticket.rating == 5


def test_a_rating_comment_keeps_its_lines_and_loses_escapes_and_invisible_characters(
    called, teller
):
    ticket = services.ticket_finish(
        ticket=services.ticket_start(ticket=called, actor=teller), actor=teller
    )
    typed = "\x1b[2J\x1b]0;owned\x07Quick\u200b and\u202e kind\r\n\n\n\nThanks\x00"
    ticket = services.ticket_rate(ticket=ticket, stars=4, comment=typed)
    ticket.refresh_from_db()
    assert ticket.rating_comment == "Quick and kind\n\nThanks"


def test_only_a_served_ticket_can_be_rated(cash):
    (ticket,) = factories.issue(cash)
    with pytest.raises(QueueError) as refused:
        services.ticket_rate(ticket=ticket, stars=4)
    assert refused.value.code == "not_rateable"


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_a_rating_is_one_to_five_stars(called, teller, stars):
    ticket = services.ticket_finish(
        ticket=services.ticket_start(ticket=called, actor=teller), actor=teller
    )
    with pytest.raises(QueueError) as refused:
        services.ticket_rate(ticket=ticket, stars=stars)
    assert refused.value.code == "invalid_rating"


# Every action from every state it is not allowed in: refused, the ticket unchanged.
ACTIONS = {
    "recall": (lambda t, u: services.ticket_recall(ticket=t, actor=u), {Status.CALLED}),
    "start": (lambda t, u: services.ticket_start(ticket=t, actor=u), {Status.CALLED}),
    "finish": (lambda t, u: services.ticket_finish(ticket=t, actor=u), {Status.SERVING}),
    "no_show": (lambda t, u: services.ticket_mark_no_show(ticket=t, actor=u), {Status.CALLED}),
    "cancel": (lambda t, u: services.ticket_cancel(ticket=t, actor=u), {Status.WAITING}),
}
FORBIDDEN = [
    (action, status)
    for action, (_, allowed) in ACTIONS.items()
    for status in Status
    if status not in allowed
]


@pytest.mark.parametrize(("action", "status"), FORBIDDEN)
def test_an_action_the_state_forbids_is_refused_and_changes_nothing(cash, teller, action, status):
    (ticket,) = factories.issue(cash)
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    perform, _ = ACTIONS[action]
    with pytest.raises(InvalidTransition) as refused:
        perform(ticket, teller)
    assert refused.value.code == "invalid_transition"
    assert refused.value.status == 409
    ticket.refresh_from_db()
    assert ticket.status == status
    assert ticket.events.count() == 1


@pytest.mark.parametrize("status", [s for s in Status if s not in (Status.WAITING, Status.CALLED)])
def test_only_waiting_or_called_tickets_are_transferred(cash, non_cash, teller, status):
    (ticket,) = factories.issue(cash)
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.ticket_transfer(ticket=ticket, to_service=non_cash, actor=teller)
    assert Ticket.objects.count() == 1


def test_a_stale_copy_cannot_act_twice(called, teller):
    stale = Ticket.objects.get(pk=called.pk)
    services.ticket_start(ticket=called, actor=teller)
    with pytest.raises(InvalidTransition) as refused:
        services.ticket_start(ticket=stale, actor=teller)
    assert refused.value.extra == {"status_now": "serving"}


def test_a_closed_counter_calls_nobody(cash, counter, teller):
    factories.issue(cash)
    counter.is_open = False
    counter.save()
    with pytest.raises(QueueError) as refused:
        services.ticket_call_next(counter=counter, actor=teller)
    assert refused.value.code == "counter_closed"
    assert Ticket.objects.get().status == Status.WAITING


def test_calling_with_nobody_waiting_returns_nothing(counter, teller):
    assert services.ticket_call_next(counter=counter, actor=teller) is None
