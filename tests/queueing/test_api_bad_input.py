"""Bad input of every field gets a clear 4xx with a stable code, and nothing is written."""

import pytest

from queueing.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "branch"),
        ({"service": "A"}, "branch"),
        ({"branch": "GZ-TH01"}, "service"),
        ({"branch": "GZ-TH01", "service": "a"}, "service"),
        ({"branch": "GZ-TH01", "service": "AB"}, "service"),
        ({"branch": "GZ-TH01", "service": 7}, "service"),
        ({"branch": "GZ-TH01", "service": None}, "service"),
        ({"branch": ["GZ-TH01"], "service": "A"}, "branch"),
        ({"branch": {"code": "GZ-TH01"}, "service": "A"}, "branch"),
        ({"branch": "GZ-TH01", "service": "A" * 10_000}, "service"),
    ],
)
def test_a_bad_ticket_request_names_the_field(api, cash, body, field):
    response = api.post("/api/tickets/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_a_body_that_is_not_json_is_400(api, cash):
    response = api.post("/api/tickets/", "{not json", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_a_json_array_body_is_400(api, cash):
    response = api.post("/api/tickets/", [1, 2], format="json")
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_an_unsupported_media_type_is_415(api, cash):
    response = api.post("/api/tickets/", "branch=GZ-TH01", content_type="text/plain")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_a_form_encoded_request_works_too(api, cash):
    response = api.post("/api/tickets/", {"branch": "GZ-TH01", "service": "A"})
    assert response.status_code == 201


def test_an_inactive_branch_is_not_offered(api, cash, branch):
    branch.is_active = False
    branch.save()
    response = api.post("/api/tickets/", {"branch": "GZ-TH01", "service": "A"}, format="json")
    assert (response.status_code, response.json()["code"]) == (422, "unknown_branch")


def test_a_wrong_method_is_405(api, cash):
    response = api.delete("/api/tickets/")
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


@pytest.mark.parametrize(
    "body",
    [{}, {"stars": 0}, {"stars": 6}, {"stars": "five"}, {"stars": 3, "comment": "x" * 501}],
)
def test_a_bad_rating_is_400_and_stores_nothing(api, cash, counter, teller, body):
    from queueing import services

    factories.issue(cash)
    ticket = services.ticket_call_next(counter=counter, actor=teller)
    ticket = services.ticket_finish(
        ticket=services.ticket_start(ticket=ticket, actor=teller), actor=teller
    )
    response = api.post(f"/api/tickets/{ticket.token}/rating/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    ticket.refresh_from_db()
    assert ticket.rating is None


@pytest.mark.parametrize("body", [{}, {"service": ""}, {"service": "b"}, {"service": ["B"]}])
def test_a_bad_transfer_is_400(teller_api, cash, non_cash, body):
    (ticket,) = factories.issue(cash)
    response = teller_api.post(f"/api/tickets/{ticket.token}/transfer/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


@pytest.mark.parametrize("near", ["", "23.1", "a,b", "23.1,113.3,1", "91,0", "0,181", "nan,0"])
def test_a_bad_near_is_400(api, branch, near):
    response = api.get("/api/branches/", {"near": near})
    if near == "":
        assert response.status_code == 200
        return
    assert (response.status_code, response.json()["code"]) == (400, "invalid_near")


def test_an_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
