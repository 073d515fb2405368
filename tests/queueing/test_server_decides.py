"""Rules the pages show but never work out themselves: the server sends the verdict."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from queueing import services
from queueing.lobby import lobby_snapshot
from tests import factories


def morning():
    """Nine this morning: a test that moves the clock on by hours stays in one business day."""
    return timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)


def test_a_waiting_ticket_is_over_time_once_it_has_waited_past_the_threshold(cash):
    """The board shows `over_time` and, between changes, counts a ticket over time from
    `over_time_at` on."""
    with time_machine.travel(morning(), tick=False):
        factories.issue(cash, 1)
        over_at = timezone.now() + timedelta(minutes=cash.overtime_threshold_minutes)
    with time_machine.travel(over_at, tick=False):
        (entry,) = lobby_snapshot(cash.branch)["tickets"]
        assert (entry["over_time"], entry["over_time_at"]) == (False, over_at.isoformat())
    with time_machine.travel(over_at + timedelta(seconds=1), tick=False):
        snapshot = lobby_snapshot(cash.branch)
        assert snapshot["tickets"][0]["over_time"] is True
        assert snapshot["queues"][0]["over_time"] == 1


def test_a_called_ticket_is_never_over_time(cash, counter, teller):
    nine = morning()
    with time_machine.travel(nine, tick=False):
        factories.issue(cash, 1)
        services.ticket_call_next(counter=counter, actor=teller)
    with time_machine.travel(nine + timedelta(hours=2), tick=False):
        (entry,) = lobby_snapshot(cash.branch)["tickets"]
    assert (entry["status"], entry["over_time"], entry["over_time_at"]) == ("called", False, None)


def test_the_branch_list_says_when_a_newcomer_would_wait_over_the_threshold(api, cash, counter):
    def over_threshold() -> bool:
        (branch,) = api.get("/api/branches/").json()
        return branch["services"][0]["over_threshold"]

    assert over_threshold() is False
    # Five minutes a ticket at one open counter: seven tickets are 35 minutes, over 30.
    factories.issue(cash, 7)
    assert over_threshold() is True


def test_a_ticket_may_be_rated_once_served_and_only_once(api, cash, counter, teller):
    (ticket,) = factories.issue(cash, 1)

    def can_rate() -> bool:
        return api.get(f"/api/tickets/{ticket.token}/").json()["can_rate"]

    assert can_rate() is False
    services.ticket_call_next(counter=counter, actor=teller)
    services.ticket_start(ticket=ticket, actor=teller)
    services.ticket_finish(ticket=ticket, actor=teller)
    assert can_rate() is True
    ticket.refresh_from_db()
    services.ticket_rate(ticket=ticket, stars=4)
    assert can_rate() is False


def test_staff_are_offered_only_the_actions_a_ticket_allows_now(cash, counter, teller):
    (ticket,) = factories.issue(cash, 1)

    def actions() -> list[str]:
        return lobby_snapshot(cash.branch)["tickets"][0]["actions"]

    assert actions() == ["cancel", "transfer"]
    services.ticket_call_next(counter=counter, actor=teller)
    assert actions() == ["recall", "start", "no_show", "transfer"]
    for _ in range(services.MAX_RECALLS):
        ticket.refresh_from_db()
        services.ticket_recall(ticket=ticket, actor=teller)
    assert actions() == ["start", "no_show", "transfer"]
    ticket.refresh_from_db()
    services.ticket_start(ticket=ticket, actor=teller)
    assert actions() == ["finish"]


def test_the_holder_may_cancel_a_ticket_only_while_it_waits(api, cash, counter, teller):
    (ticket,) = factories.issue(cash, 1)
    assert api.get(f"/api/tickets/{ticket.token}/").json()["can_cancel"] is True
    services.ticket_call_next(counter=counter, actor=teller)
    assert api.get(f"/api/tickets/{ticket.token}/").json()["can_cancel"] is False
