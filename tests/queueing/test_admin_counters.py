"""Head office changes counters in the admin through the same services as the counter page:
each change is checked, recorded in the audit trail and reaches the lobby live."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.urls import reverse

from branchsite.infra.models import AuditEntry
from queueing import services
from queueing.models import Branch, Counter, StaffMembership
from tests import factories
from tests.queueing.test_consumers import connect

User = get_user_model()


def change_url(counter: Counter) -> str:
    return reverse("admin:queueing_counter_change", args=[counter.pk])


def counter_form(counter: Counter, **changes) -> dict:
    data = {
        "number": counter.number,
        "services": [service.pk for service in counter.services.all()],
        "teller": counter.teller_id or "",
    }
    if counter.is_open:
        data["is_open"] = "on"
    data |= changes
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def open_counter(branch, cash, non_cash, teller):
    """Counter 1, opened by its teller at the counter page."""
    counter = factories.make_counter(branch, 1, [cash, non_cash], is_open=False)
    return services.counter_open(counter=counter, actor=teller)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_counter_closed_in_the_admin_reaches_every_open_screen_and_board(
    branch, cash, non_cash, teller
):
    counter = await database_sync_to_async(factories.make_counter)(
        branch, 1, [cash, non_cash], is_open=False
    )
    await database_sync_to_async(services.counter_open)(counter=counter, actor=teller)
    await database_sync_to_async(factories.issue)(cash, 3)
    manager = await database_sync_to_async(factories.make_staff)(
        branch, role=StaffMembership.Role.LOBBY_MANAGER, username="manager"
    )
    screen = await connect("/ws/screens/GZ-TH01/")
    board = await connect("/ws/lobby/GZ-TH01/", manager)
    version = (await screen.receive_json_from())["version"]
    assert (await board.receive_json_from())["counters"][0]["is_open"] is True

    def close_in_the_admin() -> int:
        admin = factories.signed_in(factories.make_head_office("head", administrator=True))
        fresh = Counter.objects.get(pk=counter.pk)
        return admin.post(change_url(fresh), counter_form(fresh, is_open=None)).status_code

    assert await database_sync_to_async(close_in_the_admin)() == 302
    on_screen = await screen.receive_json_from(timeout=2)
    on_board = await board.receive_json_from(timeout=2)
    assert (on_screen["version"], on_board["version"]) == (version + 1, version + 1)
    assert on_board["counters"][0] | {"services": None} == {
        "number": 1,
        "is_open": False,
        "staffed": False,
        "teller": None,
        "services": None,
        "ticket": None,
    }
    # With no counter open, the estimate assumes one will open: the queue's wait stays shown.
    assert [q["open_counters"] for q in on_board["queues"]] == [0, 0]
    await screen.disconnect()
    await board.disconnect()


def test_a_counter_with_a_customer_at_it_is_not_closed_from_the_admin(
    db, cash, open_counter, teller
):
    factories.issue(cash, 1)
    services.ticket_call_next(counter=open_counter, actor=teller)
    version = Branch.objects.get().lobby_version
    admin = factories.signed_in(factories.make_head_office("head", administrator=True))
    response = admin.post(
        change_url(open_counter), counter_form(open_counter, is_open=None), follow=True
    )
    assert "still has a customer" in response.text
    open_counter.refresh_from_db()
    assert (open_counter.is_open, open_counter.teller) == (True, teller)
    assert Branch.objects.get().lobby_version == version
    assert not AuditEntry.objects.filter(action="counter.closed").exists()


def test_closing_a_counter_in_the_admin_is_recorded_with_who_and_from_where(
    db, open_counter, teller
):
    admin = factories.signed_in(factories.make_head_office("head", administrator=True))
    admin.post(change_url(open_counter), counter_form(open_counter, is_open=None))
    closed = AuditEntry.objects.get(action="counter.closed")
    assert (closed.actor_name, closed.address, closed.branch) == ("head", "127.0.0.1", "GZ-TH01")
    assert (closed.before["is_open"], closed.before["teller"]) == (True, teller.pk)
    assert (closed.after["is_open"], closed.after["teller"]) == (False, None)


def test_a_teller_seated_in_the_admin_is_shown_at_the_counter_live(db, branch, counter, teller):
    relief = factories.make_staff(branch, role="teller")
    version = Branch.objects.get().lobby_version
    admin = factories.signed_in(factories.make_head_office("head", administrator=True))
    response = admin.post(change_url(counter), counter_form(counter, teller=relief.pk))
    assert response.status_code == 302
    counter.refresh_from_db()
    assert counter.teller == relief
    assert Branch.objects.get().lobby_version == version + 1
    seated = AuditEntry.objects.get(action="counter.teller_assigned")
    assert (seated.before["teller"], seated.after["teller"]) == (teller.pk, relief.pk)


def test_only_a_teller_of_the_branch_is_offered_for_a_counter(db, branch, counter, teller):
    manager = factories.make_staff(branch, role=StaffMembership.Role.LOBBY_MANAGER)
    admin = factories.signed_in(factories.make_head_office("head", administrator=True))
    response = admin.post(change_url(counter), counter_form(counter, teller=manager.pk))
    assert response.status_code == 200
    counter.refresh_from_db()
    assert counter.teller == teller


def test_a_counter_added_in_the_admin_is_created_closed_then_opened_through_the_service(
    db, branch, cash
):
    admin = factories.signed_in(factories.make_head_office("head", administrator=True))
    response = admin.post(
        reverse("admin:queueing_counter_add"),
        {"branch": branch.pk, "number": 5, "services": [cash.pk], "is_open": "on"},
    )
    assert response.status_code == 302
    counter = Counter.objects.get(number=5)
    assert counter.is_open is True
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["counter.added", "counter.services_changed", "counter.opened"]


def test_a_counter_removed_in_the_admin_leaves_the_lobby(db, branch, cash, counter):
    version = Branch.objects.get().lobby_version
    admin = factories.signed_in(factories.make_head_office("head", administrator=True))
    response = admin.post(
        reverse("admin:queueing_counter_delete", args=[counter.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Counter.objects.exists()
    assert Branch.objects.get().lobby_version == version + 1
    assert AuditEntry.objects.get().action == "counter.removed"
