"""The live lobby as a public seam: another app changes the lobby through `lobby_changed` and
adds its own part to the snapshots through the section registry, without queueing's code."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from queueing import lobby
from queueing.models import Branch, StaffMembership
from tests import factories
from tests.queueing.test_consumers import connect


@pytest.fixture
def umbrella_stock():
    """A section as the umbrellas app would register it: the stock of the branch."""
    stock = {"available": 12}
    lobby.register_lobby_section("umbrellas", build=lambda branch, now: dict(stock))
    yield stock
    lobby.unregister_lobby_section("umbrellas")


def test_a_registered_section_is_in_the_lobby_snapshot_and_not_on_the_wall_screens(
    branch, umbrella_stock
):
    assert lobby.lobby_snapshot(branch)["umbrellas"] == {"available": 12}
    assert "umbrellas" not in lobby.screen_snapshot(branch)


def test_a_section_for_screens_is_on_the_wall_screens_too(branch):
    lobby.register_lobby_section("notice_board", build=lambda b, now: b.code, screens=True)
    try:
        assert lobby.screen_snapshot(branch)["notice_board"] == "GZ-TH01"
    finally:
        lobby.unregister_lobby_section("notice_board")


def test_a_section_cannot_take_a_name_the_snapshot_uses():
    with pytest.raises(ValueError, match="queues"):
        lobby.register_lobby_section("queues", build=lambda branch, now: [])


def test_a_change_counts_a_new_lobby_version_in_its_own_transaction(branch):
    with transaction.atomic():
        assert lobby.lobby_changed(branch.pk) == 1
    try:
        with transaction.atomic():
            lobby.lobby_changed(branch.pk)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert Branch.objects.get().lobby_version == 1


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_change_naming_a_section_brings_the_board_its_new_state(branch, umbrella_stock):
    manager = await database_sync_to_async(factories.make_staff)(
        branch, role=StaffMembership.Role.LOBBY_MANAGER
    )
    board = await connect("/ws/lobby/GZ-TH01/", manager)
    screen = await connect("/ws/screens/GZ-TH01/")
    assert (await board.receive_json_from())["umbrellas"] == {"available": 12}
    version = (await screen.receive_json_from())["version"]

    def lend_an_umbrella() -> None:
        with transaction.atomic():
            umbrella_stock["available"] -= 1
            lobby.lobby_changed(branch.pk, sections=["umbrellas"])

    await database_sync_to_async(lend_an_umbrella)()
    change = await board.receive_json_from(timeout=2)
    assert (change["version"], change["umbrellas"]) == (version + 1, {"available": 11})
    on_screen = await screen.receive_json_from(timeout=2)
    assert on_screen["version"] == version + 1 and "umbrellas" not in on_screen
    await board.disconnect()
    await screen.disconnect()
