"""The customer's side of the API: take a ticket, follow it, cancel it, rate it."""

import pytest
from django.db import connection

from kiosks.services import kiosk_register
from queueing import services
from queueing.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


def take(api, branch="GZ-TH01", service="A", *, kiosk_key=None):
    extra = {"HTTP_AUTHORIZATION": f"Kiosk {kiosk_key}"} if kiosk_key else {}
    return api.post("/api/tickets/", {"branch": branch, "service": service}, format="json", **extra)


def test_anyone_takes_a_remote_ticket_and_learns_number_position_and_wait(api, cash, counter):
    factories.issue(cash, 2)
    response = take(api)
    assert response.status_code == 201
    body = response.json()
    assert {
        k: body[k] for k in ("number", "status", "channel", "position", "estimated_wait_minutes")
    } == {
        "number": "A003",
        "status": "waiting",
        "channel": "remote",
        "position": 3,
        "estimated_wait_minutes": 10,
    }
    assert Ticket.objects.get(token=body["token"]).number == "A003"


def test_taking_a_ticket_stays_a_handful_of_queries_however_long_the_queue(
    api, cash, counter, django_assert_max_num_queries
):
    """The busiest write of the product: one statement that counts the client address against
    the remote-ticket limit, the issue itself (one statement on PostgreSQL; on SQLite four, in a
    savepoint), and for position and estimate the branch's services and one statement on
    PostgreSQL (`selectors.forecast._ONE_BRANCH`), three queries elsewhere. Branch, service and
    opening hours were looked up by the tickets before."""
    factories.issue(cash, 30)
    take(api)
    issue_statements = 1 if connection.vendor == "postgresql" else 4 + 2
    progress = 2 if connection.vendor == "postgresql" else 3
    with django_assert_max_num_queries(1 + issue_statements + progress):
        assert take(api).status_code == 201


def test_a_kiosk_takes_tickets_for_its_own_branch_only(api, branch, cash):
    _, key = kiosk_register(branch=branch, name="Lobby 1")
    response = take(api, kiosk_key=key)
    assert response.status_code == 201
    assert response.json()["channel"] == "kiosk"

    other = factories.make_branch("ST-JP02")
    factories.make_service(other, "A")
    response = take(api, branch="ST-JP02", kiosk_key=key)
    assert response.status_code == 403
    assert response.json()["code"] == "kiosk_wrong_branch"
    assert Ticket.objects.count() == 1


def test_an_unknown_kiosk_key_is_refused(api, cash):
    response = take(api, kiosk_key="k_not-a-real-key")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not Ticket.objects.exists()


def test_the_holder_follows_a_ticket_by_its_token(api, cash, counter, teller):
    token = take(api).json()["token"]
    services.ticket_call_next(counter=counter, actor=teller)
    body = api.get(f"/api/tickets/{token}/").json()
    assert (body["status"], body["counter"], body["position"]) == ("called", 1, None)


def test_a_ticket_cannot_be_found_by_its_id_or_a_guess(api, cash):
    ticket = factories.issue(cash)[0]
    for guess in [str(ticket.pk), ticket.number, "A001", ticket.token[:-1]]:
        response = api.get(f"/api/tickets/{guess}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_holder_cancels_while_waiting_but_not_once_called(api, cash, counter, teller):
    first, second = (take(api).json()["token"] for _ in range(2))
    response = api.post(f"/api/tickets/{second}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    services.ticket_call_next(counter=counter, actor=teller)
    response = api.post(f"/api/tickets/{first}/cancel/")
    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_transition",
        "detail": "Ticket A001 is called; it cannot be cancelled.",
        "status_now": "called",
    }


def test_the_holder_rates_a_finished_ticket_once(api, cash, counter, teller):
    token = take(api).json()["token"]
    ticket = services.ticket_call_next(counter=counter, actor=teller)
    services.ticket_finish(ticket=services.ticket_start(ticket=ticket, actor=teller), actor=teller)
    response = api.post(
        f"/api/tickets/{token}/rating/", {"stars": 4, "comment": "Fast"}, format="json"
    )
    assert (response.status_code, response.json()["rating"], response.json()["rating_comment"]) == (
        200,
        4,
        "Fast",
    )
    again = api.post(f"/api/tickets/{token}/rating/", {"stars": 1}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    assert Ticket.objects.get(token=token).rating == 4


def test_a_rating_retried_after_a_lost_answer_gets_the_first_answer(api, cash, counter, teller):
    token = take(api).json()["token"]
    ticket = services.ticket_call_next(counter=counter, actor=teller)
    services.ticket_finish(ticket=services.ticket_start(ticket=ticket, actor=teller), actor=teller)
    rate = {"stars": 5, "comment": "Kind"}
    key = {"Idempotency-Key": "rating-retry-1"}
    first = api.post(f"/api/tickets/{token}/rating/", rate, format="json", headers=key)
    retry = api.post(f"/api/tickets/{token}/rating/", rate, format="json", headers=key)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json()["rating"] == 5
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_a_transferred_ticket_points_to_its_successor(api, cash, non_cash, teller):
    token = take(api).json()["token"]
    successor = services.ticket_transfer(
        ticket=Ticket.objects.get(token=token), to_service=non_cash, actor=teller
    )
    body = api.get(f"/api/tickets/{token}/").json()
    assert (body["status"], body["transferred_to"]) == ("transferred", successor.token)
    assert api.get(f"/api/tickets/{successor.token}/").json()["service"]["prefix"] == "B"


def test_a_closed_branch_refuses_with_a_clear_code(api, db):
    branch = factories.make_branch("FS-CC01", hours=None)
    factories.make_service(branch, "A")
    response = take(api, branch="FS-CC01")
    assert (response.status_code, response.json()["code"]) == (409, "branch_closed")


def test_a_ticket_answer_has_exactly_the_documented_fields_and_values(
    cash, non_cash, counter, teller
):
    """The ticket serializers build their answer by hand for speed; it must equal what DRF makes
    of the declared (and documented) fields, in every state."""
    from rest_framework import serializers as drf

    from queueing.serializers import StaffTicketSerializer, TicketSerializer

    served, moved, _ = factories.issue(cash, 3)
    served = services.ticket_call_next(counter=counter, actor=teller)
    services.ticket_recall(ticket=served, actor=teller)
    services.ticket_start(ticket=served, actor=teller)
    services.ticket_finish(ticket=served, actor=teller)
    services.ticket_rate(ticket=served, stars=5, comment="快")
    services.ticket_transfer(ticket=moved, to_service=non_cash, actor=teller)
    tickets = Ticket.objects.select_related("branch", "service", "counter")
    assert {t.status for t in tickets} == {"done", "transferred", "waiting"}
    for ticket in tickets:
        for serializer in (TicketSerializer(ticket), StaffTicketSerializer(ticket)):
            assert serializer.data == drf.Serializer.to_representation(serializer, ticket)
