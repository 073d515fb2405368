"""The client's address that the limits count is the one the network saw, never one the client
wrote into X-Forwarded-For."""

import random

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from branchsite.infra.clients import client_address
from queueing.models import Ticket
from tests import factories
from tests.servers import (
    free_port,
    post_in_parallel,
    server_environment,
    start_server,
    stop_server,
)

TAKE = {"branch": "GZ-TH01", "service": "A"}


def forged() -> str:
    return ".".join(str(random.randrange(1, 255)) for _ in range(4))


def address_of(settings, proxies: int, *, peer: str = "203.0.113.7", forwarded: str = "") -> str:
    settings.NUM_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=peer, **headers))


def test_without_a_proxy_the_address_is_the_sockets_whatever_the_header_says(settings):
    assert address_of(settings, 0, forwarded="198.51.100.1") == "203.0.113.7"


def test_behind_one_proxy_the_address_is_the_one_it_appended(settings):
    assert address_of(settings, 1, forwarded="6.6.6.6, 198.51.100.1") == "198.51.100.1"


def test_behind_two_proxies_the_address_is_the_second_from_the_right(settings):
    forwarded = "6.6.6.6, 198.51.100.1, 10.0.0.2"
    assert address_of(settings, 2, forwarded=forwarded) == "198.51.100.1"


def test_a_header_shorter_than_the_proxies_or_not_an_address_counts_the_socket(settings):
    assert address_of(settings, 2, forwarded="198.51.100.1") == "203.0.113.7"
    assert address_of(settings, 1, forwarded="not-an-address") == "203.0.113.7"
    assert address_of(settings, 1) == "203.0.113.7"


@pytest.fixture
def cash_queue(branch):
    return factories.make_service(branch, "A")


def test_forged_addresses_do_not_escape_the_network_limit(cash_queue, settings):
    settings.REMOTE_TICKETS_PER_ADDRESS_PER_HOUR = 60
    api = APIClient(REMOTE_ADDR="198.51.100.20")
    answers = [
        api.post("/api/tickets/", TAKE, HTTP_X_FORWARDED_FOR=forged()).status_code
        for _ in range(100)
    ]
    assert answers.count(201) == 60
    assert answers.count(429) == 40


def test_a_victims_address_written_by_someone_else_does_not_lock_the_victim_out(
    cash_queue, settings
):
    settings.REMOTE_TICKETS_PER_ADDRESS_PER_HOUR = 60
    attacker = APIClient(REMOTE_ADDR="198.51.100.20")
    for _ in range(60):
        attacker.post("/api/tickets/", TAKE, HTTP_X_FORWARDED_FOR="198.51.100.99")
    victim = APIClient(REMOTE_ADDR="198.51.100.99")
    assert victim.post("/api/tickets/", TAKE).status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_server_counts_parallel_forged_addresses_as_the_one_client_they_are(cash_queue):
    """uvicorn as every launch runs it (branchsite/server.py): a client on this machine, which
    uvicorn's default would trust, forges a new X-Forwarded-For on each of 100 parallel tickets."""
    env = server_environment(
        REMOTE_TICKETS_PER_ADDRESS_PER_HOUR="60", REMOTE_TICKETS_PER_PHONE_PER_HOUR="0"
    )
    port = free_port()
    server, refusal = start_server(env, port)
    assert refusal is None, refusal
    try:
        answers = post_in_parallel(
            f"http://127.0.0.1:{port}/api/tickets/",
            b'{"branch": "GZ-TH01", "service": "A"}',
            count=100,
            headers=lambda: {"X-Forwarded-For": forged()},
        )
    finally:
        stop_server(server)
    statuses = [status for status, _ in answers]
    assert sorted(set(statuses)) == [201, 429]
    assert statuses.count(201) == 60
    assert Ticket.objects.count() == 60
