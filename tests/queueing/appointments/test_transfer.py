"""A checked-in appointment moved to another queue keeps its booking, its cash and its history,
and the history reads in the reader's language."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from queueing import services
from queueing.lobby import lobby_snapshot
from queueing.serializers import StaffTicketSerializer
from tests import factories

from .clock import NOW, TODAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(branch):
    """A large cash withdrawal booked yesterday, checked in, then moved to the cash queue."""
    withdrawal = factories.make_service(
        branch,
        "D",
        name_en="Large cash",
        name_zh="大额取款",
        appointment_capacity=2,
        reserves_cash=True,
    )
    cash = factories.make_service(branch, "A", name_en="Cash", name_zh="现金")
    teller = factories.make_staff(branch, username="teller-gz-th01")
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        booking = services.appointment_book(
            service=withdrawal,
            start=at(TODAY, 10, 30),
            phone="13812345678",
            name="王小明",
            cash_amount=Decimal("80000"),
            cash_currency="CNY",
        )
    ticket = services.appointment_check_in(appointment=booking, actor=teller)
    return services.ticket_transfer(ticket=ticket, to_service=cash, actor=teller), booking


def test_the_booking_and_its_cash_follow_the_customer_into_the_new_queue(moved, branch):
    successor, booking = moved
    booking.refresh_from_db()
    assert booking.ticket == successor
    (on_board,) = lobby_snapshot(branch)["tickets"]
    assert (on_board["number"], on_board["service"]) == (successor.number, "A")
    assert on_board["appointment"]["name"] == "王小明"
    assert (on_board["appointment"]["cash_amount"], on_board["appointment"]["cash_currency"]) == (
        "80000.00",
        "CNY",
    )


def test_the_moved_ticket_keeps_its_whole_history(moved):
    successor, _ = moved
    events = StaffTicketSerializer(successor).data["events"]
    assert [(event["action"], event["service"]) for event in events] == [
        ("issued", "D"),
        ("transferred", "D"),
        ("issued", "A"),
    ]


@pytest.mark.parametrize(
    "language, lines",
    [
        ("en", ["Issued", "Moved to A Cash", "Moved here from D Large cash"]),
        ("zh-hans", ["已取号", "已转至 A 现金", "由 D 大额取款 转入"]),
    ],
)
def test_the_history_reads_in_one_language_and_never_says_staff_issued_a_moved_ticket(
    moved, language, lines
):
    successor, _ = moved
    with translation.override(language):
        events = StaffTicketSerializer(successor).data["events"]
    assert [event["text"] for event in events] == lines
