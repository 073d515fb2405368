"""A customer checking in from their phone proves they are in the lobby with the code its wall
screens show, which changes every five minutes."""

from datetime import timedelta

import pytest
import time_machine

from branchsite.infra.errors import DomainError
from queueing import services
from queueing.lobby import screen_snapshot
from queueing.models import Appointment
from queueing.presence import PRESENCE_WINDOW, presence_code
from tests import factories

from .clock import NOW, TODAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(wealth) -> Appointment:
    return services.appointment_book(service=wealth, start=at(TODAY, 10, 30), phone="13812345678")


def check_in(appointment, code, now=NOW):
    return services.appointment_check_in(appointment=appointment, presence_code=code, now=now)


def test_the_wall_screen_shows_the_code_and_when_it_changes(branch):
    shown = screen_snapshot(branch)["presence"]
    current = presence_code(branch, now=NOW)
    assert shown == {"code": current.code, "until": current.until.isoformat()}
    assert len(shown["code"]) == 4 and shown["code"].isdigit()
    assert NOW < current.until <= NOW + PRESENCE_WINDOW


@pytest.mark.parametrize(
    "code, refusal",
    [
        (None, "presence_code_required"),
        ("", "presence_code_required"),
        ("0000x", "presence_code_wrong"),
    ],
)
def test_a_customer_without_the_lobby_code_cannot_check_in_from_their_phone(due, code, refusal):
    with pytest.raises(DomainError) as refused:
        check_in(due, code)
    assert refused.value.code == refusal
    due.refresh_from_db()
    assert (due.status, due.ticket) == ("booked", None)


def test_with_the_code_on_the_screen_the_customer_checks_in(due, branch):
    ticket = check_in(due, f" {factories.lobby_code(branch, now=NOW)} ")
    assert ticket.channel == "appointment"


def test_the_code_of_the_window_before_counts_for_two_minutes_then_no_more(due, branch):
    current = presence_code(branch, now=NOW)
    earlier = presence_code(branch, now=current.until - PRESENCE_WINDOW - timedelta(seconds=1))
    assert earlier.code != current.code or earlier.until != current.until
    with pytest.raises(DomainError):
        check_in(due, earlier.code, now=current.until - PRESENCE_WINDOW + timedelta(minutes=3))
    assert check_in(due, earlier.code, now=current.until - PRESENCE_WINDOW + timedelta(minutes=1))


def test_another_branchs_code_does_not_open_this_one(due, branch):
    elsewhere = factories.make_branch("GZ-YX02")
    code = factories.lobby_code(elsewhere, now=NOW)
    if code == factories.lobby_code(branch, now=NOW):  # one chance in ten thousand
        pytest.skip("both branches show the same code in this window")
    with pytest.raises(DomainError):
        check_in(due, code)


def test_staff_and_kiosks_check_in_without_a_code(due, branch):
    teller = factories.make_staff(branch)
    with time_machine.travel(NOW, tick=False):
        ticket = services.appointment_check_in_by_code(branch=branch, code=due.code, actor=teller)
    assert ticket.channel == "appointment"
