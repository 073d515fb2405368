"""The OpenAPI schema at /api/schema/ says what the API does: each value the schema allows is
accepted, each value it refuses is refused, each answer matches it, each status is listed.

Values are judged by jsonschema-rs, the validator Schemathesis uses, with formats checked.
"""

import jsonschema_rs
import pytest
from rest_framework.test import APIClient

from kiosks.services import kiosk_register
from queueing.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api) -> dict:
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def parameter(schema: dict, path: str, method: str, name: str) -> dict:
    (found,) = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    return found["schema"]


def allows(rule: dict, value) -> bool:
    if value is None and rule.get("nullable"):  # OpenAPI 3.0's word, unknown to JSON Schema
        return True
    return jsonschema_rs.validator_for(rule, validate_formats=True).is_valid(value)


def test_opening_hours_are_documented_as_the_hh_mm_they_are(api, schema, branch):
    hours = api.get("/api/branches/GZ-TH01/").json()["opening_hours"]
    opening = component(schema, "OpeningHours")
    assert (hours[0]["opens"], hours[0]["closes"]) == ("00:00", "23:59")
    for day in hours:
        assert allows(opening, day), day
    assert not allows(opening["properties"]["opens"], "24:00")
    assert not allows(opening["properties"]["opens"], "09:00:00")


IDEMPOTENCY_KEYS = [
    "2f1c7a9e-4b0d-4e8a-9d61-3f5c2b7e8a10",
    "k",
    "x" * 255,
    " padded\t",
    "",
    "   ",
    "x" * 256,
    "two words",
    "ключ",
    "caf\xe9",
]


@pytest.mark.parametrize("key", IDEMPOTENCY_KEYS)
def test_the_schema_says_which_idempotency_keys_are_taken(api, schema, cash, key):
    rule = parameter(schema, "/api/tickets/", "post", "Idempotency-Key")
    response = api.post(
        "/api/tickets/",
        {"branch": "GZ-TH01", "service": "A"},
        format="json",
        headers={"Idempotency-Key": key},
    )
    assert response.status_code in (201, 400), response.json()
    assert (response.status_code == 201) == allows(rule, key), response.json()
    if response.status_code == 400:
        assert response.json()["code"] == "invalid_idempotency_key"


PHONES = [
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "(138) 1234.5678",
    "+86 138 1234 5678",
    "0086 13812345678",
    "+44 20 7946 0958",
    "0044 20 7946 0958",
    "+1 (415) 555-0100",
    "+8 1 3 1234 5678",
    "12812345678",
    "1381234567",
    "138123456789",
    "+86 12345",
    "+86123456789",
    "+0 1234 5678",
    "+1234567",
    "+1234567890123456",
    "call me",
    "13812345678\n",
    "\t13812345678",
    "138\u30001234\u30005678",
    "+86+8613812345678",
]


@pytest.mark.parametrize("phone", PHONES)
def test_the_schema_says_which_phone_numbers_are_taken(api, schema, cash, phone):
    rule = component(schema, "AppointmentCreateRequest")["properties"]["phone"]
    response = api.post(
        "/api/tickets/", {"branch": "GZ-TH01", "service": "A", "phone": phone}, format="json"
    )
    assert response.status_code in (201, 400), response.json()
    assert (response.status_code == 201) == allows(rule, phone), response.json()
    if response.status_code == 400:
        assert response.json()["code"] in ("invalid_phone", "invalid")


def test_a_kiosk_ticket_with_a_malformed_phone_is_refused_as_a_remote_one_is(cash, branch):
    _kiosk, key = kiosk_register(branch=branch, name="Lobby")
    kiosk = APIClient(HTTP_AUTHORIZATION=f"Kiosk {key}")
    body = {"branch": "GZ-TH01", "service": "A", "phone": "0"}
    response = kiosk.post("/api/tickets/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_phone")
    assert not Ticket.objects.exists()


def test_a_remote_ticket_needs_no_phone_and_the_schema_says_so(api, schema, cash):
    rule = component(schema, "TicketCreateRequest")["properties"]["phone"]
    assert allows(rule, "")
    response = api.post(
        "/api/tickets/", {"branch": "GZ-TH01", "service": "A", "phone": ""}, format="json"
    )
    assert response.status_code == 201


NEAR = [
    "23.135,113.320",
    "-33.868,151.209",
    "90,180",
    "-90,-180",
    "0,0",
    "",
    "90.1,0",
    "0,180.5",
    "91,0",
    "23.1",
    "23.1,113.3,1",
    "a,b",
    "nan,0",
    "inf,0",
    "1e1,5",
    " 23.1,113.3",
    "+23.1,113.3",
    "23.,113",
    "1_0,5",
]


