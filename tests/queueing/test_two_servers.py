"""Two server processes on one Redis: a branch's wall screen may be connected to any of them."""

import asyncio
import json
import urllib.request

import pytest
import websockets
from django.conf import settings
from rest_framework.authtoken.models import Token

from tests import factories
from tests.servers import free_port, server_environment, start_server, stop_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


async def next_change(url: str, origin: str, call: "asyncio.Future[str]") -> dict:
    async with websockets.connect(url, origin=origin) as screen:
        snapshot = json.loads(await screen.recv())
        assert snapshot["type"] == "snapshot"
        call.get_loop().call_soon(call.set_result, "connected")
        return json.loads(await asyncio.wait_for(screen.recv(), timeout=IDLE_SECONDS + 2))


# Longer than redis-py 8's default read timeout, which once dropped idle screens (settings.py).
IDLE_SECONDS = 6


def test_a_call_through_one_server_reaches_an_idle_screen_on_the_other(cash, counter, teller):
    factories.issue(cash)
    token = Token.objects.create(user=teller).key
    # A prefix of its own, so that nothing else on this Redis reaches the screen.
    env = server_environment(REDIS_URL=settings.REDIS_URL, CHANNELS_PREFIX="two-servers-test")
    ports = [free_port(), free_port()]
    servers = []
    try:
        for port in ports:
            server, refusal = start_server(env, port)
            assert refusal is None, refusal
            servers.append(server)

        async def call_on_first_watch_on_second() -> dict:
            connected: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            watching = asyncio.ensure_future(
                next_change(
                    f"ws://127.0.0.1:{ports[1]}/ws/screens/GZ-TH01/",
                    f"http://127.0.0.1:{ports[1]}",
                    connected,
                )
            )
            await asyncio.wait_for(connected, timeout=5)
            await asyncio.sleep(IDLE_SECONDS)
            request = urllib.request.Request(
                f"http://127.0.0.1:{ports[0]}/api/branches/GZ-TH01/counters/1/call-next/",
                method="POST",
                headers={"Authorization": f"Token {token}"},
            )
            answer = await asyncio.to_thread(urllib.request.urlopen, request, timeout=5)
            assert answer.status == 200
            return await watching

        change = asyncio.run(call_on_first_watch_on_second())
    finally:
        for server in servers:
            stop_server(server)
    assert change["type"] == "change"
    assert (change["call"]["number"], change["call"]["counter"]) == ("A001", 1)
