"""Checking in at the branch by the code on the appointment page (`services.
appointment_check_in_by_code`), by staff or by a device of the branch, at the fixed moment of
`clock`. The device here is any `BranchDevice`: queueing knows no kiosk (tests/kiosks has the
kiosk itself)."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from branchsite.infra.audit import Origin
from branchsite.infra.errors import NotFound
from queueing import services
from queueing.devices import BranchDevice, device_of
from queueing.errors import DeviceOfAnotherBranch
from queueing.models import Appointment, Ticket, clean_check_in_code
from queueing.services.devices import device_actor
from tests import factories

from .clock import TODAY, at

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class LobbyScreen:
    acts_for_branch_id: int
    audit_label: str = "lobby screen 1"


@pytest.fixture
def booked(wealth) -> Appointment:
    return services.appointment_book(service=wealth, start=at(TODAY, 10, 30), phone="13812345678")


def test_check_in_codes_are_read_without_spaces_and_in_capitals():
    assert clean_check_in_code(" ab3 4cd\n") == "AB34CD"
    assert clean_check_in_code("AB34CD") == "AB34CD"


def test_staff_check_in_an_appointment_by_its_code_typed_in_small_letters_with_spaces(
    booked, branch
):
    teller = factories.make_staff(branch)
    typed = f"{booked.code[:3].lower()} {booked.code[3:].lower()}"
    ticket = services.appointment_check_in_by_code(branch=branch, code=typed, actor=teller)
    booked.refresh_from_db()
    assert (booked.status, booked.ticket) == (Appointment.Status.CHECKED_IN, ticket)
    assert (ticket.channel, ticket.appointment_starts_at) == ("appointment", booked.starts_at)
    assert ticket.events.get().actor == teller


def test_an_unknown_code_is_not_found_and_the_answer_says_which_code_was_read(branch, booked):
    with pytest.raises(NotFound) as refusal:
        services.appointment_check_in_by_code(branch=branch, code="zz zz zz")
    assert (refusal.value.code, refusal.value.status) == ("unknown_check_in_code", 404)
    assert refusal.value.detail == "No appointment at GZ-TH01 has the code ZZZZZZ."
    assert not Ticket.objects.exists()


def test_the_code_of_an_appointment_at_another_branch_is_unknown_here(booked):
    elsewhere = factories.make_branch("ST-JP02")
    with pytest.raises(NotFound):
        services.appointment_check_in_by_code(branch=elsewhere, code=booked.code)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_a_device_of_the_branch_checks_in_an_appointment_by_its_code(booked, branch):
    ticket = services.appointment_check_in_by_code(
        branch=branch, code=booked.code, kiosk=LobbyScreen(branch.pk)
    )
    assert ticket.channel == "appointment"
    assert ticket.events.get().actor is None  # a device, not a member of staff


def test_a_device_of_another_branch_cannot_check_in_here_even_with_a_good_code(booked, branch):
    elsewhere = factories.make_branch("ST-JP02")
    with pytest.raises(DeviceOfAnotherBranch) as refusal:
        services.appointment_check_in_by_code(
            branch=branch, code=booked.code, kiosk=LobbyScreen(elsewhere.pk)
        )
    assert (refusal.value.code, refusal.value.status) == ("kiosk_wrong_branch", 403)
    assert refusal.value.detail == "A kiosk checks in appointments of its own branch only."
    booked.refresh_from_db()
    assert (booked.status, Ticket.objects.count()) == (Appointment.Status.BOOKED, 0)


def test_a_device_of_another_branch_is_refused_before_the_code_is_looked_at(branch):
    elsewhere = factories.make_branch("ST-JP02")
    with pytest.raises(DeviceOfAnotherBranch):
        services.appointment_check_in_by_code(
            branch=branch, code="no such code", kiosk=LobbyScreen(elsewhere.pk)
        )


def test_a_device_is_anything_that_says_which_branch_it_acts_for_and_how_it_is_named():
    screen = LobbyScreen(acts_for_branch_id=7)
    assert isinstance(screen, BranchDevice)
    assert device_of(screen) is screen

    @dataclass
    class StaffToken:
        key: str
        branch_id: int  # a branch id alone does not make a device

    assert device_of(StaffToken("t", 7)) is None
    assert device_of(None) is None


def test_what_a_device_does_is_done_in_its_name_from_the_requests_address():
    screen = LobbyScreen(acts_for_branch_id=1)
    assert device_actor(screen, None) == Origin(device="lobby screen 1")
    assert device_actor(screen, AnonymousUser()) == Origin(device="lobby screen 1")
    assert device_actor(screen, Origin(address="10.0.0.8")) == Origin(
        device="lobby screen 1", address="10.0.0.8"
    )
    of_the_request = Origin(device="kiosk #3 GZ-TH01 Lobby 1", address="10.0.0.8")
    assert device_actor(screen, of_the_request) is of_the_request