@pytest.mark.parametrize("near", NEAR)
def test_the_schema_says_which_near_points_are_taken(api, schema, branch, near):
    rule = parameter(schema, "/api/branches/", "get", "near")
    response = api.get("/api/branches/", {"near": near})
    assert response.status_code in (200, 400)
    assert (response.status_code == 200) == allows(rule, near), response.json()
    if response.status_code == 400:
        assert response.json()["code"] == "invalid_near"


@pytest.mark.parametrize("prefix", [" A", "A ", "A\n", "a", "AB", ""])
def test_a_prefix_is_one_capital_letter_exactly_as_the_schema_says(api, schema, cash, prefix):
    rule = component(schema, "TicketCreateRequest")["properties"]["service"]
    assert not allows(rule, prefix)
    response = api.post("/api/tickets/", {"branch": "GZ-TH01", "service": prefix}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert not Ticket.objects.exists()


def test_a_transfer_to_a_service_the_branch_lacks_is_a_documented_422_not_a_400(
    teller_api, schema, cash, counter
):
    """Not the 404 of the URL either: the ticket is there, the body names no queue."""
    assert "422" in schema["paths"]["/api/tickets/{token}/transfer/"]["post"]["responses"]
    (ticket,) = factories.issue(cash)
    response = teller_api.post(
        f"/api/tickets/{ticket.token}/transfer/", {"service": "Z"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (422, "unknown_service")
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


def test_a_transfer_to_the_queue_it_is_in_is_a_409(teller_api, cash, counter):
    (ticket,) = factories.issue(cash)
    response = teller_api.post(
        f"/api/tickets/{ticket.token}/transfer/", {"service": "A"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "same_service")


@pytest.mark.parametrize("date", ["", "soon"])
def test_reserved_cash_refuses_a_date_that_is_not_one(date, schema):
    assert not allows(parameter(schema, "/api/reserved-cash/", "get", "date"), date)
    head_office = APIClient()
    head_office.force_authenticate(factories.make_head_office())
    response = head_office.get("/api/reserved-cash/", {"date": date})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_date")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"branch": "NOPE-01", "service": "A"}, "unknown_branch"),
        ({"branch": " ", "service": "A"}, "unknown_branch"),
        ({"branch": "GZ-TH01", "service": "Z"}, "unknown_service"),
    ],
)
def test_a_well_formed_ticket_request_naming_nothing_is_a_422(api, cash, body, code):
    response = api.post("/api/tickets/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (422, code)
    assert not Ticket.objects.exists()


def test_slots_of_a_service_that_takes_no_bookings_are_a_409(api, cash):
    response = api.get("/api/branches/GZ-TH01/slots/", {"service": "A", "date": "2026-12-02"})
    assert (response.status_code, response.json()["code"]) == (409, "appointments_not_offered")


def test_the_refusals_before_any_view_are_documented_where_they_happen(api, schema, cash):
    paths = schema["paths"]
    create = paths["/api/tickets/"]["post"]["responses"]
    ticket = paths["/api/tickets/{token}/"]["get"]["responses"]

    response = api.post("/api/tickets/", "branch=GZ-TH01", content_type="text/plain")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    assert "415" in create

    response = api.post("/api/tickets/", "{not json", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert "400" in create

    response = api.get("/api/tickets/nope/", HTTP_AUTHORIZATION="Token not-a-token")
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    assert "401" in ticket

    response = api.get("/api/tickets/nope/", HTTP_ACCEPT="application/xml")
    assert (response.status_code, response.json()["code"]) == (406, "not_acceptable")
    assert "406" in ticket

    for answers in (create, ticket):
        for status in answers:
            assert status in ("200", "201") or answers[status]["content"]["application/json"]


def test_a_call_next_without_a_body_documents_no_415(schema):
    responses = schema["paths"]["/api/branches/{code}/counters/{number}/call-next/"]["post"]
    assert "415" not in responses["responses"]


CASH_AMOUNTS = [
    "80000",
    "80000.00",
    "0.01",
    ".5",
    "0012.5",
    "9999999999.99",
    "0",
    "0.00",
    "-5",
    "",
    "5.",
    "1e5",
    " 5",
    "5.001",
    "12345678901",
    5,
    None,
]


@pytest.mark.parametrize("amount", CASH_AMOUNTS)
def test_the_schema_says_which_cash_amounts_are_taken(api, schema, branch, amount):
    factories.make_service(branch, "D", appointment_capacity=2, reserves_cash=True)
    rule = component(schema, "AppointmentCreateRequest")["properties"]["cash_amount"]
    body = {
        "branch": "GZ-TH01",
        "service": "D",
        "start": "2000-01-03T09:00:00+08:00",
        "phone": "13812345678",
        "cash_amount": amount,
        "cash_currency": "CNY",
    }
    response = api.post("/api/appointments/", body, format="json")
    # Taken as an amount, the booking goes on to its rules: this start has long passed.
    taken = response.json()["code"] in ("slot_in_past", "cash_amount_required")
    assert taken == allows(rule, amount), response.json()
