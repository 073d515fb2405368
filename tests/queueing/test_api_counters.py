"""Opening and closing counters, the lobby snapshot and a ticket's history, through the API."""

import pytest

from queueing import services
from queueing.models import Counter, StaffMembership
from tests import factories

pytestmark = pytest.mark.django_db
COUNTER_1 = "/api/branches/GZ-TH01/counters/1"


def test_a_teller_who_opens_a_counter_takes_it(teller_api, teller, counter):
    services.counter_close(counter=counter, actor=None)
    opened = teller_api.post(f"{COUNTER_1}/open/")
    assert opened.status_code == 200
    assert opened.json() == {
        "number": 1,
        "is_open": True,
        "teller": teller.get_username(),
        "services": ["A", "B"],
    }


def test_a_teller_opening_a_second_counter_leaves_the_first(teller_api, teller, counter, cash):
    teller_api.post(f"{COUNTER_1}/close/")
    teller_api.post(f"{COUNTER_1}/open/")
    factories.make_counter(counter.branch, 2, [cash], is_open=False)
    teller_api.post("/api/branches/GZ-TH01/counters/2/open/")
    assert list(Counter.objects.filter(teller=teller).values_list("number", flat=True)) == [2]


def test_a_counter_with_a_customer_at_it_does_not_close(teller_api, teller, cash, counter):
    factories.issue(cash)
    services.ticket_call_next(counter=counter, actor=teller)
    refused = teller_api.post(f"{COUNTER_1}/close/")
    assert (refused.status_code, refused.json()["code"]) == (409, "counter_busy")
    counter.refresh_from_db()
    assert counter.is_open


def test_opening_an_open_counter_is_a_conflict_not_a_crash(teller_api, counter):
    refused = teller_api.post(f"{COUNTER_1}/open/")
    assert (refused.status_code, refused.json()["code"]) == (409, "counter_already_open")


def test_a_closed_counter_calls_nobody(teller_api, cash, counter):
    factories.issue(cash)
    teller_api.post(f"{COUNTER_1}/close/")
    refused = teller_api.post(f"{COUNTER_1}/call-next/")
    assert (refused.status_code, refused.json()["code"]) == (409, "counter_closed")


def test_staff_of_another_branch_cannot_open_or_see_the_lobby(api, counter):
    stranger = factories.make_staff(factories.make_branch("FS-CC01"), role="lobby_manager")
    api.force_authenticate(stranger)
    assert api.post(f"{COUNTER_1}/close/").status_code == 403
    assert api.get("/api/branches/GZ-TH01/lobby/").status_code == 403
    api.force_authenticate(None)
    assert api.get("/api/branches/GZ-TH01/lobby/").status_code in (401, 403)


def test_the_lobby_manager_reads_the_lobby_as_the_board_shows_it(api, cash, counter):
    manager = factories.make_staff(counter.branch, role=StaffMembership.Role.LOBBY_MANAGER)
    factories.issue(cash, 2)
    api.force_authenticate(manager)
    lobby = api.get("/api/branches/GZ-TH01/lobby/").json()
    assert lobby["type"] == "snapshot"
    assert [t["number"] for t in lobby["tickets"]] == ["A001", "A002"]
    assert [(c["number"], c["is_open"]) for c in lobby["counters"]] == [(1, True)]


def test_staff_read_a_tickets_history_and_its_holder_does_not(api, teller_api, cash, counter):
    (ticket,) = factories.issue(cash)
    teller_api.post(f"{COUNTER_1}/call-next/")
    history = teller_api.get(f"/api/tickets/{ticket.token}/history/").json()
    assert [event["action"] for event in history["events"]] == ["issued", "called"]
    assert api.get(f"/api/tickets/{ticket.token}/history/").status_code in (401, 403)


def test_a_teller_who_calls_at_a_counter_sits_there_and_leaves_their_other_one(
    teller_api, teller, cash, counter
):
    Counter.objects.filter(pk=counter.pk).update(teller=None)
    other = factories.make_counter(counter.branch, 2, [cash], teller=teller)
    factories.issue(cash)
    assert teller_api.post(f"{COUNTER_1}/call-next/").status_code == 200
    counter.refresh_from_db()
    other.refresh_from_db()
    assert (counter.teller, other.teller) == (teller, None)


def test_a_lobby_manager_calling_at_a_counter_does_not_take_it(api, cash, counter, teller):
    counter.teller = teller
    counter.save()
    manager = factories.make_staff(counter.branch, role=StaffMembership.Role.LOBBY_MANAGER)
    api.force_authenticate(manager)
    factories.issue(cash)
    assert api.post(f"{COUNTER_1}/call-next/").status_code == 200
    counter.refresh_from_db()
    assert counter.teller == teller
