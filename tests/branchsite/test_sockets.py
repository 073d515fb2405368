"""Sockets take what careless and hostile clients send: a clear answer or close code, one line in
the log per connection, and the branch's group left behind by nobody."""

import logging

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from branchsite.asgi import application
from queueing import consumers
from queueing.lobby import lobby_group

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture(autouse=True)
def _groups_in_memory(settings):
    # Group membership is read off the in-process layer; Redis keeps it out of reach.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def opened(path: str) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, path, headers=[ORIGIN])
    connected, _ = await socket.connect()
    assert connected
    return socket


async def close_code(socket: WebsocketCommunicator) -> int:
    message = await socket.receive_output(timeout=2)
    assert message["type"] == "websocket.close"
    return message["code"]


def members(branch) -> set[str]:
    return set(get_channel_layer().groups.get(lobby_group(branch.pk), {}))


@pytest.mark.parametrize("path", ["/ws/screens/%00/", "/ws/screens/\x00/", "/ws/tickets/a\x00b/"])
async def test_a_nul_byte_in_a_socket_address_closes_it_cleanly(cash, path):
    socket = await opened(path)
    assert await close_code(socket) == 4400


async def test_a_socket_address_that_nothing_serves_closes_with_not_found(cash):
    socket = await opened("/ws/nothing/here/")
    assert await close_code(socket) == 4404


async def test_frames_a_screen_cannot_read_are_answered_and_logged_once(cash, branch, caplog):
    screen = await opened("/ws/screens/GZ-TH01/")
    assert (await screen.receive_json_from())["type"] == "snapshot"
    caplog.set_level(logging.WARNING)
    frames = [
        {"text_data": "{not json"},
        {"bytes_data": b"\x00\x01"},
        {"text_data": "[" * 50_000},
        {"text_data": '{"type": [[[[[[[[[["deep"]]]]]]]]]]}'},
        {"text_data": '{"type": "dance"}'},
    ]
    answers = []
    for frame in frames:
        await screen.send_to(**frame)
        answers.append((await screen.receive_json_from())["code"])
    assert answers == [
        "invalid_json",
        "binary_not_accepted",
        "too_deeply_nested",
        "too_deeply_nested",
        "unknown_message",
    ]
    await screen.send_json_to({"type": "ping"})
    assert (await screen.receive_json_from())["type"] == "pong"
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1
    assert not any(r.exc_info for r in logged)
    await screen.disconnect()
    assert members(branch) == set()


async def test_a_socket_that_keeps_sending_garbage_is_closed_and_leaves_its_group(cash, branch):
    screen = await opened("/ws/screens/GZ-TH01/")
    await screen.receive_json_from()
    assert len(members(branch)) == 1
    for _ in range(9):
        await screen.send_to(text_data="garbage")
        assert (await screen.receive_json_from())["type"] == "error"
    await screen.send_to(text_data="garbage")
    assert await close_code(screen) == 1008
    await screen.wait(timeout=2)
    assert members(branch) == set()


async def test_a_socket_whose_handler_fails_closes_with_a_code_to_reconnect_on(
    cash, branch, monkeypatch
):
    screen = await opened("/ws/screens/GZ-TH01/")
    await screen.receive_json_from()

    async def broken(branch_id: int) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(consumers, "current_version", broken)
    await screen.send_json_to({"type": "ping"})
    assert await close_code(screen) == 1011
    await screen.wait(timeout=2)
    assert members(branch) == set()


async def test_a_signage_player_that_sends_no_origin_shows_the_wall_screen(cash):
    player = WebsocketCommunicator(application, "/ws/screens/GZ-TH01/", headers=[])
    connected, _ = await player.connect()
    assert connected
    assert (await player.receive_json_from())["type"] == "snapshot"
    await player.disconnect()


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/ws/lobby/GZ-TH01/", []),  # a staff socket always shows where it comes from
        ("/ws/tickets/some-token/", []),
        ("/ws/screens/GZ-TH01/", [(b"origin", b"https://elsewhere.example")]),
    ],
)
async def test_sockets_without_an_origin_or_from_another_site_are_refused(cash, path, headers):
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect()
    assert not connected
