"""A Redis that stops answering never slows or fails taking a ticket: the broadcast waits in the
background, and screens catch up from the database once Redis is back.

Each test starts a redis-server of its own and puts it to sleep with DEBUG SLEEP, as a hung
Redis (swapping, a long fork, a network that drops packets) behaves: connections open, nothing
answers.
"""

import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosks.services import kiosk_register
from queueing import services
from queueing.models import Ticket
from tests import factories
from tests.conftest import _missing
from tests.servers import free_port, server_environment, start_server, stop_server

pytestmark = pytest.mark.redis

SLEEP_SECONDS = 6


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("it needs redis-server on the PATH (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)),
            # Redis 7 refuses DEBUG unless told otherwise.
            *("--enable-debug-command", "local"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def put_to_sleep(url: str, seconds: int) -> threading.Thread:
    """DEBUG SLEEP on a connection of its own: Redis answers nobody until it wakes."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])

    def sleep() -> None:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(f"DEBUG SLEEP {seconds}\r\n".encode())
            conn.recv(64)

    sleeper = threading.Thread(target=sleep, daemon=True)
    sleeper.start()
    time.sleep(0.3)  # the command has reached Redis
    return sleeper


def pubsub_layer(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": "hung-redis-test"},
        }
    }


@pytest.mark.django_db(transaction=True)
def test_tickets_are_issued_at_once_while_redis_sleeps(own_redis, cash, settings):
    settings.CHANNEL_LAYERS = pubsub_layer(own_redis)
    services.ticket_issue(service=cash, channel="kiosk")  # the layer has connected
    sleeper = put_to_sleep(own_redis, SLEEP_SECONDS)
    took = []
    for _ in range(7):
        started = time.monotonic()
        services.ticket_issue(service=cash, channel="kiosk")
        took.append(time.monotonic() - started)
    assert sleeper.is_alive(), "Redis woke before the tickets were issued"
    print(f"7 tickets one at a time while Redis slept: {sum(took):.3f} s, at most {max(took):.3f} s")
    assert max(took) < 0.5, took
    assert Ticket.objects.count() == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_kiosks_at_once_all_get_their_tickets_while_redis_sleeps(own_redis, cash):
    _, key = kiosk_register(branch=cash.branch, name="Lobby 1")
    env = server_environment(REDIS_URL=own_redis, CHANNELS_PREFIX="hung-redis-test")
    port = free_port()
    server, refusal = start_server(env, port)
    assert refusal is None, refusal
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def take() -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/tickets/",
            data=b'{"branch": "GZ-TH01", "service": "A"}',
            headers={"Content-Type": "application/json", "Authorization": f"Kiosk {key}"},
            method="POST",
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as failed:
            status = failed.code
        with lock:
            results.append((status, time.monotonic() - started))

    try:
        take()  # the server has connected to Redis
        sleeper = put_to_sleep(own_redis, SLEEP_SECONDS)
        threads = [threading.Thread(target=take) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sleeper.is_alive(), "Redis woke before the tickets were issued"
    finally:
        stop_server(server)
    statuses = [status for status, _ in results]
    slowest = max(took for _, took in results[1:])
    print(f"30 kiosks at once while Redis slept: {statuses[1:].count(201)} × 201, slowest {slowest:.2f} s")
    assert statuses == [201] * 31
    assert max(took for _, took in results[1:]) < 3.0, results
    assert Ticket.objects.count() == 31
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert numbers == [f"A{n:03d}" for n in range(1, 32)]
