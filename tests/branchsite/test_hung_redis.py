"""A Redis that stops answering never slows or fails taking a ticket: the broadcast waits in the
background, and screens catch up from the database once Redis is back.

Each test starts a redis-server of its own and puts it to sleep with DEBUG SLEEP, as a hung
Redis (swapping, a long fork, a network that drops packets) behaves: connections open, nothing
answers.
"""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from kiosks.services import kiosk_register
from queueing import services
from queueing.models import Ticket
from tests.redis_servers import OwnRedis
from tests.servers import (
    free_port,
    post_in_parallel,
    server_environment,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.redis

SLEEP_SECONDS = 6


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(tmp_path)
    yield redis
    redis.stop()


def pubsub_layer(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": "hung-redis-test"},
        }
    }


@pytest.mark.django_db(transaction=True)
def test_tickets_are_issued_at_once_while_redis_sleeps(own_redis, cash, settings):
    settings.CHANNEL_LAYERS = pubsub_layer(own_redis.url)
    services.ticket_issue(service=cash, channel="kiosk")  # the layer has connected
    sleeper = own_redis.put_to_sleep(SLEEP_SECONDS)
    took = []
    for _ in range(7):
        started = time.monotonic()
        services.ticket_issue(service=cash, channel="kiosk")
        took.append(time.monotonic() - started)
    assert sleeper.is_alive(), "Redis woke before the tickets were issued"
    print(
        f"7 tickets one at a time while Redis slept: {sum(took):.3f} s, at most {max(took):.3f} s"
    )
    assert max(took) < 0.5, took
    assert Ticket.objects.count() == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_kiosks_at_once_all_get_their_tickets_while_redis_sleeps(own_redis, cash):
    _, key = kiosk_register(branch=cash.branch, name="Lobby 1")
    env = server_environment(REDIS_URL=own_redis.url, CHANNELS_PREFIX="hung-redis-test")
    port = free_port()
    server, refusal = start_server(env, port)
    assert refusal is None, refusal
    tickets = f"http://127.0.0.1:{port}/api/tickets/"
    body = b'{"branch": "GZ-TH01", "service": "A"}'
    kiosk = {"Authorization": f"Kiosk {key}"}
    try:
        # The first ticket has the server connect to Redis.
        results = post_in_parallel(tickets, body, count=1, headers=lambda: kiosk)
        sleeper = own_redis.put_to_sleep(SLEEP_SECONDS)
        results += post_in_parallel(tickets, body, count=30, headers=lambda: kiosk)
        assert sleeper.is_alive(), "Redis woke before the tickets were issued"
    finally:
        stop_server(server)
    statuses = [status for status, _ in results]
    slowest = max(took for _, took in results[1:])
    created = statuses[1:].count(201)
    print(f"30 kiosks at once while Redis slept: {created} × 201, slowest {slowest:.2f} s")
    assert statuses == [201] * 31
    assert slowest < 3.0, results
    assert Ticket.objects.count() == 31
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert numbers == [f"A{n:03d}" for n in range(1, 32)]


async def _first_message(url: str, origin: str) -> dict:
    async with websockets.connect(url, origin=origin) as screen:
        return json.loads(await asyncio.wait_for(screen.recv(), timeout=10))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_first_screen_to_connect_after_a_redis_restart_is_served(own_redis, cash):
    env = server_environment(REDIS_URL=own_redis.url, CHANNELS_PREFIX="restart-test")
    port = free_port()
    server, refusal = start_server(env, port)
    assert refusal is None, refusal
    url, origin = f"ws://127.0.0.1:{port}/ws/screens/GZ-TH01/", f"http://127.0.0.1:{port}"
    try:
        assert asyncio.run(_first_message(url, origin))["type"] == "snapshot"
        own_redis.restart()
        first = asyncio.run(_first_message(url, origin))
    finally:
        stop_server(server)
    assert first["type"] == "snapshot"
