"""The live lobby's sockets, through the real ASGI application: what a wall screen, the lobby
board and a customer's phone receive, and when."""

import asyncio
import threading
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction

from branchsite.asgi import application
from queueing import consumers, lobby, services
from queueing.models import Branch, StaffMembership
from tests import factories

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://localhost")


async def connect(path: str, user=None, *, second_factor: bool = False) -> WebsocketCommunicator:
    headers = [ORIGIN]
    if user is not None:
        session = await session_of(user, second_factor=second_factor)
        headers.append((b"cookie", f"sessionid={session}".encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect()
    assert connected
    return socket


@database_sync_to_async
def session_of(user, *, second_factor: bool = False) -> str:
    return factories.signed_in(user, second_factor=second_factor).cookies["sessionid"].value


async def closed_with(socket: WebsocketCommunicator) -> int:
    message = await socket.receive_output(timeout=2)
    assert message["type"] == "websocket.close"
    return message["code"]


issue = database_sync_to_async(factories.issue)
call_next = database_sync_to_async(services.ticket_call_next)
recall = database_sync_to_async(services.ticket_recall)


@pytest.fixture
def teller_of_other_branch(db):
    return factories.make_staff(factories.make_branch("FS-CC01"), role="teller")


async def test_a_wall_screen_gets_the_public_lobby_on_connect(cash, non_cash, counter, teller):
    await issue(cash, 3)
    await call_next(counter=counter, actor=teller)
    screen = await connect("/ws/screens/GZ-TH01/")
    snapshot = await screen.receive_json_from()
    assert snapshot["type"] == "snapshot"
    assert snapshot["version"] == 4  # three tickets and a call
    assert snapshot["branch"]["code"] == "GZ-TH01"
    assert snapshot["branch"]["announce_in"] == ["zh-hans", "en"]
    assert [(q["prefix"], q["waiting"]) for q in snapshot["queues"]] == [("A", 2), ("B", 0)]
    assert snapshot["calls"] == [
        {
            "number": "A001",
            "service": "A",
            "counter": 1,
            "called_at": snapshot["calls"][0]["called_at"],
            "recall_count": 0,
        }
    ]
    assert "token" not in str(snapshot)
    await screen.disconnect()


async def test_a_call_reaches_the_screen_with_the_next_version(cash, counter, teller):
    await issue(cash, 2)
    screen = await connect("/ws/screens/GZ-TH01/")
    version = (await screen.receive_json_from())["version"]

    await call_next(counter=counter, actor=teller)
    change = await screen.receive_json_from(timeout=2)
    assert change["type"] == "change"
    assert change["version"] == version + 1
    assert (change["call"]["number"], change["call"]["counter"]) == ("A001", 1)
    assert [(q["prefix"], q["waiting"]) for q in change["queues"]] == [("A", 1), ("B", 0)]
    await screen.disconnect()


async def test_a_recall_is_announced_again(cash, counter, teller):
    await issue(cash)
    ticket = await call_next(counter=counter, actor=teller)
    screen = await connect("/ws/screens/GZ-TH01/")
    await screen.receive_json_from()
    await recall(ticket=ticket, actor=teller)
    change = await screen.receive_json_from(timeout=2)
    assert (change["call"]["number"], change["call"]["recall_count"]) == ("A001", 1)
    await screen.disconnect()


async def test_screens_hear_of_a_change_only_once_it_commits(cash, counter, teller):
    await issue(cash)
    screen = await connect("/ws/screens/GZ-TH01/")
    await screen.receive_json_from()
    inside, checked = threading.Event(), threading.Event()

    def call_in_a_slow_transaction():
        with transaction.atomic():
            services.ticket_call_next(counter=counter, actor=teller)
            inside.set()
            checked.wait(timeout=5)

    calling = asyncio.ensure_future(database_sync_to_async(call_in_a_slow_transaction)())
    await asyncio.to_thread(inside.wait, 5)
    assert await screen.receive_nothing(timeout=0.3), "a change went out before its commit"
    checked.set()
    await calling
    assert (await screen.receive_json_from(timeout=2))["call"]["number"] == "A001"
    await screen.disconnect()


async def test_a_rolled_back_call_reaches_no_screen(cash, counter, teller):
    await issue(cash)
    screen = await connect("/ws/screens/GZ-TH01/")
    version = (await screen.receive_json_from())["version"]

    def call_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.ticket_call_next(counter=counter, actor=teller)
            raise RuntimeError("the counter PC crashed")

    await database_sync_to_async(call_then_fail)()
    assert await screen.receive_nothing(timeout=0.3)
    screen_again = await connect("/ws/screens/GZ-TH01/")
    assert (await screen_again.receive_json_from())["version"] == version
    await screen.disconnect()
    await screen_again.disconnect()


async def test_a_screen_that_asks_to_resync_gets_a_fresh_snapshot(cash, counter, teller):
    screen = await connect("/ws/screens/GZ-TH01/")
    await screen.receive_json_from()
    await issue(cash, 2)
    await screen.receive_json_from(timeout=2)
    await screen.receive_json_from(timeout=2)
    await screen.send_json_to({"type": "resync"})
    snapshot = await screen.receive_json_from(timeout=2)
    assert (snapshot["type"], snapshot["version"]) == ("snapshot", 2)
    assert snapshot["queues"][0]["waiting"] == 2
    await screen.disconnect()


async def test_a_lost_broadcast_fails_no_request_and_the_next_ping_reveals_it(
    api, cash, counter, teller
):
    screen = await connect("/ws/screens/GZ-TH01/")
    version = (await screen.receive_json_from())["version"]
    broken_layer = mock.Mock(group_send=mock.AsyncMock(side_effect=ConnectionError("down")))
    with mock.patch("branchsite.infra.broadcast.get_channel_layer", return_value=broken_layer):
        response = await database_sync_to_async(api.post)(
            "/api/tickets/", {"branch": "GZ-TH01", "service": "A"}, format="json"
        )
    assert response.status_code == 201
    assert await screen.receive_nothing(timeout=0.3)
    await screen.send_json_to({"type": "ping"})
    assert await screen.receive_json_from(timeout=2) == {"type": "pong", "version": version + 1}
    await screen.disconnect()


async def test_pings_of_many_screens_read_the_version_once_a_second(cash):
    screens = [await connect("/ws/screens/GZ-TH01/") for _ in range(5)]
    for screen in screens:
        await screen.receive_json_from()
    await issue(cash)
    for screen in screens:
        await screen.receive_json_from(timeout=2)
    pongs = []
    await _start_counting_queries()
    for screen in screens:
        await screen.send_json_to({"type": "ping"})
        pongs.append(await screen.receive_json_from(timeout=2))
    assert {pong["version"] for pong in pongs} == {1}
    assert await _queries_counted() <= 2  # 2 if the pings straddle a second
    for screen in screens:
        await screen.disconnect()


async def test_screens_reconnecting_together_after_a_restart_share_one_snapshot(
    cash, counter, teller
):
    await issue(cash, 2)
    builds = mock.Mock(wraps=lobby.screen_snapshot)
    with mock.patch.object(consumers.ScreenConsumer, "snapshot", staticmethod(builds)):
        screens = [await connect("/ws/screens/GZ-TH01/") for _ in range(10)]
        snapshots = [await screen.receive_json_from() for screen in screens]
        assert builds.call_count == 1
        assert {snapshot["version"] for snapshot in snapshots} == {2}

        await call_next(counter=counter, actor=teller)  # a screen that asks again gets it fresh
        for screen in screens:
            await screen.receive_json_from(timeout=2)
        await screens[0].send_json_to({"type": "resync"})
        fresh = await screens[0].receive_json_from(timeout=2)
    assert (fresh["type"], fresh["version"], builds.call_count) == ("snapshot", 3, 2)
    for screen in screens:
        await screen.disconnect()


async def test_a_screen_that_reconnects_right_after_a_call_it_missed_shows_the_call(
    cash, counter, teller
):
    await issue(cash, 3)
    screen = await connect("/ws/screens/GZ-TH01/")
    before = await screen.receive_json_from()
    await screen.disconnect()
    await call_next(counter=counter, actor=teller)  # while the screen is away
    screen = await connect("/ws/screens/GZ-TH01/")  # within the same second
    after = await screen.receive_json_from()
    assert after["version"] == before["version"] + 1
    assert [call["number"] for call in after["calls"]] == ["A001"]
    await screen.disconnect()


async def test_an_unknown_branch_or_message_gets_a_clear_answer(branch):
    screen = await connect("/ws/screens/NOPE-01/")
    assert await closed_with(screen) == 4404
    screen = await connect("/ws/screens/GZ-TH01/")
    await screen.receive_json_from()
    await screen.send_json_to({"type": "dance"})
    assert await screen.receive_json_from() == {"type": "error", "code": "unknown_message"}
    await screen.disconnect()


async def test_the_lobby_board_is_for_staff_of_the_branch_only(
    cash, counter, teller, teller_of_other_branch
):
    anonymous = await connect("/ws/lobby/GZ-TH01/")
    assert await closed_with(anonymous) == 4403
    foreign = await connect("/ws/lobby/GZ-TH01/", user=teller_of_other_branch)
    assert await closed_with(foreign) == 4403
    head_office = await database_sync_to_async(factories.make_staff)(
        None, role=StaffMembership.Role.HEAD_OFFICE
    )
    for user, second_factor in ((teller, False), (head_office, True)):
        board = await connect("/ws/lobby/GZ-TH01/", user=user, second_factor=second_factor)
        assert (await board.receive_json_from())["type"] == "snapshot"
        await board.disconnect()


async def test_a_head_office_session_without_its_second_factor_follows_no_lobby(cash, counter):
    head_office = await database_sync_to_async(factories.make_head_office)()
    board = await connect("/ws/lobby/GZ-TH01/", user=head_office, second_factor=False)
    assert await closed_with(board) == 4403


async def test_the_lobby_board_sees_tickets_counters_and_waits_change(cash, counter, teller):
    (first, _) = await issue(cash, 2)
    board = await connect("/ws/lobby/GZ-TH01/", user=teller)
    snapshot = await board.receive_json_from()
    assert [t["number"] for t in snapshot["tickets"]] == ["A001", "A002"]
    assert snapshot["counters"][0] | {"teller": None} == {
        "number": 1,
        "is_open": True,
        "staffed": True,
        "teller": None,
        "services": ["A", "B"],
        "ticket": None,
    }
    assert snapshot["queues"][0]["open_counters"] == 1

    await call_next(counter=counter, actor=teller)
    change = await board.receive_json_from(timeout=2)
    assert change["version"] == snapshot["version"] + 1
    assert [(t["number"], t["status"], t["counter"]) for t in change["tickets"]] == [
        ("A001", "called", 1)
    ]
    assert change["counters"][0]["ticket"] == {
        "number": "A001",
        "status": "called",
        "token": first.token,
    }
    assert change["queues"][0]["waiting"] == 1
    await board.disconnect()


async def test_a_customer_follows_their_ticket_until_it_is_called(cash, counter, teller):
    (_, mine) = await issue(cash, 2)
    phone = await connect(f"/ws/tickets/{mine.token}/")
    snapshot = await phone.receive_json_from()
    assert (snapshot["ticket"]["number"], snapshot["ticket"]["position"]) == ("A002", 2)

    await call_next(counter=counter, actor=teller)
    moved = await phone.receive_json_from(timeout=2)
    assert moved["version"] == snapshot["version"] + 1
    assert moved["ticket"]["position"] == 1

    # Counter 1 has its customer; counter 2 calls the next.
    other = await database_sync_to_async(factories.make_counter)(counter.branch, 2, [cash])
    await call_next(counter=other, actor=teller)
    called = await phone.receive_json_from(timeout=2)
    assert (called["ticket"]["status"], called["ticket"]["counter"]) == ("called", 2)
    await phone.disconnect()


async def test_a_customer_gets_every_version_but_their_ticket_only_when_it_can_change(
    cash, non_cash, counter, teller
):
    (mine,) = await issue(cash)
    phone = await connect(f"/ws/tickets/{mine.token}/")
    version = (await phone.receive_json_from())["version"]
    await issue(non_cash)  # another queue: the position cannot change
    assert await phone.receive_json_from(timeout=2) == {"type": "change", "version": version + 1}
    await phone.disconnect()


async def test_a_customer_is_told_their_new_place_when_their_counter_calls_from_another_queue(
    cash, non_cash, counter, teller
):
    await issue(cash, 2)
    (mine,) = await issue(non_cash)
    phone = await connect(f"/ws/tickets/{mine.token}/")
    assert (await phone.receive_json_from())["ticket"]["position"] == 3
    await call_next(counter=counter, actor=teller)  # A001, at the counter that also serves B
    change = await phone.receive_json_from(timeout=2)
    assert (change["ticket"]["position"], change["ticket"]["estimated_wait_minutes"]) == (2, 10)
    await phone.disconnect()


def serve(ticket, teller) -> None:
    ticket.refresh_from_db()
    services.ticket_finish(ticket=services.ticket_start(ticket=ticket, actor=teller), actor=teller)


@database_sync_to_async
def serve_next(*, counter, teller) -> None:
    """Call the next customer and serve them: the counter is free again."""
    serve(services.ticket_call_next(counter=counter, actor=teller), teller)


@database_sync_to_async
def _start_counting_queries() -> None:
    # Consumers and these tests reach the database through database_sync_to_async, which runs
    # all of them in one thread: that thread's connection sees every statement.
    connection.force_debug_cursor = True
    connection.queries_log.clear()


@database_sync_to_async
def _queries_counted() -> int:
    connection.force_debug_cursor = False
    return len(connection.queries)


async def _queries_for_a_call_followed_by(phones, *, counter, teller) -> tuple[int, list]:
    await _start_counting_queries()
    await call_next(counter=counter, actor=teller)
    changes = [await phone.receive_json_from(timeout=2) for phone in phones]
    return await _queries_counted(), changes


async def test_many_customers_of_one_queue_are_told_their_new_places_for_the_cost_of_one(
    cash, counter, teller
):
    tickets = await issue(cash, 9)
    await serve_next(counter=counter, teller=teller)  # the teller takes the counter
    alone = await connect(f"/ws/tickets/{tickets[2].token}/")
    await alone.receive_json_from()
    one_follower, _ = await _queries_for_a_call_followed_by([alone], counter=counter, teller=teller)
    await alone.disconnect()
    await database_sync_to_async(serve)(tickets[1], teller)

    phones = [await connect(f"/ws/tickets/{ticket.token}/") for ticket in tickets[3:]]
    twice = await connect(f"/ws/tickets/{tickets[-1].token}/")  # the same page in two tabs
    for phone in [*phones, twice]:
        await phone.receive_json_from()
    seven_followers, changes = await _queries_for_a_call_followed_by(
        [*phones, twice], counter=counter, teller=teller
    )
    assert [change["ticket"]["position"] for change in changes] == [1, 2, 3, 4, 5, 6, 6]
    # Next in line, once the customer just called has had the minute these quick serves take.
    assert changes[0]["ticket"]["estimated_wait_minutes"] == 1
    assert seven_followers == one_follower
    for phone in [*phones, twice]:
        await phone.disconnect()


async def test_an_unknown_ticket_is_refused(db):
    phone = await connect("/ws/tickets/not-a-real-token/")
    assert await closed_with(phone) == 4404


async def test_opening_and_closing_a_counter_reaches_the_board(cash, counter, teller):
    board = await connect("/ws/lobby/GZ-TH01/", user=teller)
    await board.receive_json_from()
    await database_sync_to_async(services.counter_close)(counter=counter, actor=teller)
    change = await board.receive_json_from(timeout=2)
    assert change["counters"][0]["is_open"] is False
    assert change["queues"][0]["open_counters"] == 0
    await board.disconnect()


async def test_lobby_versions_count_every_change_of_the_branch(cash, counter, teller):
    await issue(cash, 2)
    ticket = await call_next(counter=counter, actor=teller)
    await database_sync_to_async(services.ticket_start)(ticket=ticket, actor=teller)
    version = await database_sync_to_async(
        Branch.objects.values_list("lobby_version", flat=True).get
    )(code="GZ-TH01")
    assert version == 4
