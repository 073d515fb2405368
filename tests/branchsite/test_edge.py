"""Input that no field can hold, or that Django refuses before any view, gets a 4xx with a stable
code, JSON under /api/, and never a 500; nothing is stored."""

import json

import pytest
from django.test import Client

from queueing.models import Ticket

pytestmark = pytest.mark.django_db

NUL_REQUESTS = [
    "/api/branches/?q=a%00b",
    "/api/branches/?city=%00",
    "/api/branches/%00/",
    "/api/tickets/%00/",
    "/api/appointments/%00/",
    "/api/branches/GZ-TH01/slots/?service=A&date=%00",
]


@pytest.mark.parametrize("path", NUL_REQUESTS)
def test_a_nul_byte_in_an_api_request_is_a_400_with_a_code(api, cash, path):
    answer = api.get(path)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_characters"


@pytest.mark.parametrize("path", ["/t/%00/", "/?city=%00", "/branches/%00/", "/a/x%00/"])
def test_a_nul_byte_in_a_page_address_is_a_400_page(client, cash, path):
    assert client.get(path).status_code == 400


def test_a_nul_character_in_a_json_body_is_refused_and_nothing_is_stored(api, cash):
    body = json.dumps({"branch": "GZ-TH01", "service": "A", "phone": "138\u00001234"})
    answer = api.post("/api/tickets/", body, content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_characters")
    assert not Ticket.objects.exists()


def test_half_a_surrogate_pair_in_a_json_body_is_refused(api, cash):
    body = '{"branch": "GZ-TH01", "service": "A", "phone": "\\ud800"}'
    answer = api.post("/api/tickets/", body, content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_characters")


def test_a_nul_byte_in_a_form_body_is_refused(api, client, cash):
    answer = api.post(
        "/api/tickets/",
        "branch=GZ-TH01&service=A&phone=%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_characters")
    login = client.post(
        "/accounts/login/",
        "username=a%00b&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert login.status_code == 400


def test_deeply_nested_json_is_a_400(api, cash):
    answer = api.post("/api/tickets/", "[" * 100_000, content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (400, "too_deeply_nested")
    nested = json.dumps({"branch": [[[[[[[[["GZ-TH01"]]]]]]]]], "service": "A"})
    answer = api.post("/api/tickets/", nested, content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (400, "too_deeply_nested")


def test_a_body_over_the_size_limit_is_json_under_the_api(api, cash, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"branch": "GZ-TH01", "service": "A", "phone": "1" * 2_000})
    answer = api.post("/api/tickets/", body, content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (400, "request_too_large")
    form = api.post(
        "/api/tickets/",
        "branch=GZ-TH01&service=A&phone=" + "1" * 2_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert (form.status_code, form.json()["code"]) == (400, "request_too_large")
    assert not Ticket.objects.exists()


def test_too_many_form_fields_is_json_under_the_api(api, cash, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=x" for i in range(20))
    answer = api.post("/api/tickets/", body, content_type="application/x-www-form-urlencoded")
    assert (answer.status_code, answer.json()["code"]) == (400, "too_many_fields")


def test_a_host_the_server_does_not_answer_to_is_json_under_the_api(cash):
    answer = Client(HTTP_HOST="evil.example").get("/api/branches/")
    assert (answer.status_code, answer.json()["code"]) == (400, "disallowed_host")
    assert Client(HTTP_HOST="evil.example").get("/").status_code == 400


def test_headers_over_the_limit_are_refused_with_431(api, cash):
    answer = api.get("/api/branches/", HTTP_X_PADDING="x" * 20_000)
    assert (answer.status_code, answer.json()["code"]) == (431, "headers_too_large")
    assert api.get("/api/branches/", HTTP_X_PADDING="x" * 2_000).status_code == 200
