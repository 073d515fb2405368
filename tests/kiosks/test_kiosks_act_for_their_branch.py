"""A kiosk acts for its own branch only: the queue services decide it, given the kiosk
(`services.ticket_issue_at_kiosk`, `services.appointment_check_in_by_code`), and the queue API
knows a kiosk from its credentials without importing this app (`queueing.devices`)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from kiosks.services import kiosk_register
from queueing import services
from queueing.devices import BranchDevice, device_of
from queueing.errors import DeviceOfAnotherBranch
from queueing.models import Appointment, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

TEN = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def at_ten():
    with time_machine.travel(TEN, tick=False):
        yield


@pytest.fixture
def kiosk(branch):
    kiosk, _ = kiosk_register(branch=branch, name="Lobby 1")
    return kiosk


@pytest.fixture
def foreign_kiosk(db):
    kiosk, _ = kiosk_register(branch=factories.make_branch("ST-JP02"), name="Lobby 1")
    return kiosk


def test_a_kiosk_is_a_device_of_its_branch(kiosk, branch):
    assert isinstance(kiosk, BranchDevice)
    assert device_of(kiosk) is kiosk
    assert kiosk.acts_for_branch_id == branch.pk


def test_a_kiosk_prints_a_kiosk_ticket_of_its_own_branch(kiosk, cash):
    ticket = services.ticket_issue_at_kiosk(service=cash, kiosk=kiosk)
    assert (ticket.number, ticket.channel, ticket.status) == ("A001", "kiosk", "waiting")


def test_a_kiosk_of_another_branch_cannot_print_a_ticket_here(foreign_kiosk, cash):
    with pytest.raises(DeviceOfAnotherBranch) as refusal:
        services.ticket_issue_at_kiosk(service=cash, kiosk=foreign_kiosk)
    assert (refusal.value.code, refusal.value.status) == ("kiosk_wrong_branch", 403)
    assert refusal.value.detail == "A kiosk issues tickets of its own branch only."
    assert not Ticket.objects.exists()


def test_a_kiosk_of_another_branch_cannot_check_in_an_appointment_here(foreign_kiosk, branch):
    wealth = factories.make_service(branch, "C", appointment_capacity=2)
    booked = services.appointment_book(
        service=wealth, start=TEN.replace(minute=30), phone="13812345678"
    )
    with pytest.raises(DeviceOfAnotherBranch) as refusal:
        services.appointment_check_in_by_code(branch=branch, code=booked.code, kiosk=foreign_kiosk)
    assert refusal.value.detail == "A kiosk checks in appointments of its own branch only."
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert not Ticket.objects.exists()


def test_a_kiosk_checks_in_an_appointment_of_its_branch_by_the_code_as_typed(kiosk, branch):
    wealth = factories.make_service(branch, "C", appointment_capacity=2)
    booked = services.appointment_book(
        service=wealth, start=TEN.replace(minute=30), phone="13812345678"
    )
    ticket = services.appointment_check_in_by_code(
        branch=branch, code=f" {booked.code.lower()} ", kiosk=kiosk
    )
    booked.refresh_from_db()
    assert (booked.status, booked.ticket) == (Appointment.Status.CHECKED_IN, ticket)


def test_the_api_answers_a_kiosk_of_another_branch_as_before(foreign_kiosk, cash, branch):
    """The refusal moved from the views into the services; the answers are the same."""
    _, key = kiosk_register(branch=foreign_kiosk.branch, name="Lobby 2")
    as_kiosk = APIClient(headers={"Authorization": f"Kiosk {key}"})
    ticket = as_kiosk.post("/api/tickets/", {"branch": branch.code, "service": "A"}, format="json")
    check_in = as_kiosk.post(f"/api/branches/{branch.code}/check-in/", {"code": "ABC123"})
    assert (ticket.status_code, ticket.json()) == (
        403,
        {"code": "kiosk_wrong_branch", "detail": "A kiosk issues tickets of its own branch only."},
    )
    assert (check_in.status_code, check_in.json()) == (
        403,
        {
            "code": "kiosk_wrong_branch",
            "detail": "A kiosk checks in appointments of its own branch only.",
        },
    )
