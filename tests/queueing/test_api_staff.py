"""The teller's side of the API, and who may use it."""

import pytest
from rest_framework.test import APIClient

from queueing.models import StaffMembership, Ticket
from tests import factories

pytestmark = pytest.mark.django_db
CALL_NEXT = "/api/branches/GZ-TH01/counters/1/call-next/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_teller_calls_starts_and_finishes_through_the_api(teller_api, cash, counter):
    factories.issue(cash)
    called = teller_api.post(CALL_NEXT)
    assert called.status_code == 200
    token = called.json()["token"]
    assert (called.json()["number"], called.json()["status"], called.json()["counter"]) == (
        "A001",
        "called",
        1,
    )
    assert teller_api.post(f"/api/tickets/{token}/recall/").json()["recall_count"] == 1
    assert teller_api.post(f"/api/tickets/{token}/start/").json()["status"] == "serving"
    finished = teller_api.post(f"/api/tickets/{token}/finish/").json()
    assert finished["status"] == "done"
    assert [e["action"] for e in finished["events"]] == [
        "issued",
        "called",
        "recalled",
        "started",
        "finished",
    ]


def test_call_next_with_nobody_waiting_is_204(teller_api, counter):
    response = teller_api.post(CALL_NEXT)
    assert response.status_code == 204
    assert response.content == b""


def test_a_teller_marks_a_no_show(teller_api, cash, counter):
    factories.issue(cash)
    token = teller_api.post(CALL_NEXT).json()["token"]
    assert teller_api.post(f"/api/tickets/{token}/no-show/").json()["status"] == "no_show"


def test_a_teller_transfers_to_another_queue(teller_api, cash, non_cash, counter):
    (ticket,) = factories.issue(cash)
    response = teller_api.post(
        f"/api/tickets/{ticket.token}/transfer/", {"service": "B"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["number"], response.json()["service"]["prefix"]) == ("A001", "B")
    ticket.refresh_from_db()
    assert ticket.status == "transferred"


def test_a_transfer_to_a_queue_the_branch_lacks_is_422(teller_api, cash, counter):
    (ticket,) = factories.issue(cash)
    response = teller_api.post(
        f"/api/tickets/{ticket.token}/transfer/", {"service": "Z"}, format="json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "unknown_service",
        "detail": "This branch has no such service.",
    }
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


def test_an_action_the_state_forbids_is_409_with_a_stable_code(teller_api, cash, counter):
    (ticket,) = factories.issue(cash)
    response = teller_api.post(f"/api/tickets/{ticket.token}/finish/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_a_closed_counter_cannot_call(teller_api, cash, counter):
    counter.is_open = False
    counter.save()
    factories.issue(cash)
    response = teller_api.post(CALL_NEXT)
    assert (response.status_code, response.json()["code"]) == (409, "counter_closed")


def test_an_unknown_counter_is_404(teller_api, counter):
    response = teller_api.post("/api/branches/GZ-TH01/counters/9/call-next/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


STAFF_ACTIONS = ["recall", "start", "finish", "no-show"]


def test_anonymous_callers_are_asked_to_log_in(api, cash, counter):
    (ticket,) = factories.issue(cash)
    response = api.post(CALL_NEXT)
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    for action in STAFF_ACTIONS:
        response = api.post(f"/api/tickets/{ticket.token}/{action}/")
        assert response.status_code == 401
    response = api.post(f"/api/tickets/{ticket.token}/transfer/", {"service": "B"}, format="json")
    assert response.status_code == 401
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


@pytest.mark.parametrize("role", ["teller", "lobby_manager"])
def test_staff_of_another_branch_are_forbidden(cash, counter, role):
    outsider = factories.make_staff(factories.make_branch("ST-LH01"), role=role)
    (ticket,) = factories.issue(cash)
    client = client_for(outsider)
    response = client.post(CALL_NEXT)
    assert (response.status_code, response.json()["code"]) == (403, "not_branch_staff")
    for action in STAFF_ACTIONS:
        assert client.post(f"/api/tickets/{ticket.token}/{action}/").status_code == 403
    ticket.refresh_from_db()
    assert (ticket.status, ticket.events.count()) == ("waiting", 1)


def test_a_logged_in_customer_without_membership_is_forbidden(cash, counter):
    factories.issue(cash)
    response = client_for(factories.make_user()).post(CALL_NEXT)
    assert response.status_code == 403
    assert Ticket.objects.get().status == "waiting"


def test_head_office_acts_on_any_branch(cash, counter):
    factories.issue(cash)
    response = client_for(factories.make_head_office()).post(CALL_NEXT)
    assert response.status_code == 200


def test_a_lobby_manager_of_the_branch_may_call(branch, cash, counter):
    factories.issue(cash)
    manager = factories.make_staff(branch, role=StaffMembership.Role.LOBBY_MANAGER)
    assert client_for(manager).post(CALL_NEXT).status_code == 200


def test_a_deactivated_staff_account_is_refused(teller, cash, counter):
    factories.issue(cash)
    teller.is_active = False
    teller.save()
    assert client_for(teller).post(CALL_NEXT).status_code == 403


def test_staff_get_a_token_and_use_it(api, teller, cash, counter):
    response = api.post(
        "/api/auth/token/", {"username": teller.username, "password": "pw-for-tests-only"}
    )
    assert response.status_code == 200
    factories.issue(cash)
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.post(CALL_NEXT).status_code == 200


def test_a_wrong_password_gets_no_token(api, teller):
    response = api.post("/api/auth/token/", {"username": teller.username, "password": "guess"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_a_customer_account_gets_no_token(api):
    user = factories.make_user()
    response = api.post(
        "/api/auth/token/", {"username": user.username, "password": "pw-for-tests-only"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_staff")


def test_a_session_login_needs_the_csrf_token(teller, cash, counter):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(teller)
    factories.issue(cash)
    response = client.post(CALL_NEXT)
    assert response.status_code == 403
    assert Ticket.objects.get().status == "waiting"


def test_calling_the_next_customer_stays_a_handful_of_queries(
    teller_api, teller, cash, counter, django_assert_max_num_queries
):
    """Every call waits on this request before the screens hear of it."""
    counter.teller = teller  # seated at the counter, as for every call after their first
    counter.save()
    factories.issue(cash, 20)
    # counter, permission, its services; the locking select, the change, its event, its entry
    # in the audit trail, the reload, the lobby version; the answer's branch, service and
    # history; four savepoints of the test's transaction.
    with django_assert_max_num_queries(17):
        assert teller_api.post(CALL_NEXT).status_code == 200
