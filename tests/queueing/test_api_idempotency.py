"""A retried POST with the same Idempotency-Key returns the first ticket and creates nothing."""

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from branchsite.infra.idempotency import idempotency_keys_forget
from branchsite.infra.models import IdempotencyKey
from kiosks.services import kiosk_register
from queueing.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


def take(api, key=None, service="A"):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(
        "/api/tickets/", {"branch": "GZ-TH01", "service": service}, format="json", **extra
    )


def test_a_retry_with_the_same_key_returns_the_first_ticket(api, cash):
    first = take(api, "phone-retry-1")
    again = take(api, "phone-retry-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["token"] == first.json()["token"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_different_keys_make_different_tickets(api, cash):
    numbers = [take(api, f"key-{i}").json()["number"] for i in range(3)]
    assert numbers == ["A001", "A002", "A003"]


def test_no_key_means_no_deduplication(api, cash):
    take(api)
    take(api)
    assert Ticket.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_from_another_network_never_replays_someone_elses_ticket(cash):
    mine = take(APIClient(REMOTE_ADDR="198.51.100.1"), "guessable-1")
    theirs = take(APIClient(REMOTE_ADDR="203.0.113.9"), "guessable-1")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["token"] != mine.json()["token"]
    assert "Idempotent-Replayed" not in theirs.headers
    assert Ticket.objects.count() == 2
    again = take(APIClient(REMOTE_ADDR="198.51.100.1"), "guessable-1")
    assert again.json()["token"] == mine.json()["token"]


def test_the_same_key_from_another_staff_member_or_kiosk_is_another_key(cash, branch):
    teller, other = APIClient(), APIClient()
    teller.force_authenticate(factories.make_staff(branch))
    other.force_authenticate(factories.make_staff(branch))
    _, device_key = kiosk_register(branch=branch, name="Lobby 1")
    kiosk = APIClient(headers={"Authorization": f"Kiosk {device_key}"})
    tokens = {take(client, "shift-start").json()["token"] for client in (teller, other, kiosk)}
    assert len(tokens) == 3


def test_the_same_key_with_another_body_is_refused(api, cash, non_cash):
    take(api, "k1")
    response = take(api, "k1", service="B")
    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert list(Ticket.objects.values_list("number", flat=True)) == ["A001"]


def test_a_refused_request_stores_no_answer_so_a_retry_can_succeed(api, cash):
    cash.is_active = False
    cash.save()
    assert take(api, "k2").status_code == 409
    cash.is_active = True
    cash.save()
    response = take(api, "k2")
    assert response.status_code == 201
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 256])
def test_a_malformed_key_is_400(api, cash, key):
    response = take(api, key)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_idempotency_key")
    assert not Ticket.objects.exists()


def test_answers_are_forgotten_after_a_day(api, cash):
    take(api, "old")
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=25)):
        assert idempotency_keys_forget() == 1
    assert not IdempotencyKey.objects.exists()
