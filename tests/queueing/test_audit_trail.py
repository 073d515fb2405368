"""What head office reads in the audit trail once staff have acted on tickets: who, when, from
which address, and the ticket's state before and after. Customers acting on their own tickets
leave no entry there (the ticket's own history has them)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from branchsite.infra.models import AuditEntry
from queueing import services
from queueing.models import StaffMembership, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COUNTER_1 = "/api/branches/GZ-TH01/counters/1"


@pytest.fixture(autouse=True)
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


def trail() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def who_where_when(entry: AuditEntry) -> tuple:
    return (entry.actor, entry.actor_name, entry.device, entry.address, entry.branch, entry.at)


def changes(action: str) -> list[tuple]:
    return [(e.before, e.after) for e in AuditEntry.objects.filter(action=action).order_by("pk")]


def test_a_teller_calling_a_ticket_leaves_who_when_and_from_where_in_the_trail(
    teller_api, teller, cash, counter
):
    (ticket,) = factories.issue(cash)
    assert teller_api.post(f"{COUNTER_1}/call-next/").status_code == 200

    called = AuditEntry.objects.get()
    assert called.action == "ticket.called"
    assert who_where_when(called) == (teller, teller.username, "", "127.0.0.1", "GZ-TH01", NOON)
    assert (called.subject_type.model_class(), called.subject_id) == (Ticket, str(ticket.pk))
    assert (called.before, called.after) == (
        {"status": "waiting", "counter": None},
        {"status": "called", "counter": counter.pk},
    )


def test_each_step_a_teller_takes_with_a_ticket_is_a_line_of_the_trail(
    teller_api, teller, cash, counter
):
    (ticket,) = factories.issue(cash)
    teller_api.post(f"{COUNTER_1}/call-next/")
    for step in ("recall", "start", "finish"):
        assert teller_api.post(f"/api/tickets/{ticket.token}/{step}/").status_code == 200

    assert trail() == ["ticket.called", "ticket.recalled", "ticket.started", "ticket.finished"]
    assert {who_where_when(entry) for entry in AuditEntry.objects.all()} == {
        (teller, teller.username, "", "127.0.0.1", "GZ-TH01", NOON)
    }
    at_counter = {"counter": counter.pk}
    assert [(e.before, e.after) for e in AuditEntry.objects.order_by("pk")][1:] == [
        ({"status": "called", **at_counter}, {"status": "called", **at_counter}),
        ({"status": "called", **at_counter}, {"status": "serving", **at_counter}),
        ({"status": "serving", **at_counter}, {"status": "done", **at_counter}),
    ]


def test_a_teller_marking_a_no_show_is_in_the_trail(teller_api, teller, cash, counter):
    (ticket,) = factories.issue(cash)
    services.ticket_call_next(counter=counter, actor=None)
    assert teller_api.post(f"/api/tickets/{ticket.token}/no-show/").status_code == 200

    no_show = AuditEntry.objects.get()
    assert no_show.action == "ticket.no_show"
    assert who_where_when(no_show) == (teller, teller.username, "", "127.0.0.1", "GZ-TH01", NOON)
    assert (no_show.before, no_show.after) == (
        {"status": "called", "counter": counter.pk},
        {"status": "no_show", "counter": counter.pk},
    )


def test_a_lobby_manager_moving_a_ticket_to_another_queue_leaves_both_queues_in_the_trail(
    branch, cash, non_cash
):
    manager = factories.make_staff(branch, role=StaffMembership.Role.LOBBY_MANAGER)
    client = APIClient()
    client.force_authenticate(manager)
    (ticket,) = factories.issue(cash)
    response = client.post(f"/api/tickets/{ticket.token}/transfer/", {"service": "B"})
    assert response.status_code == 200

    moved = AuditEntry.objects.get()
    assert moved.action == "ticket.transferred"
    assert who_where_when(moved) == (manager, manager.username, "", "127.0.0.1", "GZ-TH01", NOON)
    assert moved.subject_id == str(ticket.pk)
    assert (moved.before, moved.after) == (
        {"status": "waiting", "service": cash.pk},
        {"status": "transferred", "service": non_cash.pk},
    )


def test_staff_cancelling_a_ticket_is_in_the_trail_and_a_customer_cancelling_theirs_is_not(
    api, branch, cash
):
    mine, theirs = factories.issue(cash, 2)
    assert api.post(f"/api/tickets/{mine.token}/cancel/").status_code == 200
    assert trail() == []

    manager = factories.make_staff(branch, role=StaffMembership.Role.LOBBY_MANAGER)
    api.force_authenticate(manager)
    assert api.post(f"/api/tickets/{theirs.token}/cancel/").status_code == 200
    cancelled = AuditEntry.objects.get()
    assert cancelled.action == "ticket.cancelled"
    assert who_where_when(cancelled) == (
        manager,
        manager.username,
        "",
        "127.0.0.1",
        "GZ-TH01",
        NOON,
    )
    assert (cancelled.before, cancelled.after) == ({"status": "waiting"}, {"status": "cancelled"})


def test_cancelling_a_finished_ticket_is_refused_and_leaves_nothing_in_the_trail(
    teller_api, teller, cash, counter
):
    (ticket,) = factories.issue(cash)
    teller_api.post(f"{COUNTER_1}/call-next/")
    for step in ("start", "finish"):
        teller_api.post(f"/api/tickets/{ticket.token}/{step}/")

    refused = teller_api.post(f"/api/tickets/{ticket.token}/cancel/")
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")
    assert trail() == ["ticket.called", "ticket.started", "ticket.finished"]


def test_customers_taking_tickets_and_the_system_expiring_them_leave_no_entry(
    api, teller_api, cash, counter
):
    taken = api.post("/api/tickets/", {"branch": "GZ-TH01", "service": "A"}, format="json")
    assert taken.status_code == 201
    factories.issue(cash, 2, channel=Ticket.Channel.KIOSK, actor=None)
    assert teller_api.post(f"{COUNTER_1}/call-next/").status_code == 200
    assert services.tickets_expire_after_closing(now=NOON.replace(year=2027)) == 3
    assert trail() == ["ticket.called"]
